/**
 * Every environment variable the server reads, with its default and meaning. `mdm serve --help`
 * prints this table and docs/configuration.md mirrors it (a test keeps the two in step).
 */
export interface VariableDoc {
  readonly name: string;
  readonly default: string;
  readonly description: string;
  /** Its value is a secret: never printed, never logged. */
  readonly secret?: boolean;
  /** Validated at start-up, but no part of this version acts on it yet. */
  readonly reserved?: boolean;
}

export const VARIABLES: readonly VariableDoc[] = [
  { name: 'MDM_DATA_DIR', default: './data', description: 'Directory for the embedded stores, the CA, the TLS certificate and the secrets key.' },
  { name: 'MDM_CA_KEY_PASSPHRASE', default: '', description: 'Passphrase of the CA key: a new CA key is written encrypted with it, and an encrypted key needs it. The SCEP RA key and the push keys in the data directory are encrypted with it too.', secret: true },
  { name: 'MDM_ADMIN_HOST', default: '127.0.0.1', description: 'Address the admin listener binds to (0.0.0.0 to serve other hosts).' },
  { name: 'MDM_ADMIN_PORT', default: '8080', description: 'Admin HTTP(S) port: APIs, /healthz, /readyz, /metrics.' },
  { name: 'MDM_ADMIN_TLS_CERT_FILE', default: '', description: 'PEM certificate (chain) for the admin listener; with _KEY_FILE it serves HTTPS.' },
  { name: 'MDM_ADMIN_TLS_KEY_FILE', default: '', description: 'PEM private key for the admin listener.' },
  { name: 'MDM_ADMIN_TLS_CLIENT_CA_FILE', default: '', description: 'PEM CA(s) whose client certificates the admin listener accepts (gateways, mTLS).' },
  { name: 'MDM_DEVICE_HOST', default: '0.0.0.0', description: 'Address the device listener binds to.' },
  { name: 'MDM_DEVICE_PORT', default: '8443', description: 'Device HTTPS port: check-in, commands, enrollment, SCEP.' },
  { name: 'MDM_PUBLIC_URL', default: 'https://<hostname>:<device port>', description: 'Device-facing base URL, written into enrollment profiles; its host is added to the TLS certificate names.' },
  { name: 'MDM_HTTP_PORT', default: '', description: 'Port of an optional plain-HTTP listener (on MDM_DEVICE_HOST) that serves only SCEP (/scep) and the CRL (/crl): SCEP messages are signed and encrypted end to end, and a SCEP payload cannot pin the server certificate. Off when empty.' },
  { name: 'MDM_HTTP_PUBLIC_URL', default: 'http://<MDM_PUBLIC_URL host>:<MDM_HTTP_PORT>', description: 'Device-facing base URL of the plain-HTTP listener; when the listener is on, enrollment profiles name its /scep.' },
  { name: 'MDM_TLS_HOSTNAMES', default: '<hostname>,localhost,127.0.0.1,::1 and the MDM_PUBLIC_URL host', description: 'Comma-separated DNS names/IPs for the device TLS certificate issued by the MDM CA.' },
  { name: 'MDM_TLS_CERT_FILE', default: '', description: 'PEM certificate (chain) for the device listener instead of one issued by the MDM CA.' },
  { name: 'MDM_TLS_KEY_FILE', default: '', description: 'PEM private key for MDM_TLS_CERT_FILE.' },
  { name: 'MDM_APNS_URL', default: 'https://api.push.apple.com', description: 'APNs base URL. Change only to point at a local stand-in.' },
  { name: 'MDM_APNS_CA_FILE', default: '', description: 'PEM CA to trust for MDM_APNS_URL (a stand-in with its own CA).' },
  { name: 'MDM_PUSH_CERT_FILE', default: '', description: 'PEM MDM push certificate (APNs client certificate).' },
  { name: 'MDM_PUSH_KEY_FILE', default: '', description: 'PEM private key of the push certificate.' },
  { name: 'MDM_PUSH_P12_FILE', default: '', description: 'The push certificate and key as one PKCS#12 file, instead of MDM_PUSH_CERT_FILE/MDM_PUSH_KEY_FILE.' },
  { name: 'MDM_PUSH_P12_PASSWORD', default: '', description: 'Password of MDM_PUSH_P12_FILE.', secret: true },
  { name: 'MDM_TRUSTED_PROXY_CIDRS', default: '', description: 'Comma-separated CIDRs of TLS-terminating proxies allowed to forward client certificates (RFC 9440 Client-Cert).' },
  { name: 'MDM_SECRETS_KEY_FILE', default: '<data dir>/secrets.key', description: 'AES-256 key that seals secrets in events. Created 0600 on first start in embedded mode; required with MDM_EVENT_STORE=esdb.' },
  { name: 'MDM_SCEP_CHALLENGE', default: '', description: 'Static SCEP challenge password accepted at /scep (one-time challenges bound to enrollments come with enrollment tokens). Without it, SCEP issues nothing.', secret: true },
  { name: 'MDM_SELF_SERVICE_COMMANDS', default: 'DeviceLock,ClearPasscode', description: 'Commands a person may send to their own devices with a user token (comma-separated, from DeviceLock, ClearPasscode, EraseDevice; empty: none).' },
  { name: 'MDM_SELF_SERVICE_MAX_PER_HOUR', default: '5', description: 'At most this many self-service commands per user per hour (1-1000); more are answered 429.' },
  { name: 'MDM_ADMIN_TOKEN', default: '', description: 'Bootstrap admin bearer token for the admin API at /api/v1 (at least 16 characters); without it the first start writes an admin token to <data dir>/initial-admin-token.', secret: true },
  { name: 'MDM_EVENT_STORE', default: 'sqlite', description: 'Event store: sqlite (embedded, <data dir>/events.db) or esdb (EventStoreDB at ESDB_URL).' },
  { name: 'ESDB_URL', default: '', description: 'EventStoreDB connection string, e.g. esdb://localhost:2113?tls=false.' },
  { name: 'MDM_DURABILITY', default: 'process', description: 'Embedded store durability: process (survives kill -9) or power (fsync per commit, group commit).' },
  { name: 'MDM_READ_STORE', default: 'sqlite', description: 'Read-model store (inventory, compliance, command and audit history): sqlite (embedded, <data dir>/readmodels.db) or mongo (MongoDB at MONGODB_URL).' },
  { name: 'MONGODB_URL', default: '', description: 'MongoDB connection string for MDM_READ_STORE=mongo, e.g. mongodb://user:pass@db:27017/mdm (the database is the path, default mdm).' },
  { name: 'MDM_PROFILE_ORGANIZATION', default: 'MDM', description: 'Organization name shown in enrollment profiles.' },
  { name: 'MDM_PROFILE_SIGN_MESSAGE', default: 'true', description: 'Enrollment profiles ask devices to sign every request (Mdm-Signature): true or false (then devices authenticate with their TLS client certificate).' },
  { name: 'MDM_PROFILE_PIN_TLS', default: 'auto', description: 'Pin the device listener to the MDM CA in enrollment profiles: auto (when its certificate comes from the MDM CA), true or false (e.g. behind a TLS-terminating proxy with a public certificate).' },
  { name: 'MDM_PROFILE_IDENTITY', default: 'scep', description: 'How enrollment profiles give the device its identity: scep (the device makes its own key and enrolls it through SCEP with a one-time challenge) or pkcs12 (the server makes the key and certificate and puts them in the profile as a password-protected PKCS#12, for clients that cannot do SCEP; the server then has seen the key). Identity renewal always uses SCEP.' },
  { name: 'MDM_ENROLLMENT_QUARANTINE', default: 'false', description: 'true: every new enrollment waits for an admin (mdm enrollment approve|reject); until then the device gets no commands and no pushes.' },
  { name: 'MDM_ENROLLMENT_OTA', default: 'true', description: 'After signing in on the enrollment page (/enroll), devices get the over-the-air Profile Service payload (true) or the enrollment profile directly (false).' },
  { name: 'MDM_OTA_APPLE_CA_FILE', default: '', description: "PEM bundle of Apple's device CA: OTA answers must be signed by a device certificate that chains to it. Without it any signer is accepted (the one-time challenge still binds the device to the user)." },
  { name: 'MDM_LOGIN_MAX_FAILURES_PER_USER', default: '5', description: 'Failed sign-ins on the enrollment page per user name within MDM_LOGIN_FAILURE_WINDOW_MINUTES before further attempts are refused (429).' },
  { name: 'MDM_LOGIN_MAX_FAILURES_PER_ADDRESS', default: '20', description: 'Failed sign-ins on the enrollment page per client address (an IPv6 /64 counts as one) within the window before further attempts are refused (429).' },
  { name: 'MDM_LOGIN_FAILURE_WINDOW_MINUTES', default: '15', description: 'The window the sign-in failure limits count in.' },
  { name: 'MDM_RATE_LIMIT_ENROLLMENT_PER_MINUTE', default: '60', description: 'Requests to the enrollment routes (/enroll, /enroll/<token>, /ota/<id>) per client address (an IPv6 /64 counts as one) and minute on the device listener before further ones get 429 with Retry-After until the minute ends; 0 disables. Raise it when many devices enroll from behind one NAT address.' },
  { name: 'MDM_RATE_LIMIT_SCEP_PER_MINUTE', default: '120', description: 'SCEP PKIOperation requests (certificate signing) per client address and minute, on each listener that serves /scep, before further ones get 429 with Retry-After; 0 disables. GetCACaps and GetCACert are not limited.' },
  { name: 'MDM_RATE_LIMIT_ADMIN_AUTH_FAILURES_PER_MINUTE', default: '20', description: 'Admin API requests refused 401 (missing or invalid bearer token) per client address and minute; beyond it every admin API request from that address gets 429 with Retry-After, before its token is checked, until the minute ends; 0 disables.' },
  { name: 'MDM_MAX_REPORT_BYTES', default: '20971520', description: 'Largest command report a device may send (certificate and app lists are large); 413 beyond. Check-ins are limited to 64 KiB.' },
  { name: 'MDM_IDENTITY_RENEWAL_DAYS', default: '30', description: 'Renew device identity certificates that expire within this many days (the device gets its enrollment profile again, with a fresh SCEP challenge); 0 turns renewal off.' },
  { name: 'MDM_IDENTITY_RENEWAL_CHECK_MINUTES', default: '60', description: 'How often the certificate job looks for identities to renew and for released certificates still to revoke.' },
  { name: 'MDM_DEVICE_SEEN_INTERVAL_MINUTES', default: '240', description: 'A check-in records DeviceSeen at most once per this interval, so idle devices do not grow their streams.' },
  { name: 'MDM_AUTOMATION', default: 'true', description: 'Post-enrollment automation: true (inventory queries and the profiles and apps of the device\'s groups after enrollment or approval, group changes applied to members, inventory refresh) or false (only admins queue commands).' },
  { name: 'MDM_INVENTORY_REFRESH_HOURS', default: '24', description: 'Every enrolled, approved device is asked for its inventory again this often, at a time of its own within the interval; 0 disables.' },
  { name: 'MDM_AUDIT_KEY_FILE', default: '<data dir>/audit/checkpoint.key', description: 'HMAC-SHA256 key (64 hex characters) that signs audit checkpoints; keep it outside the event store. Created 0600 on first use in embedded mode; with MDM_EVENT_STORE=esdb checkpoints are only written when it is set (every server process needs the same key).' },
  { name: 'MDM_AUDIT_CHECKPOINT_SECONDS', default: '300', description: 'How often the server appends a signed checkpoint of the stream heads that changed (catches truncated or removed streams); 0 disables. At most 86400.' },
  { name: 'MDM_LOG_LEVEL', default: 'info', description: 'debug, info, warn or error.' },
  { name: 'MDM_SHUTDOWN_TIMEOUT_MS', default: '10000', description: 'How long a graceful shutdown waits for in-flight requests before closing connections.' },
];
