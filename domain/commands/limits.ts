/** Bounds on admin input: generous for real use, small enough that no command bloats the stream. */
export const COMMAND_LIMITS = Object.freeze({
  /** Profile and app identifiers, names, UUIDs of payloads. */
  identifierLength: 255,
  /** Lock-screen message, organization address. */
  textLength: 1024,
  manifestUrlLength: 2048,
  /** Bundle identifiers in one list query. */
  identifiers: 1000,
  associatedDomains: 100,
  settingsItems: 32,
  /** Profiles, provisioning profiles, wallpapers, Return to Service profiles. */
  blobBytes: 16 * 1024 * 1024,
  /** A managed app configuration, as canonical JSON. */
  configurationBytes: 64 * 1024,
  configurationDepth: 16,
});
