import { expect } from 'chai';
import { failureRateLimiter, sourceKey } from '../../infrastructure/http/device/identity/failure-rate-limiter.js';

describe('failureRateLimiter', () => {
  const T0 = Date.parse('2025-01-01T00:00:00Z');

  it('records one failure per source and reason per window', () => {
    const limiter = failureRateLimiter({ windowMs: 60_000, maxKeys: 100 });
    expect(limiter.shouldRecord('198.51.100.1', 'foreign-ca', T0)).to.equal(true);
    expect(limiter.shouldRecord('198.51.100.1', 'foreign-ca', T0 + 1_000)).to.equal(false);
    expect(limiter.shouldRecord('198.51.100.1', 'foreign-ca', T0 + 59_999)).to.equal(false);
    expect(limiter.shouldRecord('198.51.100.1', 'no-certificate', T0 + 1_000)).to.equal(true);
    expect(limiter.shouldRecord('198.51.100.2', 'foreign-ca', T0 + 1_000)).to.equal(true);
    expect(limiter.shouldRecord('198.51.100.1', 'foreign-ca', new Date(T0 + 60_000))).to.equal(true);
    expect(limiter.shouldRecord('198.51.100.1', 'foreign-ca', T0 + 60_001)).to.equal(false);
    expect(limiter.suppressed).to.equal(3);
  });

  it('treats a clock that steps back as inside the window', () => {
    const limiter = failureRateLimiter({ windowMs: 60_000 });
    expect(limiter.shouldRecord('198.51.100.1', 'expired', T0)).to.equal(true);
    expect(limiter.shouldRecord('198.51.100.1', 'expired', T0 - 3_600_000)).to.equal(false);
  });

  it('bounds memory: when full of live windows, new sources are not recorded until windows close', () => {
    const limiter = failureRateLimiter({ windowMs: 60_000, maxKeys: 3 });
    for (let i = 1; i <= 3; i++) expect(limiter.shouldRecord(`203.0.113.${i}`, 'malformed', T0 + i)).to.equal(true);
    expect(limiter.shouldRecord('203.0.113.4', 'malformed', T0 + 10)).to.equal(false);
    expect(limiter.shouldRecord('203.0.113.1', 'malformed', T0 + 20)).to.equal(false);
    // The first window closes: its slot frees, and only that one.
    expect(limiter.shouldRecord('203.0.113.4', 'malformed', T0 + 60_001)).to.equal(true);
    expect(limiter.shouldRecord('203.0.113.5', 'malformed', T0 + 60_001)).to.equal(false);
    // All windows closed: room again.
    expect(limiter.shouldRecord('203.0.113.5', 'malformed', T0 + 200_000)).to.equal(true);
  });

  it('records at most maxKeys per window under a flood of distinct sources', () => {
    const limiter = failureRateLimiter({ windowMs: 60_000, maxKeys: 50 });
    let recorded = 0;
    for (let i = 0; i < 5_000; i++) if (limiter.shouldRecord(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 'no-certificate', T0 + i)) recorded++;
    expect(recorded).to.equal(50);
    expect(limiter.suppressed).to.equal(4_950);
  });

  it('counts an IPv6 /64 as one source and an IPv4-mapped peer as its IPv4 address', () => {
    expect(sourceKey('2001:db8:1:2:aaaa::1')).to.equal(sourceKey('2001:db8:1:2:bbbb::9'));
    expect(sourceKey('2001:db8:1:2::1')).to.not.equal(sourceKey('2001:db8:1:3::1'));
    expect(sourceKey('::ffff:192.0.2.1')).to.equal('192.0.2.1');
    const limiter = failureRateLimiter();
    expect(limiter.shouldRecord('2001:db8:1:2::1', 'foreign-ca', T0)).to.equal(true);
    expect(limiter.shouldRecord('2001:db8:1:2::ffff', 'foreign-ca', T0 + 1)).to.equal(false);
    expect(limiter.shouldRecord('192.0.2.1', 'foreign-ca', T0)).to.equal(true);
    expect(limiter.shouldRecord('::ffff:192.0.2.1', 'foreign-ca', T0 + 1)).to.equal(false);
  });

  it('refuses nonsensical options', () => {
    expect(() => failureRateLimiter({ windowMs: 0 })).to.throw(/windowMs/);
    expect(() => failureRateLimiter({ maxKeys: 0 })).to.throw(/maxKeys/);
  });
});
