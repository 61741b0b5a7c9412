import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { enrollmentDecider, enrollmentStreamId, type EnrollmentCommand, type EnrollmentEvent, type EnrollmentMethod, type EnrollmentState } from '../../domain/enrollment/enrollment.js';
import { scepChallengeDecider, scepChallengeStreamId } from '../../domain/enrollment/scep-challenge.js';
import { handleCommand, type CommandResult } from '../command-handling.js';
import type { Clock } from '../ports/clock.js';
import type { Actor, EventStore } from '../ports/event-store.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
/** A device has this long from fetching its profile to enrolling its certificate. */
export const CHALLENGE_TTL_MS = 60 * 60 * 1000;

export interface Enrollment {
  readonly enrollmentId: string;
  /** A one-time SCEP challenge bound to this enrollment, for the profile's SCEP payload. Never recorded in clear. */
  readonly challenge: string;
  readonly user?: string;
  readonly group?: string;
}

export interface EnrollmentStart {
  readonly method: EnrollmentMethod;
  readonly tokenId?: string;
  readonly user?: string;
  readonly group?: string;
  readonly actor?: Actor;
}

/**
 * Starts enrollments (a token link, the web page, the OTA service) and records each later step on
 * the enrollment's own stream. Starting one hands out the one-time SCEP challenge that authorizes
 * the certificate named for it (CN=<enrollment id>).
 */
export class Enrollments {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  /** Issues the challenge for a new enrollment id; `start` records the enrollment once the caller is committed to it. */
  async issueChallenge(enrollmentId: string = randomUUID()): Promise<{ enrollmentId: string; challenge: string }> {
    const now = this.clock.now();
    const at = now.toISOString();
    const challenge = randomBytes(24).toString('base64url');
    await handleCommand(this.store, scepChallengeDecider, scepChallengeStreamId(sha256(challenge)), {
      commandId: randomUUID(),
      command: { type: 'IssueScepChallenge', challengeHash: sha256(challenge), enrollmentId, expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString(), at },
      actor: { kind: 'system', id: 'enrollment' },
      occurredAt: at,
    });
    return { enrollmentId, challenge };
  }

  async start(enrollmentId: string, start: EnrollmentStart): Promise<void> {
    const at = this.clock.now().toISOString();
    await this.record(
      { type: 'StartEnrollment', enrollmentId, method: start.method, ...(start.tokenId ? { tokenId: start.tokenId } : {}), ...(start.user ? { user: start.user } : {}), ...(start.group ? { group: start.group } : {}), at },
      start.actor ?? { kind: 'system', id: 'enrollment' },
    );
  }

  /** Both steps at once, for callers with nothing to spend in between (the web page, OTA). */
  async begin(start: EnrollmentStart): Promise<Enrollment> {
    const { enrollmentId, challenge } = await this.issueChallenge();
    await this.start(enrollmentId, start);
    return { enrollmentId, challenge, ...(start.user ? { user: start.user } : {}), ...(start.group ? { group: start.group } : {}) };
  }

  /** Appends one step; DomainErrors (a step the enrollment refuses) propagate to the caller. */
  async record(command: EnrollmentCommand, actor: Actor = { kind: 'system', id: 'enrollment' }): Promise<CommandResult<EnrollmentEvent, EnrollmentState>> {
    return handleCommand(this.store, enrollmentDecider, enrollmentStreamId(command.enrollmentId), { commandId: randomUUID(), command, actor, occurredAt: command.at });
  }

  async state(enrollmentId: string): Promise<EnrollmentState> {
    const events = await this.store.readStream(enrollmentStreamId(enrollmentId));
    return events.reduce((s, e) => enrollmentDecider.evolve(s, { type: e.type, data: e.data } as EnrollmentEvent), enrollmentDecider.initialState());
  }
}
