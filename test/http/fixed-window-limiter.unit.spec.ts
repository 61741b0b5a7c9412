import { expect } from 'chai';
import { FixedWindowLimiter } from '../../infrastructure/http/rate-limit/fixed-window-limiter.js';

describe('FixedWindowLimiter', () => {
  const t0 = 1_000_000;

  it('allows `limit` hits per key in a window, then says how long until the window ends', () => {
    const limiter = new FixedWindowLimiter({ limit: 3, windowMs: 60_000 });
    expect([limiter.take('a', t0), limiter.take('a', t0 + 1_000), limiter.take('a', t0 + 2_000)]).to.deep.equal([0, 0, 0]);
    expect(limiter.take('a', t0 + 10_000)).to.equal(50_000);
    expect(limiter.take('b', t0 + 10_000), 'another key has its own count').to.equal(0);
    expect(limiter.take('a', t0 + 59_999)).to.equal(1);
    expect(limiter.take('a', t0 + 60_000), 'a new window').to.equal(0);
    expect(limiter.take('a', t0 + 60_001)).to.equal(0);
  });

  it('refused hits do not extend the wait', () => {
    const limiter = new FixedWindowLimiter({ limit: 1, windowMs: 1_000 });
    limiter.take('a', t0);
    for (let i = 1; i < 10; i++) expect(limiter.take('a', t0 + i * 100)).to.equal(1_000 - i * 100);
    expect(limiter.take('a', t0 + 1_000)).to.equal(0);
  });

  it('add counts failures without asking; retryAfterMs asks without counting', () => {
    const limiter = new FixedWindowLimiter({ limit: 2, windowMs: 1_000 });
    expect(limiter.retryAfterMs('a', t0)).to.equal(0);
    limiter.add('a', t0);
    expect(limiter.retryAfterMs('a', t0 + 10)).to.equal(0);
    limiter.add('a', t0 + 20);
    expect(limiter.retryAfterMs('a', t0 + 500)).to.equal(500);
    expect(limiter.retryAfterMs('a', t0 + 1_000)).to.equal(0);
  });

  it('a clock that steps back keeps the window', () => {
    const limiter = new FixedWindowLimiter({ limit: 1, windowMs: 1_000 });
    limiter.take('a', t0);
    expect(limiter.take('a', t0 - 5_000)).to.be.greaterThan(0);
  });

  it('stays within maxKeys: ended windows are swept, then the oldest is dropped', () => {
    const limiter = new FixedWindowLimiter({ limit: 1, windowMs: 1_000, maxKeys: 3 });
    limiter.take('a', t0);
    limiter.take('b', t0 + 100);
    limiter.take('c', t0 + 200);
    limiter.take('d', t0 + 1_050);
    expect(limiter.size, 'a ended and was swept').to.equal(3);
    expect(limiter.take('b', t0 + 1_060), 'b is still counted').to.be.greaterThan(0);
    limiter.take('e', t0 + 1_070);
    limiter.take('f', t0 + 1_080);
    expect(limiter.size).to.equal(3);
    for (let i = 0; i < 1_000; i++) limiter.take(`flood-${i}`, t0 + 1_090);
    expect(limiter.size).to.equal(3);
  });

  it('refuses nonsense limits', () => {
    expect(() => new FixedWindowLimiter({ limit: 0, windowMs: 1_000 })).to.throw();
    expect(() => new FixedWindowLimiter({ limit: 1, windowMs: 0 })).to.throw();
    expect(() => new FixedWindowLimiter({ limit: 1, windowMs: 1_000, maxKeys: 0 })).to.throw();
  });
});
