/**
 * Reads what a configuration profile says about itself (.mobileconfig: an XML or binary property
 * list, possibly CMS-signed). Parsing formats is infrastructure; the library only needs the facts.
 */
export interface ConfigurationProfileSummary {
  readonly payloadType: string;
  readonly payloadIdentifier: string;
  readonly payloadUuid: string;
  readonly displayName?: string;
  readonly organization?: string;
  readonly format: 'xml' | 'binary';
  readonly signed: boolean;
  readonly payloadTypes: readonly string[];
}

export interface ConfigurationProfileReader {
  /** Throws DomainError('invalid-profile') for anything that is not a readable profile. */
  read(bytes: Buffer): ConfigurationProfileSummary;
}

export const CONFIGURATION_PROFILE_READER = Symbol.for('mdm.ConfigurationProfileReader');
