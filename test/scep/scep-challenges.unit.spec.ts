import { expect } from 'chai';
import { AnyScepChallenge } from '../../infrastructure/scep/any-scep-challenge.js';
import { InMemoryOneTimeScepChallenges } from '../../infrastructure/scep/one-time-scep-challenges.js';
import { StaticScepChallenge } from '../../infrastructure/scep/static-scep-challenge.js';

describe('SCEP challenges', () => {
  it('StaticScepChallenge accepts exactly the configured challenge, any number of times', async () => {
    const challenge = new StaticScepChallenge('correct horse');
    expect(await challenge.verify('correct horse')).to.deep.equal({ ok: true });
    expect(await challenge.verify('correct horse')).to.deep.equal({ ok: true });
    for (const wrong of ['correct hors', 'correct horse ', 'CORRECT HORSE', '', 'x'.repeat(10_000)]) {
      expect(await challenge.verify(wrong), wrong.slice(0, 20)).to.deep.equal({ ok: false });
    }
    expect(await challenge.verify(undefined as unknown as string)).to.deep.equal({ ok: false });
  });

  it('StaticScepChallenge refuses to be configured with an empty challenge', () => {
    expect(() => new StaticScepChallenge('')).to.throw(/must not be empty/);
  });

  it('one-time challenges are bound to their enrollment and can be consumed once', async () => {
    const challenges = new InMemoryOneTimeScepChallenges();
    challenges.add('abc', 'enrollment-1');
    challenges.add('def', 'enrollment-2');
    expect(await challenges.verify('abc')).to.deep.equal({ ok: true, enrollmentId: 'enrollment-1' });
    expect(await challenges.verify('nope')).to.deep.equal({ ok: false });
    expect(await challenges.consume('abc')).to.equal(true);
    expect(await challenges.consume('abc')).to.equal(false);
    expect(await challenges.verify('abc')).to.deep.equal({ ok: false });
    expect(await challenges.verify('def')).to.deep.equal({ ok: true, enrollmentId: 'enrollment-2' });
  });

  it('AnyScepChallenge tries one-time challenges and the static one, and consumes only the one-time kind', async () => {
    const oneTime = new InMemoryOneTimeScepChallenges();
    oneTime.add('once', 'enrollment-9');
    const any = new AnyScepChallenge([oneTime, new StaticScepChallenge('always')]);
    expect(await any.verify('once', {})).to.deep.equal({ ok: true, enrollmentId: 'enrollment-9' });
    expect(await any.verify('always', {})).to.deep.equal({ ok: true });
    expect(await any.verify('neither', {})).to.deep.equal({ ok: false });
    expect(await any.consume('once')).to.equal(true);
    expect(await any.verify('once', {})).to.deep.equal({ ok: false });
    expect(await any.consume('always')).to.equal(true);
    expect(await any.consume('always')).to.equal(true);
    expect(await any.consume('neither')).to.equal(false);
  });
});
