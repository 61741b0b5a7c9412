import { expect } from 'chai';
import { LocalCertificateAuthority } from '../../infrastructure/pki/local-certificate-authority.js';
import { startIdentityServer, putMdm, type IdentityRequest, type IdentityResponse, type IdentityServer, type IdentityServerOptions } from '../support/identity-server.js';
import { createTestCa, issueDeviceIdentity, issueServerCertificate, type TestCa, type TestCertificate } from '../support/pki.js';
import { countingCa, settableClock, type CountingCa, type SettableClock } from './identity-doubles.js';

const DAY_MS = 86_400_000;

/** Certificates for the identity tests: ours, another CA's, and an expired one of ours. */
export interface IdentityFixtures {
  readonly testCa: TestCa;
  readonly serverCertificate: TestCertificate;
  readonly device: TestCertificate;
  readonly otherDevice: TestCertificate;
  readonly foreignDevice: TestCertificate;
  readonly expiredDevice: TestCertificate;
}

export async function identityFixtures(): Promise<IdentityFixtures> {
  const testCa = await createTestCa('Identity Test CA');
  const otherCa = await createTestCa('Somebody Else CA');
  // Same CA certificate and key, but a clock 400 days back: a 365-day certificate that expired 35 days ago.
  const pastCa = new LocalCertificateAuthority(testCa.certPem, testCa.privateKey, settableClock(new Date(Date.now() - 400 * DAY_MS)));
  return {
    testCa,
    serverCertificate: await issueServerCertificate(testCa, ['localhost', '127.0.0.1', '::1']),
    device: await issueDeviceIdentity(testCa, 'UDID-IDENTITY-1'),
    otherDevice: await issueDeviceIdentity(testCa, 'UDID-IDENTITY-2'),
    foreignDevice: await issueDeviceIdentity(otherCa, 'UDID-FOREIGN'),
    expiredDevice: await issueDeviceIdentity({ ...testCa, ca: pastCa }, 'UDID-EXPIRED'),
  };
}

/** One server per test, with a counting CA and a clock the test may move; every status is checked for 401. */
export class IdentityHarness {
  server?: IdentityServer;
  ca!: CountingCa;
  clock!: SettableClock;
  readonly statuses: number[] = [];

  constructor(private readonly fixtures: () => IdentityFixtures) {}

  async start(options: Partial<IdentityServerOptions> = {}): Promise<IdentityServer> {
    const { testCa, serverCertificate } = this.fixtures();
    this.ca = countingCa(testCa.ca);
    this.clock = settableClock(new Date());
    this.server = await startIdentityServer({ ca: this.ca, clock: this.clock, serverCertificate, ...options });
    return this.server;
  }

  async put(call: Omit<IdentityRequest, 'port' | 'caPem'> = {}): Promise<IdentityResponse> {
    if (!this.server) throw new Error('start() first');
    const response = await putMdm({ port: this.server.port, caPem: this.fixtures().testCa.certPem, ...call });
    this.statuses.push(response.status);
    return response;
  }

  /** A refusal as Apple's clients must see it: 403, nothing in the body. */
  async expectRefused(call: Omit<IdentityRequest, 'port' | 'caPem'>, reason: string): Promise<void> {
    const before = this.server!.failures.length;
    const response = await this.put(call);
    expect(response.status).to.equal(403);
    expect(response.body.length).to.equal(0);
    expect(this.server!.failures.slice(before).map((f) => f.reason)).to.deep.equal([reason]);
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  expectNever401(): void {
    expect(this.statuses, 'statuses answered').to.not.include(401);
  }
}
