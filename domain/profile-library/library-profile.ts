import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/domain-error.js';

/**
 * One configuration profile in the library, content-addressed: stream
 * `library-profile-<sha256 of the uploaded bytes>`, so the same bytes uploaded twice are one profile.
 * The bytes live in the blob store (sealed: profiles carry Wi-Fi and VPN passwords); the events
 * hold only what the profile says about itself and the blob's reference.
 */
export interface LibraryProfileFacts {
  /** SHA-256 (hex) of the bytes as uploaded, signed or not. */
  readonly sha256: string;
  readonly blobId: string;
  readonly size: number;
  readonly payloadIdentifier: string;
  readonly payloadUuid: string;
  readonly displayName?: string;
  readonly organization?: string;
  /** How the uploaded bytes are encoded. */
  readonly format: 'xml' | 'binary';
  /** CMS-signed as uploaded (the signature is kept: devices show the profile as verified). */
  readonly signed: boolean;
  /** PayloadType of each payload in PayloadContent, e.g. com.apple.wifi.managed. */
  readonly payloadTypes: readonly string[];
}

export type LibraryProfileCommand =
  | { readonly type: 'UploadLibraryProfile'; readonly profile: LibraryProfileFacts; readonly by: string; readonly at: string }
  /** `assignedTo`: the groups that assign it now, as the application found them. */
  | { readonly type: 'RemoveLibraryProfile'; readonly sha256: string; readonly assignedTo: readonly string[]; readonly by: string; readonly at: string };

export type LibraryProfileUploaded = { readonly type: 'LibraryProfileUploaded'; readonly data: { readonly profile: LibraryProfileFacts; readonly uploadedBy: string; readonly uploadedAt: string } };
export type LibraryProfileRemoved = { readonly type: 'LibraryProfileRemoved'; readonly data: { readonly sha256: string; readonly payloadIdentifier: string; readonly removedBy: string; readonly removedAt: string } };
export type LibraryProfileEvent = LibraryProfileUploaded | LibraryProfileRemoved;

export interface LibraryProfileState {
  readonly profile?: LibraryProfileFacts;
  readonly uploadedAt?: string;
  readonly uploadedBy?: string;
  /** False before the first upload and after a removal. */
  readonly present: boolean;
}

export const libraryProfileStreamId = (sha256: string): string => `library-profile-${sha256}`;

/** Profiles are small; this keeps one well inside what the blob store holds. */
export const MAX_PROFILE_BYTES = 512 * 1024;
const SHA256 = /^[0-9a-f]{64}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;
const MAX_PAYLOADS = 256;

const text = (value: string | undefined, max = 255) => value === undefined || (value.length <= max && !CONTROL.test(value));

function checkFacts(p: LibraryProfileFacts): void {
  const problems = [
    !SHA256.test(p.sha256) && 'sha256 must be 64 hex digits',
    !(Number.isSafeInteger(p.size) && p.size > 0 && p.size <= MAX_PROFILE_BYTES) && `a profile is 1 to ${MAX_PROFILE_BYTES} bytes`,
    !(p.payloadIdentifier.length > 0 && text(p.payloadIdentifier)) && 'PayloadIdentifier must be 1-255 printable characters',
    !(p.payloadUuid.length > 0 && text(p.payloadUuid)) && 'PayloadUUID must be 1-255 printable characters',
    !text(p.displayName) && 'PayloadDisplayName must be up to 255 printable characters',
    !text(p.organization) && 'PayloadOrganization must be up to 255 printable characters',
    !(p.payloadTypes.length <= MAX_PAYLOADS && p.payloadTypes.every((t) => t.length > 0 && text(t))) && `up to ${MAX_PAYLOADS} payloads, each with a PayloadType`,
    p.blobId.length === 0 && 'the stored payload is missing',
  ].filter((x): x is string => typeof x === 'string');
  if (problems.length > 0) throw new DomainError('invalid-profile', problems.join('; '));
}

export const libraryProfileDecider: Decider<LibraryProfileCommand, LibraryProfileEvent, LibraryProfileState> = {
  initialState: () => ({ present: false }),
  decide: (c, s) => {
    switch (c.type) {
      case 'UploadLibraryProfile':
        checkFacts(c.profile);
        return s.present ? [] : [{ type: 'LibraryProfileUploaded', data: { profile: c.profile, uploadedBy: c.by, uploadedAt: c.at } }];
      case 'RemoveLibraryProfile':
        if (!s.present || !s.profile) throw new DomainError('unknown-profile', `no profile ${c.sha256.slice(0, 12)} in the library`);
        // Removing it from under a group would leave members with a profile nobody can reinstall.
        if (c.assignedTo.length > 0) throw new DomainError('profile-assigned', `profile ${c.sha256.slice(0, 12)} is assigned to ${c.assignedTo.join(', ')}; unassign it first`);
        return [{ type: 'LibraryProfileRemoved', data: { sha256: s.profile.sha256, payloadIdentifier: s.profile.payloadIdentifier, removedBy: c.by, removedAt: c.at } }];
    }
  },
  evolve: (s, e) => {
    switch (e.type) {
      case 'LibraryProfileUploaded':
        return { profile: e.data.profile, uploadedAt: e.data.uploadedAt, uploadedBy: e.data.uploadedBy, present: true };
      case 'LibraryProfileRemoved':
        return { ...s, present: false };
    }
  },
};
