import { CLEAR_SECRET_PARAMETERS, canonicalJson, isRequestType, isSealedRef, type RequestType } from '../commands/index.js';
import { isPlainObject } from '../commands/plain-object.js';
import { isGroupName, isUdid } from '../device-group/group-names.js';
import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/domain-error.js';
import type { JsonObject } from '../shared/json.js';

/**
 * One MDM command for many devices: the request is recorded once, then fanned out to the devices
 * chunk by chunk, each chunk's outcome recorded, so that a fan-out cut short resumes where it
 * stopped. Stream `bulk-command-<bulkId>`.
 *
 * A device list of 50,000 UDIDs does not fit in one event (appends are capped at 1 MB), so the list
 * is recorded in parts: `BulkCommandRequested` carries the first part and the total, and
 * `BulkCommandDevicesListed` the rest. The fan-out starts only once every part is recorded.
 */
export const MAX_BULK_DEVICES = 50_000;
/** 5,000 UDIDs of at most 64 characters stay well under an append's 1 MB. */
export const MAX_UDIDS_PER_EVENT = 5_000;
/** Bounds one progress event (its refusals are listed). */
export const MAX_PROGRESS_CHUNK = 1_000;
const MAX_FILTER_CHARS = 16_384;
const MAX_TTL_SECONDS = 90 * 24 * 3600;
const MAX_REFUSAL_TEXT = 512;

export type BulkTarget =
  | { readonly kind: 'devices' }
  | { readonly kind: 'group'; readonly group: string }
  /** An inventory query selection, as the admin gave it (the API layer resolved it into UDIDs). */
  | { readonly kind: 'selection'; readonly filter: JsonObject };

export interface BulkRefusal {
  readonly udid: string;
  readonly code: string;
  readonly detail: string;
}

export type BulkCommandRequestedData = {
  readonly bulkId: string;
  readonly target: BulkTarget;
  /** The first part of the device list (all of it when it has at most MAX_UDIDS_PER_EVENT). */
  readonly udids: readonly string[];
  /** How many devices the whole list holds. */
  readonly total: number;
  /** SHA-256 (hex) of the whole list, one UDID per line: what tells a re-sent request from another. */
  readonly udidsSha256: string;
  /** As queued on each device: secrets sealed, large payloads as blob references. */
  readonly request: JsonObject;
  readonly requestType: RequestType;
  /** Keyed fingerprint of the admin's input (sealing is randomised, so the request cannot be compared). */
  readonly requestFingerprint: string;
  readonly priority?: number;
  readonly ttlSeconds?: number;
  readonly requestedBy: string;
  readonly requestedAt: string;
};

export type BulkCommandEvent =
  | { readonly type: 'BulkCommandRequested'; readonly data: BulkCommandRequestedData }
  | { readonly type: 'BulkCommandDevicesListed'; readonly data: { readonly bulkId: string; readonly offset: number; readonly udids: readonly string[] } }
  | {
      readonly type: 'BulkCommandProgressed';
      readonly data: { readonly bulkId: string; readonly through: number; readonly queued: number; readonly alreadyQueued: number; readonly refused: readonly BulkRefusal[] };
    }
  | {
      readonly type: 'BulkCommandCompleted';
      readonly data: { readonly bulkId: string; readonly queued: number; readonly alreadyQueued: number; readonly refused: number; readonly completedAt: string };
    };

export type BulkCommandCommand =
  | ({ readonly type: 'RequestBulkCommand'; readonly at: string } & Omit<BulkCommandRequestedData, 'requestedAt'>)
  | { readonly type: 'ListBulkCommandDevices'; readonly bulkId: string; readonly offset: number; readonly udids: readonly string[] }
  | {
      readonly type: 'RecordBulkCommandProgress';
      readonly bulkId: string;
      /** The `through` the chunk started from: a fan-out that fell behind another is refused. */
      readonly from: number;
      readonly through: number;
      readonly queued: number;
      readonly alreadyQueued: number;
      readonly refused: readonly BulkRefusal[];
    }
  | { readonly type: 'CompleteBulkCommand'; readonly bulkId: string; readonly at: string };

export interface BulkCommandState {
  readonly requested?: Omit<BulkCommandRequestedData, 'udids'>;
  /** The device list as recorded so far. */
  readonly udids: readonly string[];
  /** Devices handled: `udids[0 .. through)`. */
  readonly through: number;
  readonly queued: number;
  readonly alreadyQueued: number;
  readonly refused: readonly BulkRefusal[];
  readonly completedAt?: string;
}

export const BULK_COMMAND_EVENT_TYPES: ReadonlySet<string> = new Set<BulkCommandEvent['type']>(['BulkCommandRequested', 'BulkCommandDevicesListed', 'BulkCommandProgressed', 'BulkCommandCompleted']);

export const bulkCommandStreamId = (bulkId: string): string => `bulk-command-${bulkId}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SHA256 = /^[0-9a-f]{64}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

export const isBulkId = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/** Every device of the list is recorded: the fan-out may run. */
export const bulkListed = (s: BulkCommandState): boolean => s.requested !== undefined && s.udids.length === s.requested.total;

const initialState = (): BulkCommandState => ({ udids: [], through: 0, queued: 0, alreadyQueued: 0, refused: [] });

function invalid(message: string): never {
  throw new DomainError('invalid-bulk', message);
}

function checkTarget(target: BulkTarget): void {
  if (!isPlainObject(target)) invalid('the target must be an object');
  switch (target.kind) {
    case 'devices':
      if (Object.keys(target).length !== 1) invalid('a devices target has no other field');
      return;
    case 'group':
      if (Object.keys(target).length !== 2 || !isGroupName(target.group)) invalid('a group target names one device group');
      return;
    case 'selection':
      if (Object.keys(target).length !== 2 || !isPlainObject(target.filter)) invalid('a selection target carries its filter as an object');
      if (canonicalJson(target.filter).length > MAX_FILTER_CHARS) invalid(`a selection filter is at most ${MAX_FILTER_CHARS} characters of JSON`);
      return;
    default:
      invalid('the target kind is devices, group or selection');
  }
}

/** UDIDs well-formed and none twice, within the list so far. */
function checkUdids(udids: readonly string[], listed: readonly string[]): void {
  if (!Array.isArray(udids) || udids.length === 0) invalid('a part of the device list holds at least one UDID');
  if (udids.length > MAX_UDIDS_PER_EVENT) invalid(`a part of the device list holds at most ${MAX_UDIDS_PER_EVENT} UDIDs`);
  const seen = new Set(listed);
  for (const udid of udids) {
    if (!isUdid(udid)) throw new DomainError('invalid-udid', `${JSON.stringify(String(udid).slice(0, 80))} is not a UDID (8-64 letters, digits and "-")`);
    if (seen.has(udid)) invalid(`device ${udid} is listed twice`);
    seen.add(udid);
  }
}

/** The request as queued on devices: never a secret an admin may send in clear, unsealed. */
function checkRequest(request: unknown, requestType: unknown): void {
  if (!isRequestType(requestType)) invalid('unknown request type');
  if (!isPlainObject(request) || request['requestType'] !== requestType) invalid('the request must be an object of its request type');
  for (const parameter of CLEAR_SECRET_PARAMETERS[requestType as string] ?? []) {
    if ((request as Record<string, unknown>)[parameter] !== undefined && !isSealedRef((request as Record<string, unknown>)[parameter])) {
      throw new DomainError('clear-secret', `${requestType as string}.${parameter} must be sealed before it is recorded`);
    }
  }
}

function checkRequestCommand(c: Extract<BulkCommandCommand, { type: 'RequestBulkCommand' }>): void {
  if (!isBulkId(c.bulkId)) invalid('a bulk id is a UUID');
  checkTarget(c.target);
  if (!Number.isSafeInteger(c.total) || c.total < 1) throw new DomainError('bulk-no-devices', 'a bulk command needs at least one device');
  if (c.total > MAX_BULK_DEVICES) throw new DomainError('bulk-too-large', `a bulk command reaches at most ${MAX_BULK_DEVICES} devices`);
  checkUdids(c.udids, []);
  if (c.udids.length > c.total) invalid('the first part of the device list is longer than the list');
  if (!SHA256.test(c.udidsSha256)) invalid('the device list hash is 64 hex digits');
  checkRequest(c.request, c.requestType);
  if (typeof c.requestFingerprint !== 'string' || c.requestFingerprint.length === 0 || c.requestFingerprint.length > 128) invalid('the request fingerprint is missing');
  if (c.priority !== undefined && !(Number.isInteger(c.priority) && c.priority >= 0 && c.priority <= 100)) invalid('priority is a whole number from 0 to 100');
  if (c.ttlSeconds !== undefined && !(Number.isInteger(c.ttlSeconds) && c.ttlSeconds >= 60 && c.ttlSeconds <= MAX_TTL_SECONDS)) invalid(`ttlSeconds is a whole number from 60 to ${MAX_TTL_SECONDS}`);
  if (typeof c.requestedBy !== 'string' || c.requestedBy.length === 0 || c.requestedBy.length > 200 || CONTROL.test(c.requestedBy)) invalid('requestedBy is missing');
}

/** The same request re-sent (a client retrying after a lost answer), as opposed to another under the same id. */
function sameRequest(r: Omit<BulkCommandRequestedData, 'udids'>, c: Extract<BulkCommandCommand, { type: 'RequestBulkCommand' }>): boolean {
  return canonicalJson(r.target) === canonicalJson(c.target as JsonObject)
    && r.total === c.total && r.udidsSha256 === c.udidsSha256
    && r.requestType === c.requestType && r.requestFingerprint === c.requestFingerprint
    && r.priority === c.priority && r.ttlSeconds === c.ttlSeconds;
}

function requireRequested(s: BulkCommandState, bulkId: string): Omit<BulkCommandRequestedData, 'udids'> {
  if (!s.requested) throw new DomainError('unknown-bulk', `no bulk command ${bulkId}`);
  return s.requested;
}

function bad(message: string): never {
  throw new DomainError('bulk-progress-invalid', message);
}

const count = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) >= 0;

function checkProgress(c: Extract<BulkCommandCommand, { type: 'RecordBulkCommandProgress' }>, s: BulkCommandState): void {
  if (!Number.isSafeInteger(c.through) || c.through <= s.through) bad(`progress through ${c.through} does not go beyond ${s.through}`);
  if (c.through > s.udids.length) bad(`progress through ${c.through} goes beyond the ${s.udids.length} devices listed`);
  if (c.from !== s.through) throw new DomainError('bulk-progress-stale', `progress from ${c.from}, but the bulk command is through ${s.through}`);
  if (c.through - c.from > MAX_PROGRESS_CHUNK) bad(`one progress step covers at most ${MAX_PROGRESS_CHUNK} devices`);
  if (!count(c.queued) || !count(c.alreadyQueued) || !Array.isArray(c.refused)) bad('counts are whole numbers');
  if (c.queued + c.alreadyQueued + c.refused.length !== c.through - c.from) bad('queued, already queued and refused do not add up to the devices handled');
  const chunk = new Set(s.udids.slice(c.from, c.through));
  for (const r of c.refused) {
    if (!isPlainObject(r) || !chunk.has(r.udid as string)) bad('a refused device is not among the devices handled');
    chunk.delete(r.udid as string);
    if (typeof r.code !== 'string' || r.code.length === 0 || r.code.length > 64 || typeof r.detail !== 'string' || r.detail.length > MAX_REFUSAL_TEXT) bad(`a refusal has a code and a detail of at most ${MAX_REFUSAL_TEXT} characters`);
  }
}

function decide(c: BulkCommandCommand, s: BulkCommandState): BulkCommandEvent[] {
  switch (c.type) {
    case 'RequestBulkCommand': {
      if (s.requested) {
        if (sameRequest(s.requested, c)) return [];
        throw new DomainError('bulk-exists', `bulk command ${c.bulkId} exists with other content`);
      }
      checkRequestCommand(c);
      const { type: _type, at, ...data } = c;
      return [{ type: 'BulkCommandRequested', data: { ...data, requestedAt: at } }];
    }
    case 'ListBulkCommandDevices': {
      const r = requireRequested(s, c.bulkId);
      // A part already recorded, re-sent: the list's hash made sure it is the same list.
      if (Number.isSafeInteger(c.offset) && c.offset >= 0 && c.offset < s.udids.length) return [];
      if (c.offset !== s.udids.length) invalid(`the next part of the device list starts at ${s.udids.length}`);
      checkUdids(c.udids, s.udids);
      if (s.udids.length + c.udids.length > r.total) invalid(`the device list holds ${r.total} devices`);
      return [{ type: 'BulkCommandDevicesListed', data: { bulkId: c.bulkId, offset: c.offset, udids: c.udids } }];
    }
    case 'RecordBulkCommandProgress': {
      requireRequested(s, c.bulkId);
      if (s.completedAt !== undefined) throw new DomainError('bulk-completed', `bulk command ${c.bulkId} is completed`);
      checkProgress(c, s);
      return [{ type: 'BulkCommandProgressed', data: { bulkId: c.bulkId, through: c.through, queued: c.queued, alreadyQueued: c.alreadyQueued, refused: c.refused.map((r) => ({ udid: r.udid, code: r.code, detail: r.detail })) } }];
    }
    case 'CompleteBulkCommand': {
      const r = requireRequested(s, c.bulkId);
      if (s.completedAt !== undefined) return [];
      if (s.through < r.total) throw new DomainError('bulk-incomplete', `bulk command ${c.bulkId} is through ${s.through} of ${r.total} devices`);
      return [{ type: 'BulkCommandCompleted', data: { bulkId: c.bulkId, queued: s.queued, alreadyQueued: s.alreadyQueued, refused: s.refused.length, completedAt: c.at } }];
    }
  }
}

function evolve(s: BulkCommandState, e: BulkCommandEvent): BulkCommandState {
  switch (e.type) {
    case 'BulkCommandRequested': {
      const { udids, ...requested } = e.data;
      return { ...initialState(), requested, udids };
    }
    case 'BulkCommandDevicesListed':
      return { ...s, udids: [...s.udids, ...e.data.udids] };
    case 'BulkCommandProgressed':
      return {
        ...s,
        through: e.data.through,
        queued: s.queued + e.data.queued,
        alreadyQueued: s.alreadyQueued + e.data.alreadyQueued,
        refused: e.data.refused.length > 0 ? [...s.refused, ...e.data.refused] : s.refused,
      };
    case 'BulkCommandCompleted':
      return { ...s, completedAt: e.data.completedAt };
  }
}

export const bulkCommandDecider: Decider<BulkCommandCommand, BulkCommandEvent, BulkCommandState> = { initialState, decide, evolve };
