import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { buildEnrollmentProfile } from '../../infrastructure/enrollment/enrollment-profile.js';
import { encryptProfileContent, ProfileEncryptionError } from '../../infrastructure/enrollment/encrypt-profile.js';
import { AppleDeviceCa } from '../../infrastructure/enrollment/ota/apple-device-ca.js';
import { DeviceAnswerContentError, parseDeviceAnswerContent } from '../../infrastructure/enrollment/ota/device-answer-content.js';
import { verifySignedDeviceAnswer } from '../../infrastructure/enrollment/ota/signed-device-answer.js';
import { buildProfileServicePayload } from '../../infrastructure/enrollment/profile-service-payload.js';
import { asDict, buildXmlPlist, getData, getString, parsePlist } from '../../infrastructure/plist/index.js';
import { answerPlist, openEnvelopedData, signAttachedCms, standInAppleCa, type StandInAppleCa } from '../support/ota-device.js';
import { createTestCa, issueDeviceIdentity, type TestCa, type TestCertificate } from '../support/pki.js';
import { opensslCliAvailable } from '../support/scep-tools.js';
import { tempDir } from '../support/temp-dir.js';

const UDID = '00008030-001A2B3C4D5E6F70';
const ANSWER = answerPlist({ UDID, VERSION: '22A3354', PRODUCT: 'iPhone15,2', SERIAL: 'F2LXK0Q1', IMEI: '35 123456 789012 3', DEVICE_NAME: 'Alice’s iPhone', CHALLENGE: 'c-1', MAC_ADDRESS_EN0: 'aa:bb' });

function opensslSignAttached(content: Buffer, signer: { certPem: string; keyPem: string }, dir: string, extra: string[] = []): Buffer {
  writeFileSync(join(dir, 'content'), content);
  writeFileSync(join(dir, 'signer.pem'), signer.certPem);
  writeFileSync(join(dir, 'signer.key'), signer.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'extra.pem'), extra.join(''));
  execFileSync('openssl', ['cms', '-sign', '-nodetach', '-binary', '-outform', 'DER', '-md', 'sha256', '-signer', join(dir, 'signer.pem'), '-inkey', join(dir, 'signer.key'), ...(extra.length ? ['-certfile', join(dir, 'extra.pem')] : []), '-in', join(dir, 'content'), '-out', join(dir, 'signed.der')]);
  return readFileSync(join(dir, 'signed.der'));
}

describe('OTA answers, Apple\'s device CA and encrypted profiles', function () {
  this.timeout(30_000);
  let apple: StandInAppleCa;
  let device: TestCertificate;
  let dir: ReturnType<typeof tempDir>;
  let ours: TestCa;

  before(async () => {
    apple = standInAppleCa(await createTestCa('Stand-in Apple Root'));
    device = apple.device(UDID);
    ours = await createTestCa('MDM CA for OTA tests');
    dir = tempDir('mdm-ota-answers-');
  });

  after(() => dir?.remove());

  it('verifies an answer signed by forge and one signed by openssl, returning the content and the certificates carried', function () {
    const forged = verifySignedDeviceAnswer(signAttachedCms(ANSWER, device, [apple.intermediate.certPem]));
    expect(forged.ok && forged.answer.content.equals(ANSWER)).to.equal(true);
    expect(forged.ok && forged.answer.signerDer.equals(device.der)).to.equal(true);
    expect(forged.ok && forged.answer.certificatesDer.length).to.equal(2);
    if (!opensslCliAvailable) {
      console.log('      (openssl missing: no second signer)');
      return;
    }
    const viaOpenssl = verifySignedDeviceAnswer(opensslSignAttached(ANSWER, device, dir.path, [apple.intermediate.certPem]));
    expect(viaOpenssl.ok && viaOpenssl.answer.content.equals(ANSWER)).to.equal(true);
  });

  it('refuses detached signatures, altered content, garbage and truncations without throwing', () => {
    const signed = signAttachedCms(ANSWER, device);
    const altered = Buffer.from(signed);
    const at = altered.indexOf(Buffer.from('iPhone15,2'));
    altered[at] = 0x4a;
    expect(verifySignedDeviceAnswer(altered)).to.include({ ok: false, reason: 'bad-signature' });
    expect(verifySignedDeviceAnswer(Buffer.from('hello'))).to.include({ ok: false, reason: 'malformed' });
    for (let length = 0; length < signed.length; length += 97) {
      expect(verifySignedDeviceAnswer(signed.subarray(0, length)).ok, `length ${length}`).to.equal(false);
    }
    if (opensslCliAvailable) {
      writeFileSync(join(dir.path, 'c'), ANSWER);
      writeFileSync(join(dir.path, 's.pem'), device.certPem);
      writeFileSync(join(dir.path, 's.key'), device.keyPem, { mode: 0o600 });
      const detached = execFileSync('openssl', ['cms', '-sign', '-binary', '-outform', 'DER', '-signer', join(dir.path, 's.pem'), '-inkey', join(dir.path, 's.key'), '-in', join(dir.path, 'c')]);
      expect(verifySignedDeviceAnswer(detached)).to.include({ ok: false, reason: 'malformed' });
    }
  });

  it('reads Apple\'s attribute names, ignores extra keys, refuses what is not a device answer', () => {
    expect(parseDeviceAnswerContent(ANSWER)).to.deep.equal({
      attributes: { udid: UDID, version: '22A3354', product: 'iPhone15,2', serialNumber: 'F2LXK0Q1', imei: '35 123456 789012 3', deviceName: 'Alice’s iPhone' },
      challenge: 'c-1',
    });
    for (const bad of [answerPlist({ VERSION: '1' }), answerPlist({ UDID: '../../etc' }), answerPlist({ UDID, PRODUCT: 'x'.repeat(300) }), Buffer.from(buildXmlPlist([UDID])), Buffer.from('<plist')]) {
      expect(() => parseDeviceAnswerContent(bad)).to.throw(DeviceAnswerContentError);
    }
  });

  it('chains a signer through the intermediate it carries to the configured root, and nothing else', async () => {
    const bundle = AppleDeviceCa.fromPem(apple.root.certPem);
    expect(bundle.issued(device.der, [apple.intermediate.der])).to.equal(true);
    expect(bundle.issued(device.der, []), 'without the intermediate').to.equal(false);
    expect(AppleDeviceCa.fromPem(apple.intermediate.certPem).issued(device.der, []), 'the intermediate as the anchor').to.equal(true);
    const foreign = await issueDeviceIdentity(ours, UDID);
    expect(bundle.issued(foreign.der, [apple.intermediate.der, ours.ca.certificateDer()])).to.equal(false);
    // A leaf posing as an intermediate (not a CA) does not extend the chain.
    const leafAsIssuer = apple.device('FAKE-INTERMEDIATE');
    expect(bundle.issued(device.der, [leafAsIssuer.der])).to.equal(false);
    expect(bundle.issued(Buffer.from('junk'), [])).to.equal(false);
    expect(() => AppleDeviceCa.fromPem('no certificates here')).to.throw(/no PEM certificate/);
    await AppleDeviceCa.load(join(dir.path, 'missing.pem')).then(() => expect.fail('should refuse'), (error: Error) => expect(error.message).to.contain('MDM_OTA_APPLE_CA_FILE'));
  });

  it('encrypts the payloads to the device certificate: forge and openssl cms decrypt them, the metadata stays readable', async function () {
    const identity = await issueDeviceIdentity(ours, 'enrollment-1');
    const profile = buildEnrollmentProfile({ publicUrl: 'https://mdm.example.com', topic: 'com.apple.mgmt.External.t', caCertificateDer: ours.ca.certificateDer(), challenge: 'secret-challenge', enrollmentId: 'enrollment-1', organization: 'Org', signMessage: true, pinToCa: true });
    const encrypted = encryptProfileContent(profile, identity.der);
    expect(Object.keys(encrypted).sort()).to.deep.equal(['EncryptedPayloadContent', 'IsEncrypted', 'PayloadDescription', 'PayloadDisplayName', 'PayloadIdentifier', 'PayloadOrganization', 'PayloadType', 'PayloadUUID', 'PayloadVersion']);
    const xml = buildXmlPlist(encrypted);
    expect(xml).to.not.contain('secret-challenge');
    const envelope = getData(asDict(parsePlist(Buffer.from(xml))), 'EncryptedPayloadContent');
    const inner = parsePlist(openEnvelopedData(envelope, identity)) as unknown[];
    expect(inner.map((p) => getString(asDict(p), 'PayloadType'))).to.deep.equal(['com.apple.security.root', 'com.apple.security.scep', 'com.apple.mdm']);
    expect(() => openEnvelopedData(envelope, device), 'another certificate cannot open it').to.throw();
    if (!opensslCliAvailable) {
      console.log('      (openssl missing: not decrypted with openssl cms)');
      return;
    }
    writeFileSync(join(dir.path, 'env.der'), envelope);
    writeFileSync(join(dir.path, 'id.pem'), identity.certPem);
    writeFileSync(join(dir.path, 'id.key'), identity.keyPem, { mode: 0o600 });
    const printed = spawnSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', join(dir.path, 'env.der')], { encoding: 'utf8' });
    expect(printed.stdout).to.contain('aes-256-cbc');
    const decrypted = spawnSync('openssl', ['cms', '-decrypt', '-inform', 'DER', '-in', join(dir.path, 'env.der'), '-recip', join(dir.path, 'id.pem'), '-inkey', join(dir.path, 'id.key')]);
    expect(decrypted.status, decrypted.stderr.toString()).to.equal(0);
    expect(decrypted.stdout.toString()).to.contain('<string>com.apple.mdm</string>');
  });

  it('refuses to encrypt to a key that is not RSA', function () {
    if (!opensslCliAvailable) {
      console.log('      (openssl missing: no EC certificate to try)');
      this.skip();
    }
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=ec', '-days', '1', '-keyout', join(dir.path, 'ec.key'), '-out', join(dir.path, 'ec.pem')], { stdio: 'ignore' });
    const der = Buffer.from(readFileSync(join(dir.path, 'ec.pem'), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    expect(() => encryptProfileContent({ PayloadContent: [] }, der)).to.throw(ProfileEncryptionError);
  });

  it('top-level keys of the encrypted profile and the Profile Service payload\'s common keys are Apple\'s', async function () {
    let root = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(root, 'package.json'))) root = dirname(root);
    const topLevel = resolve(root, '../shared/reference/apple-device-management/mdm/profiles/TopLevel.yaml');
    if (!existsSync(topLevel)) {
      console.log(`      (skipped: ${topLevel} not present)`);
      this.skip();
    }
    const schema = load(readFileSync(topLevel, 'utf8')) as { payloadkeys: { key: string; type: string }[] };
    const keys = new Map(schema.payloadkeys.map((k) => [k.key, k.type]));
    const identity = await issueDeviceIdentity(ours, 'enrollment-2');
    const encrypted = encryptProfileContent(buildEnrollmentProfile({ publicUrl: 'https://mdm.example.com', topic: 't', caCertificateDer: ours.ca.certificateDer(), challenge: 'c', enrollmentId: 'e', organization: 'Org', signMessage: true, pinToCa: false }), identity.der);
    for (const key of Object.keys(encrypted)) expect(keys.has(key), key).to.equal(true);
    expect(keys.get('EncryptedPayloadContent')).to.equal('<data>');
    expect(keys.get('IsEncrypted')).to.equal('<boolean>');
    const service = buildProfileServicePayload({ publicUrl: 'https://mdm.example.com', enrollmentId: 'e', challenge: 'c', organization: 'Org' });
    for (const key of Object.keys(service).filter((k) => k !== 'PayloadType' && k !== 'PayloadContent')) expect(keys.has(key), key).to.equal(true);
  });
});
