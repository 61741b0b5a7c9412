import { createHash } from 'node:crypto';
import { QueryResults } from '../../application/mdm/query-results.js';
import type { EventStore, NewEvent } from '../../application/ports/event-store.js';
import type { DeviceCommand, DeviceEvent, DeviceState } from '../../domain/device/device.js';
import { deviceDecider, deviceStreamId } from '../../domain/device/device.js';
import type { JsonObject } from '../../domain/shared/json.js';

/**
 * A fleet's event history made by the device decider itself (the same decide/evolve the server
 * runs), so every event has the shape the server writes: enrollment, the five inventory queries and
 * their reports, profile installs, NotNow deferrals, errors, OS updates and check-ins over days.
 * Deterministic for a given seed.
 */

const MODELS = [
  { model: 'iPhone15,2', modelName: 'iPhone', productName: 'iPhone15,2', capacity: 128 },
  { model: 'iPhone16,1', modelName: 'iPhone', productName: 'iPhone16,1', capacity: 256 },
  { model: 'iPhone14,7', modelName: 'iPhone', productName: 'iPhone14,7', capacity: 64 },
  { model: 'iPad13,18', modelName: 'iPad', productName: 'iPad13,18', capacity: 256 },
  { model: 'iPad14,3', modelName: 'iPad', productName: 'iPad14,3', capacity: 512 },
] as const;
const OS = [['16.7.8', '20H343'], ['17.5.1', '21F90'], ['17.6.1', '21G93'], ['18.1', '22B83'], ['18.2', '22C152']] as const;
const CARRIERS = ['Telekom', 'Vodafone', 'O2', 'Orange', undefined] as const;
const APP_POOL = Array.from({ length: 200 }, (_, i) => ({ id: `com.vendor${i % 37}.app${i}`, name: `App ${i}`, size: 10_000_000 + i * 131_071 }));
const PROFILE_POOL = Array.from({ length: 20 }, (_, i) => ({ id: `com.example.profile.${i}`, uuid: `5F0C0B5A-0000-4000-8000-${String(i).padStart(12, '0')}`, name: `Policy ${i}` }));

/** Small, fast, seedable PRNG (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const syntheticUdid = (index: number): string => `00008110-${index.toString(16).toUpperCase().padStart(16, '0')}`;

const uuidFrom = (text: string): string => {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
};

const results = new QueryResults();

/**
 * When a fleet is written round by round (every device appends `perRound` decisions per round),
 * each decision's time follows that order: round after round, device after device, as a live
 * fleet's events are recorded (time-ordered indexes then grow at their end, as in production).
 */
export interface FleetSchedule {
  readonly devices: number;
  readonly perRound: number;
  readonly roundMs: number;
}

/** One device's history: a list of appends (each one decision's events), oldest first. */
export function deviceHistory(index: number, options: { events: number; start: Date; seed?: number; schedule?: FleetSchedule }): NewEvent[][] {
  const rnd = random((options.seed ?? 1) * 1_000_003 + index);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const udid = syntheticUdid(index);
  const hw = pick(MODELS);
  let os = OS[Math.floor(rnd() * (OS.length - 1))]!;
  const passcode = rnd() > 0.1;
  const carrier = hw.modelName === 'iPhone' ? pick(CARRIERS) : undefined;
  const apps = APP_POOL.filter(() => rnd() < 0.25);
  let profiles = PROFILE_POOL.filter(() => rnd() < 0.2);
  let state: DeviceState = deviceDecider.initialState();
  let clock = options.schedule ? 0 : options.start.getTime() + Math.floor(rnd() * 3_600_000);
  let commandCount = 0;
  let events = 0;
  const out: NewEvent[][] = [];
  const schedule = options.schedule;
  const at = (stepMs: number) => {
    if (!schedule) return new Date((clock += stepMs)).toISOString();
    // The decision's slot in the fleet's order; steps within a slot stay in order, a second apart.
    const decision = out.length;
    const slot = options.start.getTime() + Math.floor(decision / schedule.perRound) * schedule.roundMs + Math.floor(((index + (decision % schedule.perRound) / schedule.perRound) / schedule.devices) * schedule.roundMs * 0.9);
    clock = Math.max(clock + 1_000, slot);
    return new Date(clock).toISOString();
  };

  const run = (command: DeviceCommand): DeviceEvent[] => {
    const produced = deviceDecider.decide(command, state);
    for (const e of produced) state = deviceDecider.evolve(state, e);
    if (produced.length > 0) {
      const time = (command as { at: string }).at;
      out.push(produced.map((e, i) => ({ eventId: uuidFrom(`${udid}/${events + i}`), type: e.type, data: e.data, metadata: { actor: { kind: 'device', id: udid }, occurredAt: time, correlationId: uuidFrom(`${udid}/c/${events}`) } })));
      events += produced.length;
    }
    return produced;
  };
  const seen = { seenIntervalMs: 4 * 3_600_000 };

  const report = (requestType: string): JsonObject => {
    switch (requestType) {
      case 'DeviceInformation':
        return { QueryResponses: {
          UDID: udid, DeviceName: `${hw.modelName} ${index}`, OSVersion: os[0], BuildVersion: os[1], Model: hw.model, ModelName: hw.modelName, ProductName: hw.productName,
          SerialNumber: `F${index.toString(36).toUpperCase().padStart(10, '0')}`, DeviceCapacity: hw.capacity, AvailableDeviceCapacity: Math.round(hw.capacity * rnd() * 100) / 100,
          BatteryLevel: Math.round(rnd() * 100) / 100, WiFiMAC: `f0:18:98:${(index >> 16) & 255}:${(index >> 8) & 255}:${index & 255}`, BluetoothMAC: `f0:18:98:aa:${(index >> 8) & 255}:${index & 255}`, IsSupervised: index % 3 === 0,
          ...(carrier ? { IMEI: `35 ${String(index).padStart(12, '0')}`, ICCID: `8949 ${String(index).padStart(15, '0')}`, CurrentCarrierNetwork: carrier, SubscriberCarrierNetwork: carrier, PhoneNumber: `+49151${String(index).padStart(8, '0')}`, DataRoamingEnabled: index % 7 === 0, VoiceRoamingEnabled: true } : {}),
        } };
      case 'SecurityInfo':
        return { SecurityInfo: { HardwareEncryptionCaps: passcode ? 3 : 1, PasscodePresent: passcode, PasscodeCompliant: passcode, PasscodeCompliantWithProfiles: passcode } };
      case 'ProfileList':
        return { ProfileList: profiles.map((p) => ({ PayloadIdentifier: p.id, PayloadUUID: p.uuid, PayloadDisplayName: p.name, PayloadOrganization: 'Example', PayloadVersion: 1, IsManaged: true })) };
      case 'InstalledApplicationList':
        return { InstalledApplicationList: apps.map((a) => ({ Identifier: a.id, Name: a.name, Version: '1.0', ShortVersion: '1.0', BundleSize: a.size })) };
      case 'CertificateList':
        return { CertificateList: [] };
      default:
        return {};
    }
  };

  const command = (requestType: string, request: JsonObject, outcome: 'ack' | 'notnow' | 'error') => {
    const commandUuid = uuidFrom(`${udid}/cmd/${commandCount++}`);
    run({ type: 'QueueCommand', udid, commandUuid, request: { requestType, ...request }, priority: 50, expiresAt: new Date(clock + 30 * 86_400_000).toISOString(), queuedBy: 'system:automation', at: at(1_000) });
    run({ type: 'RequestNextCommand', udid, at: at(5_000), ...seen });
    if (outcome === 'notnow') {
      run({ type: 'RecordReport', udid, commandUuid, status: 'NotNow', at: at(2_000), ...seen });
      run({ type: 'RequestNextCommand', udid, at: at(600_000), ...seen });
    }
    if (outcome === 'error') {
      run({ type: 'RecordReport', udid, commandUuid, status: 'Error', errorChain: [{ errorCode: 12_021, errorDomain: 'MCProfileErrorDomain', localizedDescription: 'The profile could not be installed.' }], at: at(2_000), ...seen });
      return;
    }
    const result = results.interpret(requestType, report(requestType));
    run({ type: 'RecordReport', udid, commandUuid, status: 'Acknowledged', ...(result ? { result } : {}), at: at(2_000), ...seen });
  };

  run({ type: 'StartEnrollment', udid, topic: 'com.apple.mgmt.External.bench', certificateHash: createHash('sha256').update(udid).digest('hex'), facts: { serialNumber: `F${index.toString(36).toUpperCase().padStart(10, '0')}`, model: hw.model, modelName: hw.modelName, productName: hw.productName, osVersion: os[0], buildVersion: os[1] }, enrollment: { enrollmentId: uuidFrom(`${udid}/enrollment`), user: `user${index % 5000}`, group: `site-${index % 12}` }, at: at(0) });
  run({ type: 'RecordTokenUpdate', udid, topic: 'com.apple.mgmt.External.bench', pushToken: createHash('sha256').update(`${udid}/push`).digest('hex'), pushMagic: uuidFrom(`${udid}/magic`), at: at(3_000) });
  for (const q of ['DeviceInformation', 'SecurityInfo', 'ProfileList', 'InstalledApplicationList', 'CertificateList']) command(q, {}, 'ack');

  while (events < options.events) {
    const r = rnd();
    if (r < 0.35) {
      // A day passes: the device checks in (DeviceSeen at most every few hours).
      run({ type: 'RequestNextCommand', udid, at: at(86_400_000 * (0.3 + rnd())), ...seen });
    } else if (r < 0.55) {
      const profile = pick(PROFILE_POOL);
      command('InstallProfile', { payload: { blobId: profile.uuid, sha256: createHash('sha256').update(profile.id).digest('hex'), size: 4_096 } }, rnd() < 0.08 ? 'error' : rnd() < 0.1 ? 'notnow' : 'ack');
      if (!profiles.includes(profile)) profiles = [...profiles, profile];
    } else if (r < 0.7) {
      command('ProfileList', {}, 'ack');
    } else if (r < 0.8) {
      if (rnd() < 0.3) os = OS[Math.min(OS.indexOf(os) + 1, OS.length - 1)]!;
      command('DeviceInformation', {}, 'ack');
    } else if (r < 0.9) {
      command('SecurityInfo', {}, 'ack');
    } else {
      command(pick(['DeviceLock', 'InstalledApplicationList', 'CertificateList']), {}, 'ack');
    }
  }
  return out;
}

const PER_ROUND = 4;

/**
 * Writes `devices` histories into the store, interleaved the way a live fleet's are (every device
 * advances a few appends per round). Returns the number of events written.
 */
export async function writeSyntheticFleet(
  store: EventStore,
  options: {
    devices: number;
    eventsPerDevice: number;
    start?: Date;
    seed?: number;
    /**
     * Times follow the order of appends, as in a live fleet (the benchmark). Otherwise each device
     * keeps a timeline of its own over weeks, which spreads last-seen times (tests of time filters).
     */
    timeOrdered?: boolean;
    onProgress?: (events: number) => void;
  },
): Promise<number> {
  const start = options.start ?? new Date('2026-01-05T08:00:00Z');
  const histories: NewEvent[][][] = [];
  // Twelve hours per round: devices check in a few times a day, and the fleet's days pass in order.
  const schedule: FleetSchedule | undefined = options.timeOrdered ? { devices: options.devices, perRound: PER_ROUND, roundMs: 12 * 3_600_000 } : undefined;
  for (let i = 0; i < options.devices; i++) histories.push(deviceHistory(i, { events: options.eventsPerDevice, start, ...(schedule ? { schedule } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}) }));
  const revisions = new Array<number>(options.devices).fill(-1);
  const cursor = new Array<number>(options.devices).fill(0);
  let written = 0;
  let lastReport = 0;
  for (let round = 0; ; round++) {
    let progressed = false;
    // Devices are independent: several appends in flight let the store commit them together.
    const appendNext = async (i: number): Promise<void> => {
      const history = histories[i]!;
      if (cursor[i]! >= history.length) return;
      // A few decisions per round, gathered into one append.
      const take = history.slice(cursor[i]!, cursor[i]! + PER_ROUND);
      cursor[i]! += take.length;
      const batch = take.flat();
      const result = await store.append(deviceStreamId(syntheticUdid(i)), batch, revisions[i]! < 0 ? 'no-stream' : revisions[i]!);
      revisions[i] = result.nextRevision;
      written += batch.length;
      progressed = true;
    };
    for (let i = 0; i < options.devices; i += 64) {
      await Promise.all(Array.from({ length: Math.min(64, options.devices - i) }, (_, k) => appendNext(i + k)));
    }
    if (options.onProgress && written - lastReport >= 50_000) {
      lastReport = written;
      options.onProgress(written);
    }
    if (!progressed) return written;
  }
}
