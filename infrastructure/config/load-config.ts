import { existsSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { APPLE_APNS_PRODUCTION, type Config, type LogLevel, type TlsFiles } from './config.js';

/** A configuration mistake: the message is one line naming the variable and what is allowed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const shown = (v: string) => JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);

function get(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function port(env: Env, name: string, fallback: number): number {
  const raw = get(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new ConfigError(name, `must be a port number from 0 to 65535 (got ${shown(raw)})`);
  return Number(raw);
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = get(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got ${shown(raw)})`);
  return Number(raw);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = get(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got ${shown(raw)})`);
  return raw as T;
}

function host(env: Env, name: string, fallback: string): string {
  const raw = get(env, name) ?? fallback;
  if (isIP(raw) === 0 && !/^[a-zA-Z0-9.-]{1,253}$/.test(raw)) throw new ConfigError(name, `must be an IP address or host name (got ${shown(raw)})`);
  return raw;
}

/**
 * EventStoreDB and MongoDB connection strings may name several hosts (`esdb://n1:2113,n2:2113`),
 * which WHATWG URL parsing refuses: check only their scheme and that something follows it.
 */
function connectionString(env: Env, name: string, schemes: readonly string[]): string | undefined {
  const raw = get(env, name);
  if (raw === undefined) return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/(.+)$/i.exec(raw);
  if (!scheme || !schemes.includes(scheme[1]!.toLowerCase()) || /\s/.test(raw)) {
    throw new ConfigError(name, `must be a connection string starting with ${schemes.map((s) => `${s}://`).join(' or ')} (got ${scheme ? `${scheme[1]}://...` : 'no scheme'})`);
  }
  return raw;
}

function url(env: Env, name: string, schemes: readonly string[]): string | undefined {
  const raw = get(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')} (got an unparsable value)`);
  }
  if (!schemes.includes(parsed.protocol.replace(/:$/, ''))) {
    throw new ConfigError(name, `must be a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')} (got ${parsed.protocol}//...)`);
  }
  return raw;
}

function file(env: Env, name: string): string | undefined {
  const raw = get(env, name);
  if (raw === undefined) return undefined;
  const path = resolve(raw);
  if (!existsSync(path) || !statSync(path).isFile()) throw new ConfigError(name, `file ${shown(path)} does not exist or is not a regular file`);
  return path;
}

function pair(env: Env, certName: string, keyName: string): TlsFiles | undefined {
  const certFile = file(env, certName);
  const keyFile = file(env, keyName);
  if (certFile && !keyFile) throw new ConfigError(keyName, `must be set when ${certName} is set`);
  if (keyFile && !certFile) throw new ConfigError(certName, `must be set when ${keyName} is set`);
  return certFile && keyFile ? { certFile, keyFile } : undefined;
}

function list(env: Env, name: string): string[] {
  return (get(env, name) ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function cidrs(env: Env, name: string): string[] {
  const out = list(env, name);
  for (const c of out) {
    const [addr, bits, extra] = c.split('/');
    const family = isIP(addr ?? '');
    const max = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || (bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > max))) {
      throw new ConfigError(name, `must be comma-separated CIDRs such as 10.0.0.0/8 or fd00::/8 (got ${shown(c)})`);
    }
  }
  return out;
}

function hostnames(env: Env, name: string, fallback: string[]): string[] {
  const out = list(env, name);
  for (const h of out) {
    if (isIP(h) === 0 && !/^(\*\.)?[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62}))*$/.test(h)) {
      throw new ConfigError(name, `must be comma-separated DNS names or IP addresses (got ${shown(h)})`);
    }
  }
  return out.length > 0 ? out : fallback;
}

const SELF_SERVICE_COMMANDS = ['DeviceLock', 'ClearPasscode', 'EraseDevice'] as const;

/** Empty turns self-service commands off; anything outside the three is a mistake to report. */
function selfServiceCommands(env: Env): (typeof SELF_SERVICE_COMMANDS)[number][] {
  const raw = env['MDM_SELF_SERVICE_COMMANDS'];
  if (raw === undefined) return ['DeviceLock', 'ClearPasscode'];
  const names = raw.split(',').map((n) => n.trim()).filter((n) => n !== '');
  for (const name of names) {
    if (!(SELF_SERVICE_COMMANDS as readonly string[]).includes(name)) throw new ConfigError('MDM_SELF_SERVICE_COMMANDS', `${shown(name)} is not one of ${SELF_SERVICE_COMMANDS.join(', ')}`);
  }
  return [...new Set(names)] as (typeof SELF_SERVICE_COMMANDS)[number][];
}

function profileOrganization(env: Env): string {
  const raw = get(env, 'MDM_PROFILE_ORGANIZATION') ?? 'MDM';
  if (raw.length > 128 || /[\u0000-\u001f]/.test(raw)) throw new ConfigError('MDM_PROFILE_ORGANIZATION', 'must be up to 128 printable characters');
  return raw;
}

/** Reads and validates the environment. Throws ConfigError on the first mistake. */
export function loadConfig(env: Env = process.env): Config {
  const dataDir = resolve(get(env, 'MDM_DATA_DIR') ?? './data');
  const adminPort = port(env, 'MDM_ADMIN_PORT', 8080);
  const devicePort = port(env, 'MDM_DEVICE_PORT', 8443);
  if (adminPort === devicePort && adminPort !== 0) throw new ConfigError('MDM_DEVICE_PORT', `must differ from MDM_ADMIN_PORT (both ${adminPort})`);

  const httpPortRaw = get(env, 'MDM_HTTP_PORT');
  const httpPort = httpPortRaw === undefined ? undefined : port(env, 'MDM_HTTP_PORT', 0);
  if (httpPort !== undefined && httpPort !== 0 && (httpPort === devicePort || httpPort === adminPort)) throw new ConfigError('MDM_HTTP_PORT', `must differ from MDM_DEVICE_PORT and MDM_ADMIN_PORT (got ${httpPort})`);

  const machine = hostname();
  const publicUrl = url(env, 'MDM_PUBLIC_URL', ['https']) ?? `https://${machine}:${devicePort}`;
  const publicHost = new URL(publicUrl).hostname.replace(/^\[|\]$/g, '');
  const defaultNames = [...new Set([publicHost, machine, 'localhost', '127.0.0.1', '::1'])];

  const httpPublicUrl = url(env, 'MDM_HTTP_PUBLIC_URL', ['http']);
  if (httpPublicUrl && httpPort === undefined) throw new ConfigError('MDM_HTTP_PUBLIC_URL', 'needs MDM_HTTP_PORT (the plain-HTTP listener it names)');

  const adminTls = pair(env, 'MDM_ADMIN_TLS_CERT_FILE', 'MDM_ADMIN_TLS_KEY_FILE');
  const clientCaFile = file(env, 'MDM_ADMIN_TLS_CLIENT_CA_FILE');
  if (clientCaFile && !adminTls) throw new ConfigError('MDM_ADMIN_TLS_CLIENT_CA_FILE', 'needs MDM_ADMIN_TLS_CERT_FILE and MDM_ADMIN_TLS_KEY_FILE (client certificates need HTTPS)');

  const deviceTls = pair(env, 'MDM_TLS_CERT_FILE', 'MDM_TLS_KEY_FILE');
  const pemPush = pair(env, 'MDM_PUSH_CERT_FILE', 'MDM_PUSH_KEY_FILE');
  const p12File = file(env, 'MDM_PUSH_P12_FILE');
  if (p12File && pemPush) throw new ConfigError('MDM_PUSH_P12_FILE', 'give either MDM_PUSH_P12_FILE or MDM_PUSH_CERT_FILE/MDM_PUSH_KEY_FILE, not both');
  const push = p12File ? { kind: 'pkcs12' as const, file: p12File, password: env['MDM_PUSH_P12_PASSWORD'] ?? '' } : pemPush ? { kind: 'pem' as const, ...pemPush } : undefined;
  const apnsUrl = url(env, 'MDM_APNS_URL', ['https']) ?? APPLE_APNS_PRODUCTION;
  const apnsCaFile = file(env, 'MDM_APNS_CA_FILE');

  const eventStoreKind = oneOf(env, 'MDM_EVENT_STORE', ['sqlite', 'esdb'] as const, 'sqlite');
  const esdbUrl = connectionString(env, 'ESDB_URL', ['esdb', 'esdb+discover']);
  const durability = oneOf(env, 'MDM_DURABILITY', ['process', 'power'] as const, 'process');
  if (eventStoreKind === 'esdb' && !esdbUrl) throw new ConfigError('ESDB_URL', 'must be set when MDM_EVENT_STORE=esdb (e.g. esdb://localhost:2113?tls=false)');

  const readStoreKind = oneOf(env, 'MDM_READ_STORE', ['sqlite', 'mongo'] as const, 'sqlite');
  const mongoUrl = connectionString(env, 'MONGODB_URL', ['mongodb', 'mongodb+srv']);
  if (readStoreKind === 'mongo' && !mongoUrl) throw new ConfigError('MONGODB_URL', 'must be set when MDM_READ_STORE=mongo (e.g. mongodb://localhost:27017/mdm)');

  // With a shared event store the key must be the same on every server process, so it is never
  // invented on the spot: sealed values written by one process must open on the others.
  const explicitKey = get(env, 'MDM_SECRETS_KEY_FILE');
  if (eventStoreKind === 'esdb' && explicitKey === undefined) throw new ConfigError('MDM_SECRETS_KEY_FILE', 'must be set when MDM_EVENT_STORE=esdb (every server process needs the same key)');
  const secretsKeyFile = explicitKey !== undefined ? file(env, 'MDM_SECRETS_KEY_FILE')! : resolve(`${dataDir}/secrets.key`);

  const scepChallenge = get(env, 'MDM_SCEP_CHALLENGE');
  const adminToken = get(env, 'MDM_ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) throw new ConfigError('MDM_ADMIN_TOKEN', 'must be at least 16 characters');

  const otaAppleCaFile = file(env, 'MDM_OTA_APPLE_CA_FILE');

  // As with the secrets key: server processes sharing an event store must sign with one key.
  const explicitAuditKey = get(env, 'MDM_AUDIT_KEY_FILE') !== undefined;
  const auditKeyFile = explicitAuditKey ? file(env, 'MDM_AUDIT_KEY_FILE')! : resolve(`${dataDir}/audit/checkpoint.key`);

  const caKeyPassphrase = env['MDM_CA_KEY_PASSPHRASE'];
  if (caKeyPassphrase !== undefined && caKeyPassphrase !== '' && caKeyPassphrase.length < 8) throw new ConfigError('MDM_CA_KEY_PASSPHRASE', 'must be at least 8 characters');

  return {
    dataDir,
    ...(caKeyPassphrase ? { caKeyPassphrase } : {}),
    admin: { host: host(env, 'MDM_ADMIN_HOST', '127.0.0.1'), port: adminPort, ...(adminTls ? { tls: { ...adminTls, ...(clientCaFile ? { clientCaFile } : {}) } } : {}) },
    device: {
      host: host(env, 'MDM_DEVICE_HOST', '0.0.0.0'),
      port: devicePort,
      publicUrl,
      tlsHostnames: hostnames(env, 'MDM_TLS_HOSTNAMES', defaultNames),
      maxReportBytes: integer(env, 'MDM_MAX_REPORT_BYTES', 20 * 1024 * 1024, 64 * 1024, 512 * 1024 * 1024),
      seenIntervalMs: integer(env, 'MDM_DEVICE_SEEN_INTERVAL_MINUTES', 240, 1, 10_080) * 60_000,
      ...(deviceTls ? { tls: deviceTls } : {}),
    },
    ...(httpPort !== undefined ? { http: { port: httpPort, publicUrl: (httpPublicUrl ?? `http://${new URL(publicUrl).host.replace(/:\d+$/, '')}:${httpPort}`).replace(/\/+$/, '') } } : {}),
    profile: {
      organization: profileOrganization(env),
      signMessage: oneOf(env, 'MDM_PROFILE_SIGN_MESSAGE', ['true', 'false'] as const, 'true') === 'true',
      pinTls: ((pin) => (pin === 'auto' ? deviceTls === undefined : pin === 'true'))(oneOf(env, 'MDM_PROFILE_PIN_TLS', ['auto', 'true', 'false'] as const, 'auto')),
      identity: oneOf(env, 'MDM_PROFILE_IDENTITY', ['scep', 'pkcs12'] as const, 'scep'),
    },
    enrollment: {
      ota: oneOf(env, 'MDM_ENROLLMENT_OTA', ['true', 'false'] as const, 'true') === 'true',
      ...(otaAppleCaFile ? { otaAppleCaFile } : {}),
      login: {
        maxFailuresPerUser: integer(env, 'MDM_LOGIN_MAX_FAILURES_PER_USER', 5, 1, 1000),
        maxFailuresPerAddress: integer(env, 'MDM_LOGIN_MAX_FAILURES_PER_ADDRESS', 20, 1, 100_000),
        windowMs: integer(env, 'MDM_LOGIN_FAILURE_WINDOW_MINUTES', 15, 1, 1440) * 60_000,
      },
    },
    apns: { url: apnsUrl, ...(apnsCaFile ? { caFile: apnsCaFile } : {}), ...(push ? { push } : {}) },
    selfService: { commands: selfServiceCommands(env), maxPerHour: integer(env, 'MDM_SELF_SERVICE_MAX_PER_HOUR', 5, 1, 1000) },
    enrollmentQuarantine: oneOf(env, 'MDM_ENROLLMENT_QUARANTINE', ['true', 'false'] as const, 'false') === 'true',
    identityRenewal: {
      days: integer(env, 'MDM_IDENTITY_RENEWAL_DAYS', 30, 0, 365),
      checkIntervalMs: integer(env, 'MDM_IDENTITY_RENEWAL_CHECK_MINUTES', 60, 1, 1440) * 60_000,
    },
    trustedProxyCidrs: cidrs(env, 'MDM_TRUSTED_PROXY_CIDRS'),
    rateLimits: {
      enrollmentPerMinute: integer(env, 'MDM_RATE_LIMIT_ENROLLMENT_PER_MINUTE', 60, 0, 1_000_000),
      scepPerMinute: integer(env, 'MDM_RATE_LIMIT_SCEP_PER_MINUTE', 120, 0, 1_000_000),
      adminAuthFailuresPerMinute: integer(env, 'MDM_RATE_LIMIT_ADMIN_AUTH_FAILURES_PER_MINUTE', 20, 0, 1_000_000),
    },
    secretsKeyFile,
    // An explicit path that does not exist is a mistake to report, not a reason to start a new key
    // (secrets sealed under the intended one would no longer open).
    createSecretsKey: eventStoreKind === 'sqlite' && explicitKey === undefined,
    ...(scepChallenge ? { scepChallenge } : {}),
    ...(adminToken ? { adminToken } : {}),
    eventStore: eventStoreKind === 'esdb' ? { kind: 'esdb', url: esdbUrl! } : { kind: 'sqlite', durability },
    readStore: readStoreKind === 'mongo' ? { kind: 'mongo', url: mongoUrl! } : { kind: 'sqlite' },
    automation: {
      enabled: oneOf(env, 'MDM_AUTOMATION', ['true', 'false'] as const, 'true') === 'true',
      inventoryRefreshMs: integer(env, 'MDM_INVENTORY_REFRESH_HOURS', 24, 0, 24 * 90) * 3_600_000,
    },
    audit: {
      keyFile: auditKeyFile,
      createKey: eventStoreKind === 'sqlite' && !explicitAuditKey,
      checkpointIntervalMs: integer(env, 'MDM_AUDIT_CHECKPOINT_SECONDS', 300, 0, 86_400) * 1000,
    },
    logLevel: oneOf<LogLevel>(env, 'MDM_LOG_LEVEL', ['debug', 'info', 'warn', 'error'], 'info'),
    shutdownTimeoutMs: integer(env, 'MDM_SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
  };
}

/** The configuration with secrets replaced, for logs and `mdm config`. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    ...(config.scepChallenge ? { scepChallenge: '[set]' } : {}),
    ...(config.adminToken ? { adminToken: '[set]' } : {}),
    ...(config.caKeyPassphrase ? { caKeyPassphrase: '[set]' } : {}),
    ...(config.apns.push?.kind === 'pkcs12' ? { apns: { ...config.apns, push: { ...config.apns.push, password: '[set]' } } } : {}),
    eventStore: config.eventStore.kind === 'esdb' ? { kind: 'esdb', url: redactUrl(config.eventStore.url) } : config.eventStore,
    readStore: config.readStore.kind === 'mongo' ? { kind: 'mongo', url: redactUrl(config.readStore.url) } : config.readStore,
  };
}

/** Connection strings may carry a password: keep the user, hide the password (one host or several). */
export function redactUrl(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^:@/]*):([^@/]*)@/i, '$1$2:***@');
}
