import { buildXmlPlist } from '../plist/index.js';
import { buildEnrollmentProfile, type EnrollmentProfileInputs } from './enrollment-profile.js';
import { signProfile } from './sign-profile.js';

export interface RenewalProfileDeps {
  /** What every enrollment profile shares; undefined when no push certificate is configured (no Topic). */
  readonly profileBase: () => Omit<EnrollmentProfileInputs, 'challenge' | 'enrollmentId'> | undefined;
  readonly signer?: { readonly certPem: string; readonly keyPem: string; readonly chainPem?: readonly string[] };
}

/**
 * The enrollment profile regenerated for an enrolled device: the same payload identifiers as at
 * enrollment, so installing it replaces the profile in place, with a renewal challenge that
 * authorizes `CN=<UDID>`. Signed like the enrollment profile when the server has a signing identity.
 * Undefined when no profile can be built.
 */
export function renewalProfileBuilder(deps: RenewalProfileDeps): ((udid: string, challenge: string) => Buffer) | undefined {
  if (!deps.profileBase()) return undefined;
  return (udid, challenge) => {
    const base = deps.profileBase();
    if (!base) throw new Error('no push certificate: the renewal profile has no Topic');
    const xml = Buffer.from(buildXmlPlist(buildEnrollmentProfile({ ...base, challenge, enrollmentId: udid })));
    return deps.signer ? signProfile(xml, deps.signer.certPem, deps.signer.keyPem, deps.signer.chainPem ?? []) : xml;
  };
}
