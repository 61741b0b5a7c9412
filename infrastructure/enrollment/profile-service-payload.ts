import { randomUUID } from 'node:crypto';
import type { PlistInput } from '../plist/plist-value.js';
import { REQUESTED_DEVICE_ATTRIBUTES } from './ota/device-answer-content.js';
import { profileIdentifier } from './enrollment-profile.js';

export interface ProfileServiceInputs {
  /** MDM_PUBLIC_URL. */
  readonly publicUrl: string;
  readonly enrollmentId: string;
  /** The one-time challenge that ties the device's answer to the user who signed in. */
  readonly challenge: string;
  readonly organization: string;
}

/** Where a device answers the profile service: one URL per enrollment. */
export const profileServiceUrl = (publicUrl: string, enrollmentId: string): string => `${publicUrl.replace(/\/+$/, '')}/ota/${enrollmentId}`;

/**
 * OTA phase 1: the Profile Service payload. Installing it makes the device POST the attributes
 * asked for, with the challenge, signed by its own (Apple-issued) certificate, to `URL`.
 */
export function buildProfileServicePayload(i: ProfileServiceInputs): Record<string, PlistInput> {
  return {
    PayloadType: 'Profile Service', PayloadVersion: 1, PayloadIdentifier: `${profileIdentifier(i.publicUrl)}.profile-service`, PayloadUUID: randomUUID().toUpperCase(),
    PayloadDisplayName: `${i.organization} device enrollment`, PayloadOrganization: i.organization,
    PayloadDescription: 'Identifies this device to enroll it in device management.',
    PayloadContent: { URL: profileServiceUrl(i.publicUrl, i.enrollmentId), Challenge: i.challenge, DeviceAttributes: [...REQUESTED_DEVICE_ATTRIBUTES] },
  };
}
