import type { ConfigurationProfileReader, ConfigurationProfileSummary } from '../../application/ports/configuration-profile-reader.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { asArray, asDict, getOptionalString, getString, parsePlist, PlistParseError, PlistShapeError, type PlistDict } from '../plist/index.js';
import { CmsFormatError } from '../http/device/identity/cms-signed-data.js';
import { signedContent } from './signed-content.js';

const BINARY_PLIST = Buffer.from('bplist', 'latin1');
/** A DER/BER SEQUENCE: a CMS ContentInfo, never the first byte of a property list. */
const ASN1_SEQUENCE = 0x30;
// A profile is a few dozen payloads; a hostile upload must not cost more than a legitimate one.
const LIMITS = { maxDepth: 32, maxNodes: 50_000 };

const refuse = (message: string): never => {
  throw new DomainError('invalid-profile', message);
};

/** .mobileconfig files: XML or binary property lists, as they are or CMS-signed. */
export const configurationProfileReader: ConfigurationProfileReader = {
  read(bytes: Buffer): ConfigurationProfileSummary {
    let content = bytes;
    let signed = false;
    if (bytes[0] === ASN1_SEQUENCE) {
      try {
        content = signedContent(bytes);
        signed = true;
      } catch (error) {
        if (error instanceof CmsFormatError) refuse(`not a readable signed profile: ${error.message}`);
        refuse('not a readable signed profile');
      }
    }
    let root: PlistDict;
    try {
      root = asDict(parsePlist(content, LIMITS), 'the profile');
    } catch (error) {
      if (error instanceof PlistParseError || error instanceof PlistShapeError) return refuse(`not a property list: ${error.message}`);
      throw error;
    }
    try {
      const payloadTypes = root['PayloadContent'] === undefined ? [] : asArray(root['PayloadContent'], 'PayloadContent').map((p, i) => getString(asDict(p, `PayloadContent[${i}]`), 'PayloadType'));
      const displayName = getOptionalString(root, 'PayloadDisplayName');
      const organization = getOptionalString(root, 'PayloadOrganization');
      return {
        payloadType: getString(root, 'PayloadType'),
        payloadIdentifier: getString(root, 'PayloadIdentifier'),
        payloadUuid: getString(root, 'PayloadUUID'),
        ...(displayName !== undefined ? { displayName } : {}),
        ...(organization !== undefined ? { organization } : {}),
        format: content.subarray(0, BINARY_PLIST.length).equals(BINARY_PLIST) ? 'binary' : 'xml',
        signed,
        payloadTypes,
      };
    } catch (error) {
      if (error instanceof PlistShapeError) return refuse(error.message);
      throw error;
    }
  },
};
