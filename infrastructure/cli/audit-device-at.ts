import { deviceStateAt, type DeviceStateAt } from '../../application/audit/device-state-at.js';
import { parseOptions, usageError } from './options.js';
import { parseIsoTime } from './progress.js';
import { withStore } from './store-session.js';

const UDID = /^[A-Za-z0-9-]{8,64}$/;

/** `mdm audit device-at <udid> --at ISO [--json]`: the device as it stood then, without secrets. */
export async function auditDeviceAt(args: string[]): Promise<number> {
  const options = parseOptions(args, { at: { type: 'string' }, json: { type: 'boolean' } }, true);
  if (!options.ok) return usageError('audit', options.message);
  const [udid, ...extra] = options.parsed.positionals;
  if (!udid || extra.length > 0 || !UDID.test(udid)) return usageError('audit', 'device-at takes one UDID (8-64 letters, digits and -)');
  const raw = options.parsed.values.at;
  if (raw === undefined) return usageError('audit', 'device-at needs --at <ISO-8601 time>');
  const at = parseIsoTime(raw);
  if (!at) return usageError('audit', '--at takes an ISO-8601 date or time with a zone, e.g. 2026-01-31T12:00:00Z');
  return withStore('audit', async ({ store }) => {
    const found = await deviceStateAt(store, udid, at);
    if (!found) {
      process.stderr.write(`mdm audit: device ${udid} has no events at or before ${at.toISOString()}\n`);
      return 1;
    }
    process.stdout.write(options.parsed.values.json ? `${JSON.stringify({ udid, ...found }, null, 2)}\n` : describe(udid, found));
    return 0;
  });
}

/** The fields of the state view the summary shows (the view is DeviceState without its secrets). */
interface StateView {
  status: string;
  enrolledAt?: string;
  enrollments: number;
  topic?: string;
  certificateHash?: string;
  enrollment?: { enrollmentId: string; user?: string; group?: string };
  quarantine?: { status: string; since: string };
  push?: unknown;
  pushTokenInvalidatedAt?: string;
  unenrollmentRequestedAt?: string;
  hasUnlockToken: boolean;
  queue: { queue: Array<{ commandUuid: string; request: { requestType: string }; status: string }> };
}

function describe(udid: string, found: DeviceStateAt): string {
  const s = found.state as unknown as StateView;
  const queue = s.queue.queue;
  const enrollment = s.enrollment;
  const lines = [
    `device:        ${udid}`,
    `as of:         ${found.asOf} (revision ${found.revision}, ${found.events} event(s))`,
    `status:        ${s.status}`,
    `enrolled at:   ${s.enrolledAt ?? '-'}`,
    `enrollments:   ${s.enrollments}`,
    `topic:         ${s.topic ?? '-'}`,
    `certificate:   ${s.certificateHash ?? '-'}`,
    `enrollment:    ${enrollment ? `${enrollment.enrollmentId} (user ${enrollment.user ?? '-'}, group ${enrollment.group ?? '-'})` : '-'}`,
    `quarantine:    ${s.quarantine ? `${s.quarantine.status} since ${s.quarantine.since}` : '-'}`,
    `pushable:      ${s.status === 'enrolled' && s.push && !s.pushTokenInvalidatedAt ? 'yes' : 'no'}`,
    `unlock token:  ${s.hasUnlockToken ? 'present (not shown)' : 'none'}`,
    `unenrollment:  ${s.unenrollmentRequestedAt ? `requested ${s.unenrollmentRequestedAt}` : '-'}`,
    `queued:        ${queue.length} command(s)`,
    ...queue.map((c) => `  ${c.commandUuid}  ${c.request.requestType}  ${c.status}`),
    '',
  ];
  return lines.join('\n');
}
