import type { ScepChallengeVerdict, ScepChallenges, ScepCsrSubject } from '../../application/ports/scep-challenges.js';

/** Accepts a challenge that any of `sources` accepts (one-time challenges first, then the static one). */
export class AnyScepChallenge implements ScepChallenges {
  constructor(private readonly sources: readonly ScepChallenges[]) {}

  async verify(challenge: string, csrSubject: ScepCsrSubject): Promise<ScepChallengeVerdict> {
    return (await this.accepting(challenge, csrSubject))?.verdict ?? { ok: false };
  }

  async consume(challenge: string): Promise<boolean> {
    const found = await this.accepting(challenge, {});
    if (!found) return false;
    return found.source.consume ? found.source.consume(challenge) : true;
  }

  private async accepting(challenge: string, csrSubject: ScepCsrSubject) {
    for (const source of this.sources) {
      const verdict = await source.verify(challenge, csrSubject);
      if (verdict.ok) return { source, verdict };
    }
    return undefined;
  }
}
