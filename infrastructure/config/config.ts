import type { Durability } from '../eventstore/sqlite/schema.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** The server's whole configuration, validated. Built only by loadConfig. */
export interface Config {
  readonly dataDir: string;
  /** MDM_CA_KEY_PASSPHRASE, when the CA key is (to be) encrypted. */
  readonly caKeyPassphrase?: string;
  readonly admin: {
    readonly host: string;
    readonly port: number;
    readonly tls?: TlsFiles & { readonly clientCaFile?: string };
  };
  readonly device: {
    readonly host: string;
    readonly port: number;
    /** Device-facing base URL put into profiles. */
    readonly publicUrl: string;
    /** Names the generated TLS certificate covers (ignored when tls files are given). */
    readonly tlsHostnames: readonly string[];
    readonly tls?: TlsFiles;
    readonly maxReportBytes: number;
    readonly seenIntervalMs: number;
  };
  /**
   * The optional plain-HTTP listener (same host as the device listener): SCEP and the CRL only.
   * SCEP messages are signed and encrypted end to end, and relying parties fetch CRLs over HTTP.
   */
  readonly http?: { readonly port: number; readonly publicUrl: string };
  readonly profile: {
    readonly organization: string;
    readonly signMessage: boolean;
    readonly pinTls: boolean;
    /** MDM_PROFILE_IDENTITY: the device enrolls its own key through SCEP, or gets one the server made (PKCS#12). */
    readonly identity: 'scep' | 'pkcs12';
  };
  /** The enrollment page and the OTA profile service. */
  readonly enrollment: {
    /** Answer a successful sign-in with the OTA Profile Service payload (true) or the enrollment profile. */
    readonly ota: boolean;
    /** PEM bundle of Apple's device CA: phase-2 signers must chain to it when set. */
    readonly otaAppleCaFile?: string;
    readonly login: { readonly maxFailuresPerUser: number; readonly maxFailuresPerAddress: number; readonly windowMs: number };
  };
  readonly apns: {
    readonly url: string;
    readonly caFile?: string;
    /** The MDM push certificate: PEM certificate and key files, or one PKCS#12 file. */
    readonly push?: (TlsFiles & { readonly kind: 'pem' }) | { readonly kind: 'pkcs12'; readonly file: string; readonly password: string };
  };
  /** What people may do to their own devices through the API with a user token. */
  readonly selfService: { readonly commands: readonly ('DeviceLock' | 'ClearPasscode' | 'EraseDevice')[]; readonly maxPerHour: number };
  /** MDM_ENROLLMENT_QUARANTINE: every new enrollment waits for an admin's approval. */
  readonly enrollmentQuarantine: boolean;
  /** Device identity renewal: certificates expiring within `days` (0: off), looked for every `checkIntervalMs`. */
  readonly identityRenewal: { readonly days: number; readonly checkIntervalMs: number };
  readonly trustedProxyCidrs: readonly string[];
  /** Requests per client address and minute (0: no limit); admin API authentication failures likewise. */
  readonly rateLimits: { readonly enrollmentPerMinute: number; readonly scepPerMinute: number; readonly adminAuthFailuresPerMinute: number };
  readonly secretsKeyFile: string;
  /** True when the key file may be created on first start: embedded store and no MDM_SECRETS_KEY_FILE. */
  readonly createSecretsKey: boolean;
  readonly scepChallenge?: string;
  readonly adminToken?: string;
  readonly eventStore: { readonly kind: 'sqlite'; readonly durability: Durability } | { readonly kind: 'esdb'; readonly url: string };
  readonly readStore: { readonly kind: 'sqlite' } | { readonly kind: 'mongo'; readonly url: string };
  /** Post-enrollment automation and the inventory refresh (0: no refresh). */
  readonly automation: { readonly enabled: boolean; readonly inventoryRefreshMs: number };
  /** Signed audit checkpoints: the key (outside the event store) and how often (0: never). */
  readonly audit: {
    readonly keyFile: string;
    /** True when the key file may be created on first use: embedded store and no MDM_AUDIT_KEY_FILE. */
    readonly createKey: boolean;
    readonly checkpointIntervalMs: number;
  };
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
}

export const APPLE_APNS_PRODUCTION = 'https://api.push.apple.com';
