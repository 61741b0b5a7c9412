import { createHash, timingSafeEqual } from 'node:crypto';
import type { ScepChallengeVerdict, ScepChallenges } from '../../application/ports/scep-challenges.js';

/**
 * The static challenge from MDM_SCEP_CHALLENGE: reusable, bound to no enrollment. Both sides are
 * hashed first so the comparison takes the same time whatever the lengths.
 */
export class StaticScepChallenge implements ScepChallenges {
  private readonly expected: Buffer;

  constructor(challenge: string) {
    if (typeof challenge !== 'string' || challenge.length === 0) throw new Error('the static SCEP challenge must not be empty');
    this.expected = digest(challenge);
  }

  async verify(challenge: string): Promise<ScepChallengeVerdict> {
    if (typeof challenge !== 'string') return { ok: false };
    return timingSafeEqual(digest(challenge), this.expected) ? { ok: true } : { ok: false };
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
