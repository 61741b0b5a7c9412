import { expect } from 'chai';
import type { CertificateAuthority } from '../../application/ports/certificate-authority.js';
import { CertificateChainCheck } from '../../infrastructure/http/device/identity/certificate-chain-check.js';
import { VerifiedCertificateCache } from '../../infrastructure/http/device/identity/verified-certificate-cache.js';
import { LocalCertificateAuthority } from '../../infrastructure/pki/local-certificate-authority.js';
import { createTestCa, issueDeviceIdentity, type TestCa, type TestCertificate } from '../support/pki.js';
import { countingCa, settableClock } from './identity-doubles.js';

const DAY_MS = 86_400_000;

describe('CertificateChainCheck and its cache', function () {
  this.timeout(20_000);
  let testCa: TestCa;
  let device: TestCertificate;

  before(async () => {
    testCa = await createTestCa('Chain Check CA');
    device = await issueDeviceIdentity(testCa, 'UDID-CHAIN');
  });

  it('accepts a certificate of our CA with its subject, serial and notAfter', () => {
    const check = new CertificateChainCheck(testCa.ca, settableClock(new Date()), new VerifiedCertificateCache());
    const result = check.check(device.der);
    expect(result).to.deep.equal({
      ok: true,
      value: {
        sha256: device.issued!.sha256,
        subjectCommonName: 'UDID-CHAIN',
        serialNumber: device.issued!.serialNumber,
        notAfter: device.issued!.notAfter,
      },
    });
  });

  it('verifies the chain once per certificate, then answers from the cache', () => {
    const ca = countingCa(testCa.ca);
    const check = new CertificateChainCheck(ca, settableClock(new Date()), new VerifiedCertificateCache());
    expect(check.check(device.der).ok).to.equal(true);
    expect(check.check(device.der).ok).to.equal(true);
    expect(check.check(Buffer.from(device.der)).ok).to.equal(true);
    expect(ca.verifications).to.equal(1);
  });

  it('checks a cached certificate again once it has expired, and refuses it as expired', () => {
    const ca = countingCa(testCa.ca);
    const clock = settableClock(new Date());
    const check = new CertificateChainCheck(ca, clock, new VerifiedCertificateCache());
    expect(check.check(device.der).ok).to.equal(true);
    clock.set(new Date(device.issued!.notAfter.getTime() + 1_000));
    const result = check.check(device.der);
    expect(!result.ok && result.problem.reason).to.equal('expired');
    expect(!result.ok && result.problem.detail).to.equal(`certificate ${device.issued!.sha256} expired at ${device.issued!.notAfter.toISOString()}`);
    expect(ca.verifications).to.be.greaterThan(1);
  });

  it('refuses a not-yet-valid certificate of our CA as expired, saying so', async () => {
    const futureCa = new LocalCertificateAuthority(testCa.certPem, testCa.privateKey, settableClock(new Date(Date.now() + 30 * DAY_MS)));
    const future = await issueDeviceIdentity({ ...testCa, ca: futureCa }, 'UDID-FUTURE');
    const result = new CertificateChainCheck(testCa.ca, settableClock(new Date()), new VerifiedCertificateCache()).check(future.der);
    expect(!result.ok && result.problem.reason).to.equal('expired');
    expect(!result.ok && result.problem.detail).to.match(/not valid before/);
  });

  it('refuses a certificate of another CA as foreign, also outside its validity', async () => {
    const otherCa = await createTestCa('Other CA');
    const foreign = await issueDeviceIdentity(otherCa, 'UDID-FOREIGN');
    const now = new CertificateChainCheck(testCa.ca, settableClock(new Date()), new VerifiedCertificateCache()).check(foreign.der);
    expect(!now.ok && now.problem).to.deep.equal({ reason: 'foreign-ca', detail: `certificate ${foreign.issued!.sha256} was not issued by the MDM CA` });
    const later = new CertificateChainCheck(testCa.ca, settableClock(new Date(Date.now() + 400 * DAY_MS)), new VerifiedCertificateCache());
    const result = later.check(foreign.der);
    expect(!result.ok && result.problem.reason).to.equal('foreign-ca');
  });

  it('refuses a certificate whose CA signature was tampered with as foreign, and does not cache failures', () => {
    const tampered = Buffer.from(device.der);
    tampered[tampered.length - 3] ^= 0x01;
    const cache = new VerifiedCertificateCache();
    const result = new CertificateChainCheck(testCa.ca, settableClock(new Date()), cache).check(tampered);
    expect(!result.ok && result.problem.reason).to.equal('foreign-ca');
    expect(cache.size).to.equal(0);
  });

  it('refuses bytes that are not a certificate as malformed, and survives a CA that throws', () => {
    const check = new CertificateChainCheck(testCa.ca, settableClock(new Date()), new VerifiedCertificateCache());
    const result = check.check(Buffer.from('not a certificate'));
    expect(!result.ok && result.problem.reason).to.equal('malformed');
    const throwing: CertificateAuthority = {
      certificatePem: () => testCa.certPem,
      certificateDer: () => testCa.ca.certificateDer(),
      issue: (request) => testCa.ca.issue(request),
      verifyIssued: () => {
        throw new Error('boom');
      },
    };
    const fromThrowing = new CertificateChainCheck(throwing, settableClock(new Date()), new VerifiedCertificateCache()).check(device.der);
    expect(!fromThrowing.ok && fromThrowing.problem.reason).to.equal('foreign-ca');
  });

  describe('VerifiedCertificateCache', () => {
    const entry = (n: number, notAfter = new Date(Date.now() + DAY_MS)) => ({ sha256: `hash-${n}`, subjectCommonName: `CN-${n}`, serialNumber: `${n}`, notAfter });
    const now = new Date();

    it('drops the least recently used entry beyond its size', () => {
      const cache = new VerifiedCertificateCache(3);
      for (const n of [1, 2, 3]) cache.set(entry(n));
      expect(cache.get('hash-1', now)?.subjectCommonName).to.equal('CN-1');
      cache.set(entry(4));
      expect(cache.size).to.equal(3);
      expect(cache.get('hash-2', now)).to.equal(undefined);
      expect(cache.get('hash-1', now)).to.not.equal(undefined);
      expect(cache.get('hash-3', now)).to.not.equal(undefined);
      expect(cache.get('hash-4', now)).to.not.equal(undefined);
    });

    it('forgets an entry looked up after its notAfter', () => {
      const cache = new VerifiedCertificateCache();
      cache.set(entry(1, new Date(now.getTime() + 1_000)));
      expect(cache.get('hash-1', now)).to.not.equal(undefined);
      expect(cache.get('hash-1', new Date(now.getTime() + 1_001))).to.equal(undefined);
      expect(cache.size).to.equal(0);
    });

    it('stays at its bound under many distinct certificates', () => {
      const cache = new VerifiedCertificateCache(10_000);
      for (let n = 0; n < 25_000; n++) cache.set(entry(n));
      expect(cache.size).to.equal(10_000);
      expect(cache.get('hash-24999', now)).to.not.equal(undefined);
      expect(cache.get('hash-0', now)).to.equal(undefined);
    });

    it('refuses a size below one', () => {
      expect(() => new VerifiedCertificateCache(0)).to.throw(/maxEntries/);
    });
  });
});
