import { deviceDecider, deviceStreamId, type DeviceEvent, type DeviceState } from '../../domain/device/device.js';
import { enrollmentDecider, enrollmentStreamId, type EnrollmentEvent, type EnrollmentState } from '../../domain/enrollment/enrollment.js';
import type { EventStore, RecordedEvent } from '../ports/event-store.js';

/** An enrollment and the device it enrolled, found by either's id. */
export interface EnrollmentRecord {
  readonly enrollmentId?: string;
  /** The enrollment's steps in order (empty for a device enrolled without one). */
  readonly steps: readonly RecordedEvent[];
  readonly enrollment?: EnrollmentState;
  readonly udid?: string;
  readonly device?: DeviceState;
  /** The device's own stream, when the device is known. */
  readonly deviceEvents: readonly RecordedEvent[];
}

/** What an admin may type for a device or an enrollment: UDIDs and enrollment ids alike. */
export const ENROLLMENT_TARGET = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const foldEnrollment = (events: readonly RecordedEvent[]): EnrollmentState =>
  events.reduce((s, e) => enrollmentDecider.evolve(s, { type: e.type, data: e.data } as EnrollmentEvent), enrollmentDecider.initialState());
const foldDevice = (events: readonly RecordedEvent[]): DeviceState =>
  events.reduce((s, e) => deviceDecider.evolve(s, { type: e.type, data: e.data } as DeviceEvent), deviceDecider.initialState());

/**
 * Finds `target` as an enrollment id first, then as a UDID (whose current enrollment is then
 * read too). Undefined when neither exists. Reads whole streams: for admin tools, not hot paths.
 */
export async function findEnrollment(store: EventStore, target: string): Promise<EnrollmentRecord | undefined> {
  if (!ENROLLMENT_TARGET.test(target)) return undefined;
  const steps = await store.readStream(enrollmentStreamId(target));
  if (steps.length > 0) {
    const enrollment = foldEnrollment(steps);
    const udid = enrollment.udid ?? enrollment.attributes?.udid;
    const deviceEvents = udid ? await store.readStream(deviceStreamId(udid)) : [];
    return { enrollmentId: target, steps, enrollment, ...(udid ? { udid } : {}), ...(deviceEvents.length > 0 ? { device: foldDevice(deviceEvents) } : {}), deviceEvents };
  }
  const deviceEvents = await store.readStream(deviceStreamId(target));
  if (deviceEvents.length === 0) return undefined;
  const device = foldDevice(deviceEvents);
  const enrollmentId = device.enrollment?.enrollmentId;
  const enrollmentSteps = enrollmentId ? await store.readStream(enrollmentStreamId(enrollmentId)) : [];
  return {
    ...(enrollmentId && enrollmentSteps.length > 0 ? { enrollmentId, enrollment: foldEnrollment(enrollmentSteps) } : {}),
    steps: enrollmentSteps,
    udid: target,
    device,
    deviceEvents,
  };
}
