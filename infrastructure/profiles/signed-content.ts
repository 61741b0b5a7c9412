import { children, parseDer } from '../pki/der.js';
import { CmsFormatError, octets, parseSignedData } from '../http/device/identity/cms-signed-data.js';

/**
 * The profile inside a CMS SignedData (RFC 5652 §5.2: EncapsulatedContentInfo.eContent). The
 * signature is not checked here: the bytes are kept exactly as uploaded and the device verifies
 * them when it installs the profile.
 */
export function signedContent(der: Buffer): Buffer {
  const signed = parseSignedData(der);
  if (signed.detached) throw new CmsFormatError('the signature is detached: it does not carry the profile');
  try {
    const signedData = children(children(children(parseDer(der))[1]!)[0]!);
    const encapsulated = children(signedData[2]!);
    return octets(children(encapsulated[1]!)[0], 'eContent');
  } catch (error) {
    if (error instanceof CmsFormatError) throw error;
    throw new CmsFormatError('the signed content cannot be read');
  }
}
