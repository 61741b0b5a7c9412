import { expect } from 'chai';
import { failureRateLimiter } from '../../infrastructure/http/device/identity/failure-rate-limiter.js';
import type { IdentityFailure } from '../../infrastructure/http/device/identity/identity-failure.js';
import { identityFixtures, IdentityHarness, type IdentityFixtures } from './identity-fixtures.js';

describe('identity failures recorded through the rate limiter', function () {
  this.timeout(20_000);
  let f: IdentityFixtures;
  const harness = new IdentityHarness(() => f);

  before(async () => (f = await identityFixtures()));
  afterEach(() => harness.stop());
  after(() => harness.expectNever401());

  it('records one failure per source and reason per minute, however many requests fail', async () => {
    const limiter = failureRateLimiter({ windowMs: 60_000, maxKeys: 1_000 });
    const recorded: IdentityFailure[] = [];
    await harness.start({
      onFailure: (failure) => {
        if (limiter.shouldRecord(failure.remoteAddress, failure.reason, harness.clock.now())) recorded.push(failure);
      },
    });
    for (let i = 0; i < 5; i++) await harness.expectRefused({}, 'no-certificate');
    for (let i = 0; i < 3; i++) await harness.expectRefused({ clientCertificate: f.foreignDevice }, 'foreign-ca');
    expect(recorded.map((x) => [x.reason, x.remoteAddress])).to.deep.equal([
      ['no-certificate', '127.0.0.1'],
      ['foreign-ca', '127.0.0.1'],
    ]);
    harness.clock.set(new Date(harness.clock.now().getTime() + 60_000));
    await harness.expectRefused({}, 'no-certificate');
    expect(recorded).to.have.length(3);
    expect(limiter.suppressed).to.equal(6);
  });
});
