import type { EnrollmentRecord } from '../../application/enrollment/enrollment-lookup.js';
import type { RecordedEvent } from '../../application/ports/event-store.js';

/** Device events that tell how the device came, stayed and went (never its push coordinates or secrets). */
const DEVICE_LIFECYCLE = new Set(['DeviceEnrollmentStarted', 'DeviceEnrolled', 'DeviceCertificateRebound', 'DeviceQuarantined', 'DeviceApproved', 'DeviceRejected', 'DeviceUnenrollmentRequested', 'DeviceCheckedOut']);

/** Values partly come from devices: no control characters reach the admin's terminal. */
export const printable = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
const timeOf = (e: RecordedEvent): string => (typeof e.metadata.occurredAt === 'string' ? e.metadata.occurredAt : e.recordedAt);
const short = (hash: unknown): string => (typeof hash === 'string' ? `${hash.slice(0, 16)}…` : '');

/** What an admin needs to read from each step; ids and times are printed elsewhere on the line. */
function details(e: RecordedEvent): string {
  const d = e.data as Record<string, unknown>;
  const pairs: Array<[string, unknown]> = (() => {
    switch (e.type) {
      case 'EnrollmentStarted':
        return [['method', d['method']], ['user', d['user']], ['group', d['group']], ['token', d['tokenId']]];
      case 'EnrollmentDeviceAttributesReceived':
        return [['udid', (d['attributes'] as { udid?: string } | undefined)?.udid]];
      case 'EnrollmentProfileServed':
        return [['profile', d['profile']], ['signed', d['signed']], ['encrypted', d['encrypted']]];
      case 'EnrollmentIdentityIssued':
        return [['serial', d['serialNumber']], ['sha256', short(d['certificateSha256'])], ['notAfter', d['notAfter']]];
      case 'EnrollmentDeviceAuthenticated':
        return [['udid', d['udid']], ['user', d['user']], ['group', d['group']], ['sha256', short(d['certificateSha256'])]];
      case 'EnrollmentApproved':
      case 'DeviceApproved':
        return [['by', d['approvedBy']]];
      case 'EnrollmentRejected':
      case 'DeviceRejected':
        return [['by', d['rejectedBy']], ['reason', d['reason']]];
      case 'DeviceEnrollmentStarted':
        return [['enrollment', d['enrollmentId']], ['user', d['user']], ['sha256', short(d['certificateHash'])], ['reenrollment', d['reenrollment']]];
      case 'DeviceCertificateRebound':
        return [['sha256', short(d['certificateHash'])]];
      case 'DeviceQuarantined':
        return [['sha256', short(d['certificateHash'])]];
      case 'DeviceUnenrollmentRequested':
        return [['by', d['requestedBy']], ['reason', d['reason']]];
      default:
        return [];
    }
  })();
  return pairs.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}=${String(v)}`).join(' ');
}

function timeline(events: readonly RecordedEvent[]): string[] {
  const width = Math.max(0, ...events.map((e) => e.type.length));
  return events.map((e) => `  ${timeOf(e)}  ${e.type.padEnd(width)}  ${details(e)}`.trimEnd());
}

/** `mdm enrollment show`: who and what, then every step in the order it happened. */
export function describeEnrollment(r: EnrollmentRecord): string {
  const started = r.enrollment?.started;
  const q = r.device?.quarantine;
  const quarantine = q ? `${q.status} since ${q.since}` : r.enrollment && r.enrollment.quarantine !== 'none' ? r.enrollment.quarantine : 'none';
  const lines = [
    `enrollment:  ${r.enrollmentId ?? "none (the device's certificate names no enrollment)"}`,
    ...(started ? [`method:      ${started.method}`] : []),
    `user:        ${started?.user ?? r.device?.enrollment?.user ?? '-'}`,
    `group:       ${started?.group ?? r.device?.enrollment?.group ?? '-'}`,
    `device:      ${r.udid ? `${r.udid} (${r.device?.status ?? 'not checked in yet'})` : '-'}`,
    `quarantine:  ${quarantine}`,
  ];
  if (r.steps.length > 0) lines.push('', 'steps:', ...timeline(r.steps));
  const lifecycle = r.deviceEvents.filter((e) => DEVICE_LIFECYCLE.has(e.type));
  if (lifecycle.length > 0) lines.push('', 'device:', ...timeline(lifecycle));
  return `${lines.map(printable).join('\n')}\n`;
}
