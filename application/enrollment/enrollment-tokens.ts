import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Enrollments, type Enrollment } from './enrollments.js';
export type { Enrollment } from './enrollments.js';
import { enrollmentTokenDecider, enrollmentTokenStreamId, tokenRedeemable, type EnrollmentTokenEvent, type EnrollmentTokenState } from '../../domain/enrollment/enrollment-token.js';
import { scepChallengeDecider, scepChallengeStreamId, type ScepChallengeEvent } from '../../domain/enrollment/scep-challenge.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { handleCommand } from '../command-handling.js';
import type { Clock } from '../ports/clock.js';
import type { Actor, EventStore } from '../ports/event-store.js';
import type { ScepChallengeVerdict, ScepChallenges, ScepCsrSubject } from '../ports/scep-challenges.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const TOKEN = /^([0-9a-f]{32})\.([A-Za-z0-9_-]{43})$/;
const TOKEN_ID = /^[0-9a-f]{32}$/;

export interface CreatedToken {
  /** Shown once: only its hash is kept. */
  readonly token: string;
  readonly tokenId: string;
  readonly expiresAt: string;
}


/**
 * Enrollment tokens (`<id>.<secret>`, only the secret's hash recorded) and the one-time SCEP
 * challenges that redeeming one hands out. Everything lives in the event store, so a token made by
 * the CLI works at once on a running server, and a challenge is spent once even across processes.
 */
export class EnrollmentTokens implements ScepChallenges {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly enrollments: Enrollments = new Enrollments(store, clock),
  ) {}

  async create(options: { maxUses?: number; ttlMs?: number; user?: string; group?: string; actor: Actor }): Promise<CreatedToken> {
    const tokenId = randomBytes(16).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + (options.ttlMs ?? 7 * 24 * 3_600_000)).toISOString();
    await handleCommand(this.store, enrollmentTokenDecider, enrollmentTokenStreamId(tokenId), {
      commandId: randomUUID(),
      command: { type: 'CreateEnrollmentToken', tokenId, secretHash: sha256(secret), maxUses: options.maxUses ?? 1, expiresAt, ...(options.user ? { user: options.user } : {}), ...(options.group ? { group: options.group } : {}), createdBy: `${options.actor.kind}:${options.actor.id}`, at: now.toISOString() },
      actor: options.actor,
      occurredAt: now.toISOString(),
    });
    return { token: `${tokenId}.${secret}`, tokenId, expiresAt };
  }

  /** What is recorded about a token (never its secret); undefined when there is no such token. */
  async describe(tokenId: string): Promise<EnrollmentTokenState | undefined> {
    if (!TOKEN_ID.test(tokenId)) return undefined;
    const state = await this.state(tokenId);
    return state.created ? state : undefined;
  }

  /** Stops a token from enrolling anything more (a leaked link); false when it was revoked before. */
  async revoke(tokenId: string, actor: Actor): Promise<boolean> {
    if (!TOKEN_ID.test(tokenId)) throw new DomainError('unknown-token', `no enrollment token ${tokenId}`);
    const at = this.clock.now().toISOString();
    const result = await handleCommand(this.store, enrollmentTokenDecider, enrollmentTokenStreamId(tokenId), {
      commandId: randomUUID(),
      command: { type: 'RevokeEnrollmentToken', tokenId, revokedBy: `${actor.kind}:${actor.id}`, at },
      actor,
      occurredAt: at,
    });
    return result.events.length > 0;
  }

  private async state(tokenId: string): Promise<EnrollmentTokenState> {
    const events = await this.store.readStream(enrollmentTokenStreamId(tokenId));
    return events.reduce((st, e) => enrollmentTokenDecider.evolve(st, { type: e.type, data: e.data } as EnrollmentTokenEvent), enrollmentTokenDecider.initialState());
  }

  /** Redeems a token for one enrollment; undefined for any token that cannot be used (no reason given). */
  async redeem(token: string): Promise<Enrollment | undefined> {
    const match = TOKEN.exec(token);
    if (!match) return undefined;
    const [, tokenId, secret] = match as unknown as [string, string, string];
    const state = await this.state(tokenId);
    const created = state.created;
    if (!created || !timingSafeEqual(Buffer.from(created.secretHash, 'hex'), Buffer.from(sha256(secret), 'hex'))) return undefined;
    const at = this.clock.now().toISOString();
    // A used-up, expired or revoked link issues nothing: every POST to it would leave a challenge behind.
    if (!tokenRedeemable(state, at)) return undefined;
    // The challenge before the use: should redeeming then fail (a concurrent redemption took the
    // last use; the decider still decides), a stray challenge nobody knows is harmless, whereas a
    // use spent without a profile would be lost.
    const { enrollmentId, challenge } = await this.enrollments.issueChallenge();
    try {
      await handleCommand(this.store, enrollmentTokenDecider, enrollmentTokenStreamId(tokenId), { commandId: randomUUID(), command: { type: 'RedeemEnrollmentToken', tokenId, enrollmentId, at }, actor: { kind: 'system', id: 'enrollment' }, occurredAt: at });
    } catch (error) {
      if (error instanceof DomainError) return undefined;
      throw error;
    }
    await this.enrollments.start(enrollmentId, { method: 'token', tokenId, ...(created.user ? { user: created.user } : {}), ...(created.group ? { group: created.group } : {}) });
    return { enrollmentId, challenge, ...(created.user ? { user: created.user } : {}), ...(created.group ? { group: created.group } : {}) };
  }

  /**
   * SCEP's challenge check (does not spend it: consume does, once the certificate is to be issued).
   * The challenge only authorizes the subject the profile asked for, CN=<enrollment id>: otherwise
   * one enrollment's challenge could get a certificate named for another.
   */
  async verify(challenge: string, csrSubject: ScepCsrSubject = {}): Promise<ScepChallengeVerdict> {
    if (challenge.length === 0 || challenge.length > 256) return { ok: false };
    const events = await this.store.readStream(scepChallengeStreamId(sha256(challenge)));
    const state = events.reduce((st, e) => scepChallengeDecider.evolve(st, { type: e.type, data: e.data } as ScepChallengeEvent), scepChallengeDecider.initialState());
    if (!state.issued || state.consumed || state.issued.expiresAt <= this.clock.now().toISOString()) return { ok: false };
    // (Without a subject, the caller only asks whose challenge this is, as a consume does.)
    if (csrSubject.commonName !== undefined && csrSubject.commonName !== state.issued.enrollmentId) return { ok: false };
    return { ok: true, enrollmentId: state.issued.enrollmentId };
  }

  /** Spends a one-time challenge; false when it was spent (or expired) meanwhile. */
  async consume(challenge: string): Promise<boolean> {
    const at = this.clock.now().toISOString();
    try {
      const result = await handleCommand(this.store, scepChallengeDecider, scepChallengeStreamId(sha256(challenge)), { commandId: randomUUID(), command: { type: 'ConsumeScepChallenge', challengeHash: sha256(challenge), at }, actor: { kind: 'system', id: 'scep' }, occurredAt: at });
      return result.events.some((e) => e.type === 'ScepChallengeConsumed');
    } catch (error) {
      if (error instanceof DomainError) return false;
      throw error;
    }
  }
}
