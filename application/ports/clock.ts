/** Time for the application layer; the domain never reads a clock, it is handed times. */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol.for('mdm.Clock');

export const systemClock: Clock = { now: () => new Date() };
