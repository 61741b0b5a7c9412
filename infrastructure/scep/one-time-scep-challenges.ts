import { createHash } from 'node:crypto';
import type { ScepChallengeVerdict, ScepChallenges } from '../../application/ports/scep-challenges.js';

/**
 * One-time challenges held in memory, each bound to an enrollment id: for tests, and a stand-in
 * until the enrollment aggregate hands out its own. Kept by hash, so a heap dump shows no challenge.
 */
export class InMemoryOneTimeScepChallenges implements ScepChallenges {
  private readonly pending = new Map<string, string>();

  add(challenge: string, enrollmentId: string): void {
    this.pending.set(key(challenge), enrollmentId);
  }

  async verify(challenge: string): Promise<ScepChallengeVerdict> {
    if (typeof challenge !== 'string') return { ok: false };
    const enrollmentId = this.pending.get(key(challenge));
    return enrollmentId === undefined ? { ok: false } : { ok: true, enrollmentId };
  }

  async consume(challenge: string): Promise<boolean> {
    return this.pending.delete(key(challenge));
  }
}

// A map lookup by digest: the challenge's bytes never decide how long the lookup takes.
function key(challenge: string): string {
  return createHash('sha256').update(challenge, 'utf8').digest('hex');
}
