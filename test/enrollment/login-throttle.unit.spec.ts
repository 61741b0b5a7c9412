import { expect } from 'chai';
import { LoginThrottle } from '../../infrastructure/http/device/web-enrollment/login-throttle.js';

const MINUTE = 60_000;

describe('sign-in throttle', () => {
  const throttle = () => new LoginThrottle({ maxFailuresPerUser: 3, maxFailuresPerAddress: 5, windowMs: 15 * MINUTE });

  it('lets a user name fail up to its limit, then makes it wait until the oldest failure leaves the window', () => {
    const t = throttle();
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfterMs('10.0.0.1', 'alice', t0 + i * MINUTE)).to.equal(0);
      t.recordFailure(`10.0.0.${i + 1}`, 'alice', t0 + i * MINUTE);
    }
    // From any address: the limit is the user name's.
    expect(t.retryAfterMs('192.0.2.9', 'alice', t0 + 3 * MINUTE)).to.equal(12 * MINUTE);
    expect(t.retryAfterMs('192.0.2.9', 'alice', t0 + 15 * MINUTE)).to.equal(0);
    expect(t.retryAfterMs('192.0.2.9', 'bob', t0 + 3 * MINUTE), 'other users are not affected').to.equal(0);
  });

  it('limits an address across user names, and counts an IPv6 /64 as one address', () => {
    const t = throttle();
    for (let i = 0; i < 5; i++) t.recordFailure(`2001:db8:1:2::${i + 1}`, `user${i}`, 0);
    expect(t.retryAfterMs('2001:db8:1:2:ffff::1', 'someone-else', 1)).to.be.greaterThan(0);
    expect(t.retryAfterMs('2001:db8:1:3::1', 'someone-else', 1), 'another /64').to.equal(0);
    for (let i = 0; i < 5; i++) t.recordFailure('::ffff:198.51.100.7', undefined, 0);
    expect(t.retryAfterMs('198.51.100.7', undefined, 1), 'an IPv4-mapped address is the IPv4 address').to.be.greaterThan(0);
  });

  it('a success clears the user name, not the address', () => {
    const t = throttle();
    for (let i = 0; i < 2; i++) t.recordFailure('10.0.0.1', 'alice', 0);
    t.recordSuccess('alice');
    t.recordFailure('10.0.0.1', 'alice', 1);
    t.recordFailure('10.0.0.1', 'alice', 2);
    expect(t.retryAfterMs('10.0.0.2', 'alice', 3)).to.equal(0);
    t.recordFailure('10.0.0.1', 'x', 3);
    expect(t.retryAfterMs('10.0.0.1', 'carol', 4), 'five failures from 10.0.0.1 in all').to.be.greaterThan(0);
  });

  it('keeps memory bounded: the least recently failed keys are forgotten first', () => {
    const t = new LoginThrottle({ maxFailuresPerUser: 1, maxFailuresPerAddress: 1000, windowMs: MINUTE, maxKeys: 10 });
    t.recordFailure('10.0.0.1', 'first', 0);
    for (let i = 0; i < 20; i++) t.recordFailure('10.0.0.1', `user${i}`, 0);
    expect(t.retryAfterMs('10.0.0.2', 'first', 1)).to.equal(0);
    expect(t.retryAfterMs('10.0.0.2', 'user19', 1)).to.be.greaterThan(0);
  });

  it('an attempt counts from its start, and a success takes back only its own count', () => {
    const t = throttle();
    for (let i = 0; i < 3; i++) t.beginAttempt('10.0.0.1', 'alice', i);
    expect(t.retryAfterMs('10.0.0.1', 'alice', 3), 'three in flight reach the limit').to.be.greaterThan(0);
    t.attemptSucceeded('10.0.0.1', 'alice', 2);
    expect(t.retryAfterMs('10.0.0.1', 'alice', 3)).to.equal(0);
    // The address keeps the other two attempts.
    for (let i = 0; i < 3; i++) t.recordFailure('10.0.0.1', `u${i}`, 4);
    expect(t.retryAfterMs('10.0.0.1', 'someone', 5), 'two left plus three is the address limit').to.be.greaterThan(0);
  });
});
