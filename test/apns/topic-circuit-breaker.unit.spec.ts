import { expect } from 'chai';
import { TopicCircuitBreaker } from '../../application/push/topic-circuit-breaker.js';
import { ManualTime } from './manual-time.js';

const MINUTE = 60_000;

describe('TopicCircuitBreaker', () => {
  it('opens on a fault, lets one probe through after the cool-down, and doubles the cool-down up to its cap on failed probes', async () => {
    const time = new ManualTime();
    const changes: string[] = [];
    const breaker = new TopicCircuitBreaker(time, 5 * MINUTE, 15 * MINUTE, (topic, state) => changes.push(`${topic}:${state}`));
    expect(breaker.admit('T')).to.equal('pass');
    breaker.recordFault('T', 'BadCertificate', 'pass');
    breaker.recordFault('T', 'BadCertificate', 'pass');
    expect(breaker.admit('T')).to.equal('blocked');
    expect(breaker.admit('other')).to.equal('pass');

    const cooldowns: number[] = [];
    for (let i = 0; i < 4; i++) {
      const reopensAt = breaker.reopensAt('T')!.getTime();
      cooldowns.push(reopensAt - time.now().getTime());
      await time.advance(reopensAt - time.now().getTime() - 1);
      expect(breaker.admit('T'), 'still cooling down').to.equal('blocked');
      await time.advance(1);
      expect(breaker.admit('T')).to.equal('probe');
      expect(breaker.admit('T'), 'one probe at a time').to.equal('blocked');
      breaker.recordFault('T', 'BadCertificate', 'probe');
    }
    expect(cooldowns).to.deep.equal([5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 15 * MINUTE]);

    await time.advance(15 * MINUTE);
    expect(breaker.admit('T')).to.equal('probe');
    breaker.recordInconclusive('T', 'probe');
    expect(breaker.reopensAt('T')!.getTime() - time.now().getTime(), 'same cool-down after an inconclusive probe').to.equal(15 * MINUTE);
    await time.advance(15 * MINUTE);
    expect(breaker.admit('T')).to.equal('probe');
    breaker.recordHealthy('T', 'probe');
    expect(breaker.state('T')).to.equal('closed');
    expect(breaker.faults()).to.deep.equal([]);
    expect(changes.at(0)).to.equal('T:open');
    expect(changes.at(-1)).to.equal('T:closed');
  });

  it('is not closed by pushes that were admitted before it opened', () => {
    const time = new ManualTime();
    const breaker = new TopicCircuitBreaker(time, MINUTE, MINUTE);
    breaker.recordFault('T', 'DeviceTokenNotForTopic', 'pass');
    breaker.recordHealthy('T', 'pass');
    expect(breaker.state('T')).to.equal('open');
    expect(breaker.faults()).to.have.length(1);
    expect(breaker.faults()[0]).to.deep.include({ topic: 'T', state: 'open', reason: 'DeviceTokenNotForTopic' });
  });
});
