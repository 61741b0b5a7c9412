import { ENROLLMENT_TARGET, findEnrollment } from '../../application/enrollment/enrollment-lookup.js';
import { systemClock } from '../../application/ports/clock.js';
import type { Actor, EventStore } from '../../application/ports/event-store.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { quarantineDecisions } from '../enrollment/quarantine-decisions.js';
import { openEventStore } from '../eventstore/open-event-store.js';
import { jsonLogger } from '../logging/json-logger.js';
import type { CliCommand } from './commands.js';
import { enrollmentOverviews, formatOverviews } from './enrollment-list.js';
import { describeEnrollment, printable } from './enrollment-show.js';
import { parseOptions, usageError } from './options.js';

const HELP = `Usage: mdm enrollment <show|list|approve|reject> [options]

Enrollments: every step from the enrollment link to the device authenticating with the identity
issued for it, who the device belongs to, and the quarantine in which new devices wait for an
admin (MDM_ENROLLMENT_QUARANTINE=true). Works while the server runs; the server wakes a device
within seconds of its approval or rejection.

  mdm enrollment show <udid|enrollment id>
      The enrollment's steps in order with their times, its user and group, the device and its
      quarantine status.
  mdm enrollment list [--quarantined]
      Every enrollment with its furthest step and quarantine status; --quarantined lists only
      enrollments and devices waiting for a decision.
  mdm enrollment approve <udid|enrollment id>
      Lets a quarantined device in: it is woken and gets its commands.
  mdm enrollment reject <udid|enrollment id> [--reason TEXT]
      Turns a quarantined device away: its next request tells it to unenroll, and its certificate
      is revoked.

Approving or rejecting again changes nothing; deciding about an enrollment that is not
quarantined is refused (exit 1).
`;

const actor = (): Actor => ({ kind: 'admin', id: process.env['USER'] ?? 'cli' });
const REASON = /^[^\u0000-\u001f\u007f]{1,256}$/;

async function withStore<T>(run: (store: EventStore) => Promise<T>): Promise<T | number> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) return usageError('enrollment', `configuration error: ${error.message}`);
    throw error;
  }
  const logger = jsonLogger({ level: 'warn', write: (line) => process.stderr.write(line) });
  const { store } = await openEventStore(config, logger);
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

function failed(error: unknown): number {
  if (!(error instanceof DomainError)) throw error;
  process.stderr.write(`mdm enrollment: ${printable(error.message)}\n`);
  return 1;
}

async function show(args: string[]): Promise<number> {
  const options = parseOptions(args, {}, true);
  if (!options.ok) return usageError('enrollment', options.message);
  const [target, ...extra] = options.parsed.positionals;
  if (!target || extra.length > 0) return usageError('enrollment', 'show takes one UDID or enrollment id');
  if (!ENROLLMENT_TARGET.test(target)) return usageError('enrollment', 'a UDID or enrollment id is 1-128 letters, digits and . _ -');
  return withStore(async (store) => {
    const record = await findEnrollment(store, target);
    if (!record) return failed(new DomainError('unknown-enrollment', `no enrollment or device ${target}`));
    process.stdout.write(describeEnrollment(record));
    return 0;
  });
}

async function list(args: string[]): Promise<number> {
  const options = parseOptions(args, { quarantined: { type: 'boolean' } });
  if (!options.ok) return usageError('enrollment', options.message);
  return withStore(async (store) => {
    const rows = await enrollmentOverviews(store);
    process.stdout.write(formatOverviews(options.parsed.values.quarantined ? rows.filter((r) => r.quarantine === 'quarantined') : rows));
    return 0;
  });
}

async function decide(decision: 'approve' | 'reject', args: string[]): Promise<number> {
  const options = parseOptions(args, decision === 'reject' ? { reason: { type: 'string' } } : {}, true);
  if (!options.ok) return usageError('enrollment', options.message);
  const [target, ...extra] = options.parsed.positionals;
  if (!target || extra.length > 0) return usageError('enrollment', `${decision} takes one UDID or enrollment id`);
  if (!ENROLLMENT_TARGET.test(target)) return usageError('enrollment', 'a UDID or enrollment id is 1-128 letters, digits and . _ -');
  const reason = (options.parsed.values as { reason?: string }).reason;
  if (reason !== undefined && !REASON.test(reason)) return usageError('enrollment', '--reason takes 1-256 characters on one line');
  return withStore(async (store) => {
    const who = actor();
    const quarantine = quarantineDecisions(store, systemClock, who);
    try {
      const outcome = decision === 'approve' ? await quarantine.approve(target, who) : await quarantine.reject(target, who, reason);
      const what = decision === 'approve' ? 'approved' : 'rejected';
      const subject = `${outcome.enrollmentId ? `enrollment ${outcome.enrollmentId}, ` : ''}device ${outcome.udid}`;
      process.stdout.write(`${outcome.changed ? what : `already ${what}`}: ${subject}\n`);
      if (decision === 'reject') process.stdout.write(`certificate ${outcome.certificateSha256}: revocation recorded (enrollment-rejected)\n`);
      return 0;
    } catch (error) {
      return failed(error);
    }
  });
}

export const enrollmentCommand: CliCommand = {
  name: 'enrollment',
  summary: 'Show and list enrollments; approve or reject quarantined devices.',
  help: () => HELP,
  async run(args) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'show':
        return show(rest);
      case 'list':
        return list(rest);
      case 'approve':
      case 'reject':
        return decide(sub, rest);
      default:
        return usageError('enrollment', sub === undefined ? 'a subcommand is needed' : `unknown subcommand ${JSON.stringify(sub)}`);
    }
  },
};
