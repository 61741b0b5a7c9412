import { createHash, randomUUID } from 'node:crypto';
import type { AssignedProfile } from '../../domain/device-group/assignments.js';
import { directoryDecider, directoryStreamId } from '../../domain/directory/directory.js';
import { libraryProfileDecider, libraryProfileStreamId, MAX_PROFILE_BYTES, type LibraryProfileEvent, type LibraryProfileFacts, type LibraryProfileState } from '../../domain/profile-library/library-profile.js';
import { fold } from '../../domain/shared/decider.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { handleCommand } from '../command-handling.js';
import type { DeviceGroups } from '../device-groups/device-groups.js';
import { BlobTooLargeError, type BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { ConfigurationProfileReader } from '../ports/configuration-profile-reader.js';
import type { Actor, EventStore } from '../ports/event-store.js';

export interface LibraryProfileView extends LibraryProfileFacts {
  readonly uploadedAt: string;
  readonly uploadedBy: string;
}

const DIRECTORY = directoryStreamId('library-profiles');
const SHA256_PREFIX = /^[0-9a-f]{6,64}$/;
const by = (actor: Actor) => `${actor.kind}:${actor.id}`;

/** What a group records when it assigns a library profile. */
export const assignedProfileOf = (p: LibraryProfileFacts): AssignedProfile => ({
  sha256: p.sha256, blobId: p.blobId, size: p.size, payloadIdentifier: p.payloadIdentifier, ...(p.displayName ? { displayName: p.displayName } : {}),
});

/**
 * The profile library: uploaded configuration profiles, validated, stored once by content and
 * referred to by their SHA-256 (or a unique prefix of it, as people type them).
 */
export class ProfileLibrary {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly blobs: BlobStore,
    private readonly reader: ConfigurationProfileReader,
    private readonly groups: DeviceGroups,
  ) {}

  /** `created` is false when these very bytes were already in the library. */
  async upload(bytes: Buffer, actor: Actor): Promise<{ profile: LibraryProfileView; created: boolean }> {
    if (bytes.length === 0 || bytes.length > MAX_PROFILE_BYTES) throw new DomainError('invalid-profile', `a profile is 1 to ${MAX_PROFILE_BYTES} bytes (this one has ${bytes.length})`);
    const summary = this.reader.read(bytes);
    if (summary.payloadType !== 'Configuration') throw new DomainError('invalid-profile', `the top-level PayloadType must be Configuration, not ${JSON.stringify(summary.payloadType.slice(0, 64))}`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const facts: LibraryProfileFacts = {
      sha256, blobId: sha256, size: bytes.length, payloadIdentifier: summary.payloadIdentifier, payloadUuid: summary.payloadUuid,
      ...(summary.displayName !== undefined ? { displayName: summary.displayName } : {}),
      ...(summary.organization !== undefined ? { organization: summary.organization } : {}),
      format: summary.format, signed: summary.signed, payloadTypes: summary.payloadTypes,
    };
    const at = this.clock.now().toISOString();
    // A profile the library refuses leaves nothing behind: neither its bytes nor a directory entry.
    libraryProfileDecider.decide({ type: 'UploadLibraryProfile', profile: facts, by: by(actor), at }, libraryProfileDecider.initialState());
    const stored = await this.blobs.put(bytes, 'application/x-apple-aspen-config').catch((error: unknown) => {
      if (error instanceof BlobTooLargeError) throw new DomainError('invalid-profile', error.message);
      throw error;
    });
    await handleCommand(this.store, directoryDecider, DIRECTORY, { commandId: randomUUID(), command: { type: 'AddDirectoryEntry', key: sha256 }, actor, occurredAt: at });
    const result = await handleCommand(this.store, libraryProfileDecider, libraryProfileStreamId(sha256), { commandId: randomUUID(), command: { type: 'UploadLibraryProfile', profile: { ...facts, blobId: stored.blobId }, by: by(actor), at }, actor, occurredAt: at });
    return { profile: viewOf(result.state)!, created: result.events.length > 0 };
  }

  /** Every profile in the library, newest first. */
  async list(): Promise<LibraryProfileView[]> {
    const keys = [...fold(directoryDecider, (await this.store.readStream(DIRECTORY)).map((e) => ({ type: 'DirectoryEntryAdded' as const, data: e.data as { key: string } }))).keys];
    const profiles = await Promise.all(keys.map(async (k) => viewOf(await this.state(k))));
    return profiles.filter((p): p is LibraryProfileView => p !== undefined).sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt) || a.sha256.localeCompare(b.sha256));
  }

  /** The profile whose SHA-256 is or starts with `reference` (at least 6 hex digits, unambiguous). */
  async resolve(reference: string): Promise<LibraryProfileView> {
    const ref = reference.toLowerCase();
    if (!SHA256_PREFIX.test(ref)) throw new DomainError('invalid-reference', 'name a profile by its SHA-256 or the first 6 or more hex digits of it');
    if (ref.length === 64) {
      const profile = viewOf(await this.state(ref));
      if (!profile) throw new DomainError('unknown-profile', `no profile ${ref.slice(0, 12)} in the library`);
      return profile;
    }
    const matches = (await this.list()).filter((p) => p.sha256.startsWith(ref));
    if (matches.length === 0) throw new DomainError('unknown-profile', `no profile ${ref} in the library`);
    if (matches.length > 1) throw new DomainError('ambiguous-reference', `${ref} names ${matches.length} profiles; give more digits`);
    return matches[0]!;
  }

  /** Refused while a group assigns it: unassign it first. */
  async remove(reference: string, actor: Actor): Promise<LibraryProfileView> {
    const profile = await this.resolve(reference);
    const assignedTo = await this.assignedTo(profile.sha256);
    const at = this.clock.now().toISOString();
    await handleCommand(this.store, libraryProfileDecider, libraryProfileStreamId(profile.sha256), { commandId: randomUUID(), command: { type: 'RemoveLibraryProfile', sha256: profile.sha256, assignedTo, by: by(actor), at }, actor, occurredAt: at });
    return profile;
  }

  /** Groups that assign the profile now. */
  async assignedTo(sha256: string): Promise<string[]> {
    return (await this.groups.list()).filter((g) => g.profiles.some((p) => p.sha256 === sha256)).map((g) => g.name);
  }

  private async state(sha256: string): Promise<LibraryProfileState> {
    const events = await this.store.readStream(libraryProfileStreamId(sha256));
    return fold(libraryProfileDecider, events.map((e) => ({ type: e.type, data: e.data }) as LibraryProfileEvent));
  }
}

function viewOf(s: LibraryProfileState): LibraryProfileView | undefined {
  return s.present && s.profile ? { ...s.profile, uploadedAt: s.uploadedAt ?? '', uploadedBy: s.uploadedBy ?? '' } : undefined;
}
