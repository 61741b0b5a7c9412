import type { Decider } from '../shared/decider.js';
import type { DeviceCommand } from './commands.js';
import { decide } from './decide.js';
import type { DeviceEvent } from './events.js';
import { evolve } from './evolve.js';
import { initialDeviceState, type DeviceState } from './state.js';

/** One stream per device: `device-<UDID>`. */
export const deviceStreamId = (udid: string): string => `device-${udid}`;

export const deviceDecider: Decider<DeviceCommand, DeviceEvent, DeviceState> = {
  initialState: initialDeviceState,
  decide,
  evolve,
};

export type { DeviceCommand, DeviceEvent, DeviceState };
