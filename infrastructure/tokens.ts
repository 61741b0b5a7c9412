/** Injection tokens for infrastructure services (application ports carry their own). */
export const CONFIG = Symbol.for('mdm.Config');
export const METRICS = Symbol.for('mdm.MetricsRegistry');
export const LIFECYCLE = Symbol.for('mdm.Lifecycle');
export const DEVICE_CHECK_IN = Symbol.for('mdm.DeviceCheckIn');
