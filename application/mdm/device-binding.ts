import { deviceDecider, deviceStreamId, type DeviceEvent, type DeviceState } from '../../domain/device/device.js';
import type { EventStore } from '../ports/event-store.js';
import type { StateCache } from '../state-cache.js';
import type { DeviceAnswer, PresentedIdentity } from './messages.js';

/** A device's current state, starting from the cache and reading only what is newer. */
export async function loadDeviceState(store: EventStore, cache: StateCache<DeviceState>, udid: string): Promise<DeviceState> {
  const streamId = deviceStreamId(udid);
  const cached = cache.get(streamId);
  const events = await store.readStream(streamId, cached ? { fromRevision: cached.revision + 1 } : {});
  const state = events.reduce((s, e) => deviceDecider.evolve(s, { type: e.type, data: e.data } as DeviceEvent), cached?.state ?? deviceDecider.initialState());
  const revision = events.length > 0 ? events[events.length - 1]!.revision : (cached?.revision ?? -1);
  if (revision >= 0) cache.set(streamId, { revision, state });
  return state;
}

/**
 * Every message after Authenticate must come with the certificate bound to its UDID at the last
 * Authenticate: a refusal otherwise (answered 403, never 401).
 */
export function checkBinding(state: DeviceState, identity: PresentedIdentity): DeviceAnswer | undefined {
  if (state.status === 'unknown') return { kind: 'refused', reason: 'unknown-device' };
  if (state.certificateHash !== identity.certificateHash) return { kind: 'refused', reason: 'udid-mismatch' };
  return undefined;
}

/** A device an admin asked to leave is told so on every request but its CheckOut. */
export function unenrollmentAnswer(state: DeviceState): DeviceAnswer | undefined {
  return state.unenrollmentRequestedAt !== undefined && state.status !== 'checked-out' ? { kind: 'unenroll' } : undefined;
}
