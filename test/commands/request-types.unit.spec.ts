import { expect } from 'chai';
import {
  QUERY_REQUEST_TYPES,
  REQUEST_TYPE_INFO,
  REQUEST_TYPES,
  isQueryRequestType,
  isRequestType,
  validateCommandRequest,
  type CommandRequest,
  type CommandResult,
} from '../../domain/commands/index.js';
import { RESULT_KINDS } from '../../domain/device/queue/events.js';
import type { QueuedRequest } from '../../domain/device/queue/queued-command.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { allRequests } from './fixtures.js';

// Compile-time: requests and results are JSON values the queue's events can carry as they are.
export const asQueued = (request: CommandRequest): QueuedRequest => request;
export const asEventData = (result: CommandResult): JsonObject => result;

describe('request types', () => {
  it('lists each RequestType once, and the queries among them', () => {
    expect(new Set(REQUEST_TYPES).size).to.equal(REQUEST_TYPES.length);
    expect(REQUEST_TYPES.filter((t) => REQUEST_TYPE_INFO[t].query)).to.have.members([...QUERY_REQUEST_TYPES]);
    expect(isRequestType('DeviceLock')).to.equal(true);
    expect(isRequestType('toString')).to.equal(false);
    expect(isQueryRequestType('DeviceLock')).to.equal(false);
  });

  it('has a typed result for every result kind the device queue records', () => {
    expect([...QUERY_REQUEST_TYPES].sort()).to.deep.equal([...RESULT_KINDS].sort());
  });

  it('marks the unlock-token, destructive and urgent commands', () => {
    expect(REQUEST_TYPES.filter((t) => REQUEST_TYPE_INFO[t].needsUnlockToken)).to.deep.equal(['ClearPasscode']);
    expect(REQUEST_TYPES.filter((t) => REQUEST_TYPE_INFO[t].destructive)).to.deep.equal(['EraseDevice']);
    for (const type of ['EraseDevice', 'DeviceLock', 'ClearPasscode'] as const) {
      expect(REQUEST_TYPE_INFO[type].defaultPriority).to.be.greaterThan(REQUEST_TYPE_INFO.InstallProfile.defaultPriority);
    }
  });

  it('suggests priorities on the queue\'s 0-100 scale and positive lifetimes', () => {
    for (const type of REQUEST_TYPES) {
      const { defaultPriority, defaultTtlSeconds } = REQUEST_TYPE_INFO[type];
      expect(Number.isInteger(defaultPriority) && defaultPriority >= 0 && defaultPriority <= 100, type).to.equal(true);
      expect(Number.isInteger(defaultTtlSeconds) && defaultTtlSeconds > 0, type).to.equal(true);
    }
  });

  it('requests survive the JSON round trip of the event store unchanged', () => {
    for (const request of allRequests) expect(validateCommandRequest(JSON.parse(JSON.stringify(request)))).to.deep.equal(request);
  });
});
