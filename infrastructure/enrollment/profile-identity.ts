import type { EnrollmentProfileInputs } from './enrollment-profile.js';

/**
 * What an enrollment profile's identity payload needs beyond the shared inputs, for one
 * enrollment and its one-time SCEP challenge (MDM_PROFILE_IDENTITY). Serving a profile calls it
 * once, after the enrollment started and before the profile is built.
 */
export type ProfileIdentity = (enrollmentId: string, challenge: string) => Promise<Partial<EnrollmentProfileInputs>>;

/** The default: the SCEP payload asks the device to make its own key with the challenge. */
export const scepProfileIdentity: ProfileIdentity = () => Promise.resolve({});
