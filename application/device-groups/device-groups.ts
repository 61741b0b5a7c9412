import { randomUUID } from 'node:crypto';
import { deviceGroupDecider, deviceGroupStreamId, type AssignedApp, type AssignedProfile, type DeviceGroupCommand, type DeviceGroupEvent, type DeviceGroupState } from '../../domain/device-group/device-group.js';
import { isGroupName } from '../../domain/device-group/group-names.js';
import { directoryDecider, directoryStreamId } from '../../domain/directory/directory.js';
import { fold } from '../../domain/shared/decider.js';
import { handleCommand } from '../command-handling.js';
import type { Clock } from '../ports/clock.js';
import type { Actor, EventStore } from '../ports/event-store.js';
import type { StateCache } from '../state-cache.js';

/** A group as admins read it. */
export interface DeviceGroupView {
  readonly name: string;
  readonly description: string;
  readonly quarantine: boolean;
  readonly createdAt: string;
  /** Sorted. */
  readonly members: readonly string[];
  readonly profiles: readonly AssignedProfile[];
  readonly apps: readonly AssignedApp[];
}

export interface WriteOptions {
  /** The revision the caller last read (If-Match). */
  readonly expectedRevision?: number;
}

type WithoutEnvelope<C> = C extends unknown ? Omit<C, 'type' | 'name' | 'by' | 'at'> : never;

const by = (actor: Actor) => `${actor.kind}:${actor.id}`;
const DIRECTORY = directoryStreamId('device-groups');

/**
 * Device groups: create and delete them, manage members and assignments, and answer the enrollment
 * flow's question whether a group holds its new devices for approval. Every change is an event on
 * the group's stream, so the CLI and a running server share them at once.
 */
export class DeviceGroups {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    /** Only for a long-lived process: group streams with many members are then read once. */
    private readonly cache?: StateCache<DeviceGroupState>,
  ) {}

  async create(name: string, options: { description?: string; quarantine?: boolean; commandId?: string }, actor: Actor): Promise<boolean> {
    const command = { type: 'CreateDeviceGroup', description: options.description ?? '', quarantine: options.quarantine ?? false } as const;
    // A refused create appends nothing, not even the directory entry.
    deviceGroupDecider.decide({ ...command, name, by: by(actor), at: this.clock.now().toISOString() }, await this.state(name));
    // Listed first (a no-op when listed): a crash in between leaves a listed name without a group,
    // which list() skips and a second create completes.
    await handleCommand(this.store, directoryDecider, DIRECTORY, { commandId: randomUUID(), command: { type: 'AddDirectoryEntry', key: name }, actor, occurredAt: this.clock.now().toISOString() });
    return this.run(name, command, actor, options.commandId);
  }

  /** `expectedRevision`: refused with a ConcurrencyError when the group changed since (If-Match). */
  delete(name: string, actor: Actor, options: WriteOptions = {}): Promise<boolean> {
    return this.run(name, { type: 'DeleteDeviceGroup' }, actor, undefined, options.expectedRevision);
  }

  setQuarantine(name: string, quarantine: boolean, actor: Actor, options: WriteOptions = {}): Promise<boolean> {
    return this.run(name, { type: 'SetDeviceGroupQuarantine', quarantine }, actor, undefined, options.expectedRevision);
  }

  /**
   * `commandId`: a caller that may repeat itself (the automation replaying an enrollment) passes
   * the same id each time; adding a member twice changes nothing anyway.
   */
  addDevice(name: string, udid: string, actor: Actor, options: { enrollmentId?: string; commandId?: string } & WriteOptions = {}): Promise<boolean> {
    return this.run(name, { type: 'AddDeviceToGroup', udid, ...(options.enrollmentId ? { enrollmentId: options.enrollmentId } : {}) }, actor, options.commandId, options.expectedRevision);
  }

  removeDevice(name: string, udid: string, actor: Actor, options: WriteOptions = {}): Promise<boolean> {
    return this.run(name, { type: 'RemoveDeviceFromGroup', udid }, actor, undefined, options.expectedRevision);
  }

  assignProfile(name: string, profile: AssignedProfile, actor: Actor, options: WriteOptions = {}): Promise<boolean> {
    return this.run(name, { type: 'AssignProfileToGroup', profile }, actor, undefined, options.expectedRevision);
  }

  unassignProfile(name: string, sha256: string, actor: Actor, options: WriteOptions = {}): Promise<boolean> {
    return this.run(name, { type: 'UnassignProfileFromGroup', sha256 }, actor, undefined, options.expectedRevision);
  }

  assignApp(name: string, app: AssignedApp, actor: Actor): Promise<boolean> {
    return this.run(name, { type: 'AssignAppToGroup', app }, actor);
  }

  unassignApp(name: string, bundleIdentifier: string, actor: Actor): Promise<boolean> {
    return this.run(name, { type: 'UnassignAppFromGroup', bundleIdentifier }, actor);
  }

  async get(name: string): Promise<DeviceGroupView | undefined> {
    return (await this.versioned(name))?.view;
  }

  /** The group and the revision of its stream (an ETag). */
  async versioned(name: string): Promise<{ view: DeviceGroupView; revision: number } | undefined> {
    if (!isGroupName(name)) return undefined;
    const { state, revision } = await this.load(name);
    return state.exists ? { view: view(name, state), revision } : undefined;
  }

  /** Every existing group, by name. */
  async list(): Promise<DeviceGroupView[]> {
    const names = [...fold(directoryDecider, (await this.store.readStream(DIRECTORY)).map((e) => ({ type: 'DirectoryEntryAdded' as const, data: e.data as { key: string } }))).keys].sort();
    const groups = await Promise.all(names.map((n) => this.get(n)));
    return groups.filter((g): g is DeviceGroupView => g !== undefined);
  }

  /**
   * Whether a device enrolling into `group` waits for an admin's approval. No group: no. A group
   * that does not exist (deleted since the token was made, or misspelt in a user directory): yes,
   * so that nobody enrolls unseen into a group that was meant to hold devices.
   */
  async quarantineRequired(group: string | undefined): Promise<boolean> {
    if (group === undefined || group === '') return false;
    if (!isGroupName(group)) return true;
    const state = await this.state(group);
    return !state.exists || state.quarantine;
  }

  async state(name: string): Promise<DeviceGroupState> {
    return (await this.load(name)).state;
  }

  private async load(name: string): Promise<{ state: DeviceGroupState; revision: number }> {
    const streamId = deviceGroupStreamId(name);
    const cached = this.cache?.get(streamId);
    const events = await this.store.readStream(streamId, cached ? { fromRevision: cached.revision + 1 } : {});
    const state = events.reduce((s, e) => deviceGroupDecider.evolve(s, { type: e.type, data: e.data } as DeviceGroupEvent), cached?.state ?? deviceGroupDecider.initialState());
    const revision = events.length > 0 ? events[events.length - 1]!.revision : (cached?.revision ?? -1);
    if (events.length > 0) this.cache?.set(streamId, { revision, state });
    return { state, revision };
  }

  /** True when something changed; DomainErrors (an unknown group, a member already gone…) propagate. */
  private async run(name: string, command: WithoutEnvelope<DeviceGroupCommand>, actor: Actor, commandId: string = randomUUID(), expectedRevision?: number): Promise<boolean> {
    const at = this.clock.now().toISOString();
    const full = { ...command, name, by: by(actor), at } as DeviceGroupCommand;
    const result = await handleCommand(this.store, deviceGroupDecider, deviceGroupStreamId(name), { commandId, command: full, actor, occurredAt: at }, {
      ...(this.cache ? { cache: this.cache } : {}),
      ...(expectedRevision !== undefined ? { expectedRevision } : {}),
    });
    return result.events.length > 0 && !result.replayed;
  }
}

function view(name: string, s: DeviceGroupState): DeviceGroupView {
  return { name, description: s.description, quarantine: s.quarantine, createdAt: s.createdAt ?? '', members: [...s.members].sort(), profiles: s.profiles, apps: s.apps };
}
