import { deviceDecider, deviceStreamId, type DeviceEvent, type DeviceState } from '../../domain/device/device.js';
import type { JsonValue } from '../../domain/shared/json.js';
import type { EventStore, RecordedEvent, StreamRevision } from '../ports/event-store.js';

export interface DeviceStateAt {
  /** The time asked about (ISO-8601). */
  readonly asOf: string;
  /** Revision of the last event folded. */
  readonly revision: StreamRevision;
  /** How many events were folded. */
  readonly events: number;
  /** The aggregate's state then, JSON-safe, without any secret (not even sealed). */
  readonly state: { readonly [key: string]: JsonValue };
}

const PAGE = 500;

/** When the event happened: as the application stated it, else when the store recorded it. */
const occurredAt = (event: RecordedEvent): number => {
  const stated = typeof event.metadata.occurredAt === 'string' ? Date.parse(event.metadata.occurredAt) : NaN;
  return Number.isNaN(stated) ? Date.parse(event.recordedAt) : stated;
};

/**
 * The device as it stood at `at`: its stream's events up to the first one that occurred after
 * `at`, folded as the server folds them. A state is a fold of a prefix of its stream, so an event
 * stamped out of order ends the prefix rather than being applied without those before it.
 * Undefined when the device had no event by then.
 */
export async function deviceStateAt(store: EventStore, udid: string, at: Date): Promise<DeviceStateAt | undefined> {
  const limit = at.getTime();
  if (Number.isNaN(limit)) throw new RangeError('deviceStateAt needs a valid time');
  let state = deviceDecider.initialState();
  let folded = 0;
  let revision: StreamRevision = -1;
  for (let from = 0; ; from += PAGE) {
    const page = await store.readStream(deviceStreamId(udid), { fromRevision: from, maxCount: PAGE });
    for (const event of page) {
      if (occurredAt(event) > limit) return result();
      state = deviceDecider.evolve(state, { type: event.type, data: event.data } as DeviceEvent);
      folded++;
      revision = event.revision;
    }
    if (page.length < PAGE) return result();
  }

  function result(): DeviceStateAt | undefined {
    return folded === 0 ? undefined : { asOf: at.toISOString(), revision, events: folded, state: deviceStateView(state) };
  }
}

const SEALED = /^sb1\.[0-9a-f]{8}\./;

/**
 * The state for an auditor's eyes: the unlock token is dropped (only whether there is one is told),
 * the push token and PushMagic (with which anyone holding the push certificate could wake the
 * device) keep only their topic, and any other sealed value (a command's sealed PIN, say) is
 * replaced by "[sealed]".
 */
export function deviceStateView(state: DeviceState): { readonly [key: string]: JsonValue } {
  const { unlockToken, push, ...rest } = state;
  return {
    ...(withoutSecrets(rest) as { [key: string]: JsonValue }),
    ...(push ? { push: { topic: push.topic, hasPushToken: true } } : {}),
    hasUnlockToken: unlockToken !== undefined,
  };
}

function withoutSecrets(value: unknown): JsonValue {
  if (typeof value === 'string') return SEALED.test(value) ? '[sealed]' : value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean' || value === null || value === undefined) return value ?? null;
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record['sealed'] === 'string') return '[sealed]';
    const out: { [key: string]: JsonValue } = {};
    for (const [key, v] of Object.entries(record)) if (v !== undefined) out[key] = withoutSecrets(v);
    return out;
  }
  return null;
}
