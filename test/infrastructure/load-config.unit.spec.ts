import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, describeConfig, loadConfig, redactUrl } from '../../infrastructure/config/load-config.js';
import { tempDir } from '../support/temp-dir.js';

const fails = (env: Record<string, string>, variable: string, pattern?: RegExp) => {
  let caught: unknown;
  try {
    loadConfig(env);
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a ConfigError for ${variable}`).to.be.instanceOf(ConfigError);
  expect((caught as ConfigError).variable).to.equal(variable);
  if (pattern) expect((caught as ConfigError).message).to.match(pattern);
  expect((caught as ConfigError).message).to.not.contain('\n');
};

describe('loadConfig', () => {
  it('has stable defaults that scripts can rely on', () => {
    const c = loadConfig({});
    expect(c.admin).to.deep.equal({ host: '127.0.0.1', port: 8080 });
    expect(c.device.port).to.equal(8443);
    expect(c.device.host).to.equal('0.0.0.0');
    expect(c.dataDir).to.equal(resolve('./data'));
    expect(c.device.publicUrl).to.equal(`https://${hostname()}:8443`);
    expect(c.device.tlsHostnames).to.include.members([hostname(), 'localhost', '127.0.0.1', '::1']);
    expect(c.apns.url).to.equal('https://api.push.apple.com');
    expect(c.eventStore).to.deep.equal({ kind: 'sqlite', durability: 'process' });
    expect(c.readStore).to.deep.equal({ kind: 'sqlite' });
    expect(c.secretsKeyFile).to.equal(join(resolve('./data'), 'secrets.key'));
    expect(c.createSecretsKey).to.equal(true);
    expect(c.shutdownTimeoutMs).to.equal(10_000);
  });

  it('per-address rate limits: 60 enrollment requests, 120 SCEP PKIOperations, 20 admin API 401s a minute; 0 turns one off', () => {
    expect(loadConfig({}).rateLimits).to.deep.equal({ enrollmentPerMinute: 60, scepPerMinute: 120, adminAuthFailuresPerMinute: 20 });
    expect(loadConfig({ MDM_RATE_LIMIT_ENROLLMENT_PER_MINUTE: '0', MDM_RATE_LIMIT_SCEP_PER_MINUTE: '600', MDM_RATE_LIMIT_ADMIN_AUTH_FAILURES_PER_MINUTE: '5' }).rateLimits).to.deep.equal({ enrollmentPerMinute: 0, scepPerMinute: 600, adminAuthFailuresPerMinute: 5 });
    fails({ MDM_RATE_LIMIT_SCEP_PER_MINUTE: '-1' }, 'MDM_RATE_LIMIT_SCEP_PER_MINUTE', /whole number from 0/);
    fails({ MDM_RATE_LIMIT_ENROLLMENT_PER_MINUTE: 'lots' }, 'MDM_RATE_LIMIT_ENROLLMENT_PER_MINUTE');
  });

  it('enrollment profile settings: pinning follows where the TLS certificate comes from unless told', () => {
    expect(loadConfig({}).profile).to.deep.equal({ organization: 'MDM', signMessage: true, pinTls: true, identity: 'scep' });
    expect(loadConfig({ MDM_PROFILE_PIN_TLS: 'false', MDM_PROFILE_SIGN_MESSAGE: 'false', MDM_PROFILE_ORGANIZATION: 'Example Corp', MDM_PROFILE_IDENTITY: 'pkcs12' }).profile).to.deep.equal({ organization: 'Example Corp', signMessage: false, pinTls: false, identity: 'pkcs12' });
    fails({ MDM_PROFILE_PIN_TLS: 'maybe' }, 'MDM_PROFILE_PIN_TLS');
    fails({ MDM_PROFILE_SIGN_MESSAGE: 'yes' }, 'MDM_PROFILE_SIGN_MESSAGE');
    fails({ MDM_PROFILE_IDENTITY: 'PKCS12' }, 'MDM_PROFILE_IDENTITY');
  });

  it('the plain-HTTP listener is off unless MDM_HTTP_PORT is set; its public URL follows MDM_PUBLIC_URL', () => {
    expect(loadConfig({}).http).to.equal(undefined);
    expect(loadConfig({ MDM_HTTP_PORT: '8081', MDM_PUBLIC_URL: 'https://mdm.example.com:8443' }).http).to.deep.equal({ port: 8081, publicUrl: 'http://mdm.example.com:8081' });
    expect(loadConfig({ MDM_HTTP_PORT: '80', MDM_HTTP_PUBLIC_URL: 'http://scep.example.com/' }).http).to.deep.equal({ port: 80, publicUrl: 'http://scep.example.com' });
    fails({ MDM_HTTP_PORT: '8443' }, 'MDM_HTTP_PORT', /must differ/);
    fails({ MDM_HTTP_PORT: 'x' }, 'MDM_HTTP_PORT');
    fails({ MDM_HTTP_PUBLIC_URL: 'http://scep.example.com' }, 'MDM_HTTP_PUBLIC_URL', /needs MDM_HTTP_PORT/);
    fails({ MDM_HTTP_PORT: '80', MDM_HTTP_PUBLIC_URL: 'https://scep.example.com' }, 'MDM_HTTP_PUBLIC_URL');
  });

  it('puts the MDM_PUBLIC_URL host into the TLS certificate names', () => {
    const c = loadConfig({ MDM_PUBLIC_URL: 'https://mdm.example.com' });
    expect(c.device.tlsHostnames[0]).to.equal('mdm.example.com');
    expect(loadConfig({ MDM_TLS_HOSTNAMES: 'a.example.com, 10.1.2.3' }).device.tlsHostnames).to.deep.equal(['a.example.com', '10.1.2.3']);
  });

  it('refuses bad values, naming the variable', () => {
    fails({ MDM_ADMIN_PORT: '70000' }, 'MDM_ADMIN_PORT', /0 to 65535/);
    fails({ MDM_DEVICE_PORT: '-1' }, 'MDM_DEVICE_PORT');
    fails({ MDM_ADMIN_PORT: '9000', MDM_DEVICE_PORT: '9000' }, 'MDM_DEVICE_PORT', /differ/);
    fails({ MDM_EVENT_STORE: 'esdb' }, 'ESDB_URL', /must be set/);
    fails({ MDM_EVENT_STORE: 'esdb', ESDB_URL: 'http://x:2113' }, 'ESDB_URL', /esdb:\/\//);
    fails({ MDM_EVENT_STORE: 'esdb', ESDB_URL: 'esdb://x:2113?tls=false' }, 'MDM_SECRETS_KEY_FILE', /every server process/);
    fails({ MDM_READ_STORE: 'mongo' }, 'MONGODB_URL');
    fails({ MDM_READ_STORE: 'redis' }, 'MDM_READ_STORE');
    fails({ MONGODB_URL: 'postgres://x' }, 'MONGODB_URL');
    fails({ MDM_APNS_URL: 'not a url' }, 'MDM_APNS_URL');
    fails({ MDM_TLS_HOSTNAMES: 'bad name!' }, 'MDM_TLS_HOSTNAMES');
    fails({ MDM_TRUSTED_PROXY_CIDRS: '10.0.0.0/8,banana' }, 'MDM_TRUSTED_PROXY_CIDRS');
    fails({ MDM_ADMIN_TOKEN: 'short' }, 'MDM_ADMIN_TOKEN', /16 characters/);
    fails({ MDM_LOG_LEVEL: 'verbose' }, 'MDM_LOG_LEVEL');
    fails({ MDM_SHUTDOWN_TIMEOUT_MS: '1e9' }, 'MDM_SHUTDOWN_TIMEOUT_MS');
    fails({ MDM_ADMIN_HOST: 'bad host name' }, 'MDM_ADMIN_HOST');
  });

  it('wants certificate and key files in pairs, and files that exist', () => {
    const dir = tempDir();
    try {
      const cert = join(dir.path, 'c.pem');
      writeFileSync(cert, 'x');
      fails({ MDM_TLS_CERT_FILE: cert }, 'MDM_TLS_KEY_FILE', /must be set when MDM_TLS_CERT_FILE/);
      fails({ MDM_PUSH_KEY_FILE: cert }, 'MDM_PUSH_CERT_FILE');
      fails({ MDM_ADMIN_TLS_CLIENT_CA_FILE: cert }, 'MDM_ADMIN_TLS_CLIENT_CA_FILE', /needs MDM_ADMIN_TLS_CERT_FILE/);
      fails({ MDM_APNS_CA_FILE: join(dir.path, 'missing.pem') }, 'MDM_APNS_CA_FILE', /does not exist/);
      const c = loadConfig({ MDM_TLS_CERT_FILE: cert, MDM_TLS_KEY_FILE: cert, MDM_ADMIN_TLS_CERT_FILE: cert, MDM_ADMIN_TLS_KEY_FILE: cert, MDM_ADMIN_TLS_CLIENT_CA_FILE: cert });
      expect(c.device.tls).to.deep.equal({ certFile: cert, keyFile: cert });
      expect(c.admin.tls).to.deep.equal({ certFile: cert, keyFile: cert, clientCaFile: cert });
    } finally {
      dir.remove();
    }
  });

  it('with EventStoreDB, uses the given secrets key file and never creates one', () => {
    const dir = tempDir();
    try {
      const key = join(dir.path, 'k');
      writeFileSync(key, 'ab'.repeat(32));
      const c = loadConfig({ MDM_EVENT_STORE: 'esdb', ESDB_URL: 'esdb://admin:changeit@db:2113?tls=false', MDM_SECRETS_KEY_FILE: key });
      expect(c.eventStore).to.deep.equal({ kind: 'esdb', url: 'esdb://admin:changeit@db:2113?tls=false' });
      expect(c.createSecretsKey).to.equal(false);
      expect(JSON.stringify(describeConfig(c))).to.not.contain('changeit');
    } finally {
      dir.remove();
    }
  });

  it('accepts multi-host connection strings and hides their passwords', () => {
    const dir = tempDir();
    try {
      const key = join(dir.path, 'k');
      writeFileSync(key, 'ab'.repeat(32));
      const cluster = 'esdb://admin:changeit@n1:2113,n2:2113,n3:2113?tls=false';
      const c = loadConfig({ MDM_EVENT_STORE: 'esdb', ESDB_URL: cluster, MDM_SECRETS_KEY_FILE: key, MDM_READ_STORE: 'mongo', MONGODB_URL: 'mongodb://u:pw@m1:27017,m2:27017/mdm?replicaSet=rs0' });
      expect(c.eventStore).to.deep.equal({ kind: 'esdb', url: cluster });
      expect(redactUrl(cluster)).to.equal('esdb://admin:***@n1:2113,n2:2113,n3:2113?tls=false');
      const shown = JSON.stringify(describeConfig(c));
      expect(shown).to.not.contain('changeit');
      expect(shown).to.not.contain(':pw@');
      fails({ MDM_EVENT_STORE: 'esdb', ESDB_URL: 'esdb://a b', MDM_SECRETS_KEY_FILE: key }, 'ESDB_URL');
    } finally {
      dir.remove();
    }
  });

  it('an explicit MDM_SECRETS_KEY_FILE must exist and is never created', () => {
    const dir = tempDir();
    try {
      fails({ MDM_SECRETS_KEY_FILE: join(dir.path, 'typo.key') }, 'MDM_SECRETS_KEY_FILE', /does not exist/);
      const key = join(dir.path, 'k');
      writeFileSync(key, 'ab'.repeat(32));
      const c = loadConfig({ MDM_SECRETS_KEY_FILE: key });
      expect(c.secretsKeyFile).to.equal(key);
      expect(c.createSecretsKey).to.equal(false);
    } finally {
      dir.remove();
    }
  });

  it('hides secrets and connection passwords when described', () => {
    const c = loadConfig({ MDM_ADMIN_TOKEN: 'a-very-secret-admin-token', MDM_SCEP_CHALLENGE: 'open-sesame', MDM_READ_STORE: 'mongo', MONGODB_URL: 'mongodb://u:hunter2@h/mdm' });
    const text = JSON.stringify(describeConfig(c));
    for (const secret of ['a-very-secret-admin-token', 'open-sesame', 'hunter2']) expect(text).to.not.contain(secret);
    expect(redactUrl('mongodb://u:p@h:27017/db')).to.equal('mongodb://u:***@h:27017/db');
  });
});
