import type { Response } from 'express';
import { signProfile } from '../../../enrollment/sign-profile.js';
import { buildXmlPlist } from '../../../plist/index.js';
import type { PlistInput } from '../../../plist/plist-value.js';

export const PROFILE_TYPE = 'application/x-apple-aspen-config';

export interface ProfileSigningIdentity {
  readonly certPem: string;
  readonly keyPem: string;
  readonly chainPem?: readonly string[];
}

/** The profile's bytes: CMS-signed by the server when it has a signing identity, plain otherwise. */
export function profileBytes(profile: Record<string, PlistInput>, signer: ProfileSigningIdentity | undefined): { body: Buffer; signed: boolean } {
  const xml = Buffer.from(buildXmlPlist(profile), 'utf8');
  return signer ? { body: signProfile(xml, signer.certPem, signer.keyPem, signer.chainPem ?? []), signed: true } : { body: xml, signed: false };
}

export function sendProfile(res: Response, body: Buffer, filename: string): void {
  res.status(200).type(PROFILE_TYPE).setHeader('cache-control', 'no-store');
  res.setHeader('content-disposition', `attachment; filename="${filename}"`);
  res.send(body);
}
