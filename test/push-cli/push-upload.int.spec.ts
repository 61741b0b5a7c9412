import { expect } from 'chai';
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { createTestCa, pooledKeyPair, type TestCa } from '../support/pki.js';
import { runCli } from '../support/server-process.js';
import { tempDir } from '../support/temp-dir.js';
import { csrPublicKey, fileText, pendingRequestKey, pushCertificateFor, topicFor } from './push-fixtures.js';

const DAY = 86_400_000;

describe('mdm push upload', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let dataDir: string;
  let apple: TestCa;
  const topicA = topicFor('aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa');
  const topicB = topicFor('bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb');

  before(async () => {
    apple = await createTestCa('Test Apple Push CA');
  });
  beforeEach(() => {
    dir = tempDir('mdm-push-upload-');
    dataDir = join(dir.path, 'data');
  });
  afterEach(() => dir.remove());

  const env = (extra: Record<string, string> = {}) => ({ MDM_DATA_DIR: dataDir, ...extra });
  const pushFile = (name: string) => join(dataDir, 'push', name);

  /** `mdm push csr`, then what Apple would issue for it. */
  async function requestAndIssue(topic: string, validity?: { notBefore: Date; notAfter: Date }, extraEnv: Record<string, string> = {}): Promise<string> {
    const csr = await runCli(['push', 'csr', '--force'], env(extraEnv));
    expect(csr.code, csr.stderr).to.equal(0);
    const path = join(dir.path, `issued-${Math.random().toString(16).slice(2)}.pem`);
    writeFileSync(path, pushCertificateFor(apple, csrPublicKey(csr.stdout), topic, validity));
    return path;
  }

  async function installations(): Promise<RecordedEvent[]> {
    const store = new SqliteEventStore(join(dataDir, 'events.db'));
    try {
      return await store.readStream('push-certificate');
    } finally {
      await store.close();
    }
  }

  /** Every file of push/ with its bytes: a refusal must leave them all as they were. */
  function snapshot(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of readdirSync(join(dataDir, 'push'))) out[name] = readFileSync(pushFile(name)).toString('base64');
    return out;
  }

  it('installs the certificate issued for the pending request and records PushCertificateInstalled', async () => {
    const issued = await requestAndIssue(topicA);
    const pendingKeyPem = fileText(pendingRequestKey(dataDir));
    const r = await runCli(['push', 'upload', issued], env({ USER: 'alice' }));
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('push certificate installed').and.to.contain(`topic:       ${topicA}`);
    expect(r.stderr).to.contain('restart the server');

    expect(statSync(pushFile('push.pem')).mode & 0o777).to.equal(0o600);
    expect(statSync(pushFile('push.key')).mode & 0o777).to.equal(0o600);
    expect(existsSync(pendingRequestKey(dataDir))).to.equal(false);
    const certificate = new X509Certificate(fileText(pushFile('push.pem')));
    expect(certificate.raw.equals(new X509Certificate(fileText(issued)).raw)).to.equal(true);
    expect(createPublicKey(createPrivateKey(fileText(pushFile('push.key')))).export({ type: 'spki', format: 'der' }))
      .to.deep.equal(createPublicKey(createPrivateKey(pendingKeyPem)).export({ type: 'spki', format: 'der' }));

    const events = await installations();
    expect(events.map((e) => e.type)).to.deep.equal(['PushCertificateInstalled']);
    expect(events[0]!.data).to.deep.include({
      topic: topicA,
      serialNumber: certificate.serialNumber.toLowerCase(),
      sha256: createHash('sha256').update(certificate.raw).digest('hex'),
      notBefore: new Date(certificate.validFrom).toISOString(),
      notAfter: new Date(certificate.validTo).toISOString(),
      installedBy: 'admin:alice',
    });
    expect(events[0]!.data).to.not.have.property('replacedTopic');
    expect(JSON.stringify(events[0]!.data)).to.not.contain('PRIVATE');

    const show = await runCli(['push', 'show'], env());
    expect(show.code, show.stderr).to.equal(0);
    expect(show.stdout).to.contain(`topic:       ${topicA}`).and.to.contain('source:      data directory').and.to.match(/days left: +36\d/);
    expect(show.stdout).to.contain('installed:   ' + topicA).and.to.contain('by admin:alice');
  });

  it('renews for the same topic with a new key; uploading the same certificate again records nothing', async () => {
    const first = await requestAndIssue(topicA);
    expect((await runCli(['push', 'upload', first], env())).code).to.equal(0);
    const renewal = await requestAndIssue(topicA);
    const renewed = await runCli(['push', 'upload', renewal], env());
    expect(renewed.code, renewed.stderr).to.equal(0);
    expect(renewed.stdout).to.contain('key:         pending request');
    const again = await runCli(['push', 'upload', renewal], env());
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.contain('already installed');
    expect(again.stdout).to.contain('key:         current push key');
    expect((await installations()).map((e) => (e.data as { topic: string }).topic)).to.deep.equal([topicA, topicA]);
  });

  it('refuses a renewal for another topic, naming both, and changes nothing; --allow-topic-change installs it', async () => {
    expect((await runCli(['push', 'upload', await requestAndIssue(topicA)], env())).code).to.equal(0);
    const other = await requestAndIssue(topicB);
    const before = snapshot();

    const refused = await runCli(['push', 'upload', other], env());
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain(topicA).and.to.contain(topicB).and.to.contain('orphaned').and.to.contain('--allow-topic-change');
    expect(refused.stdout).to.equal('');
    expect(snapshot()).to.deep.equal(before);
    expect(await installations()).to.have.length(1);

    const allowed = await runCli(['push', 'upload', other, '--allow-topic-change'], env());
    expect(allowed.code, allowed.stderr).to.equal(0);
    expect(allowed.stdout).to.contain(`TOPIC CHANGED from ${topicA}`);
    const events = await installations();
    expect(events).to.have.length(2);
    expect(events[1]!.data).to.deep.include({ topic: topicB, replacedTopic: topicA });
  });

  it('takes the topic in use from the last installation when the certificate files are gone', async () => {
    expect((await runCli(['push', 'upload', await requestAndIssue(topicA)], env())).code).to.equal(0);
    rmSync(pushFile('push.pem'));
    rmSync(pushFile('push.key'));
    const refused = await runCli(['push', 'upload', await requestAndIssue(topicB)], env());
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain(topicA).and.to.contain(topicB);
    expect(existsSync(pushFile('push.pem'))).to.equal(false);
  });

  it('takes the topic in use from MDM_PUSH_* when set, and says the server keeps using that certificate', async () => {
    const envKey = pooledKeyPair();
    const files = { cert: join(dir.path, 'env-push.pem'), key: join(dir.path, 'env-push.key') };
    writeFileSync(files.cert, pushCertificateFor(apple, envKey.publicKey, topicA));
    writeFileSync(files.key, envKey.privateKeyPem);
    const fromEnv = { MDM_PUSH_CERT_FILE: files.cert, MDM_PUSH_KEY_FILE: files.key };

    const refused = await runCli(['push', 'upload', await requestAndIssue(topicB)], env(fromEnv));
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain(topicA).and.to.contain(topicB);

    const accepted = await runCli(['push', 'upload', await requestAndIssue(topicA)], env(fromEnv));
    expect(accepted.code, accepted.stderr).to.equal(0);
    expect(accepted.stderr).to.contain('MDM_PUSH_* is set');
    const show = await runCli(['push', 'show'], env(fromEnv));
    expect(show.stdout).to.contain(`source:      MDM_PUSH_* (environment): ${files.cert}`);
  });

  it('refuses a certificate for another key, and an expired one, changing nothing', async () => {
    expect((await runCli(['push', 'upload', await requestAndIssue(topicA)], env())).code).to.equal(0);
    await runCli(['push', 'csr'], env());
    const before = snapshot();

    const stranger = join(dir.path, 'stranger.pem');
    writeFileSync(stranger, pushCertificateFor(apple, pooledKeyPair().publicKey, topicA));
    const mismatch = await runCli(['push', 'upload', stranger], env());
    expect(mismatch.code).to.equal(1);
    expect(mismatch.stderr).to.contain('belongs to neither');

    const pendingPublicKey = createPublicKey(createPrivateKey(fileText(pendingRequestKey(dataDir))));
    const expired = join(dir.path, 'expired.pem');
    writeFileSync(expired, pushCertificateFor(apple, pendingPublicKey, topicA, { notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) }));
    const late = await runCli(['push', 'upload', expired], env());
    expect(late.code).to.equal(1);
    expect(late.stderr).to.contain('expired');

    const notPush = join(dir.path, 'apple-ca.pem');
    writeFileSync(notPush, apple.certPem);
    const wrongKind = await runCli(['push', 'upload', notPush], env());
    expect(wrongKind.code).to.equal(1);
    expect(wrongKind.stderr).to.contain('no subject UID');

    const garbage = join(dir.path, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate');
    const unreadable = await runCli(['push', 'upload', garbage], env());
    expect(unreadable.code).to.equal(1);
    expect(unreadable.stderr).to.contain('not a PEM or DER X.509 certificate');

    expect(snapshot()).to.deep.equal(before);
    expect(await installations()).to.have.length(1);
  });

  it('refuses without a pending request or current key, and with bad usage', async () => {
    const stranger = join(dir.path, 'stranger.pem');
    writeFileSync(stranger, pushCertificateFor(apple, pooledKeyPair().publicKey, topicA));
    const r = await runCli(['push', 'upload', stranger], env());
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("run 'mdm push csr' first");
    expect((await runCli(['push', 'upload'], env())).code).to.equal(2);
    expect((await runCli(['push', 'upload', stranger, '--p12', stranger], env())).code).to.equal(2);
    expect((await runCli(['push', 'frobnicate'], env())).code).to.equal(2);
  });

  it('installs a PKCS#12 bundle with its own key, keeping the key encrypted with MDM_CA_KEY_PASSPHRASE', async () => {
    const key = pooledKeyPair();
    const certPem = pushCertificateFor(apple, key.publicKey, topicA);
    const p12 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(key.privateKeyPem), [forge.pki.certificateFromPem(certPem)], 'bundle-pw', { algorithm: '3des' });
    const file = join(dir.path, 'push.p12');
    writeFileSync(file, Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
    const passphrase = 'data dir key passphrase';

    const wrong = await runCli(['push', 'upload', '--p12', file], env({ MDM_IMPORT_P12_PASSWORD: 'nope', MDM_CA_KEY_PASSPHRASE: passphrase }));
    expect(wrong.code).to.equal(1);
    expect(wrong.stderr).to.contain('MDM_IMPORT_P12_PASSWORD');
    expect(existsSync(pushFile('push.pem'))).to.equal(false);
    const r = await runCli(['push', 'upload', '--p12', file], env({ MDM_IMPORT_P12_PASSWORD: 'bundle-pw', MDM_CA_KEY_PASSPHRASE: passphrase }));
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('key:         bundle');
    const stored = fileText(pushFile('push.key'));
    expect(stored).to.contain('BEGIN ENCRYPTED PRIVATE KEY');
    expect(new X509Certificate(certPem).checkPrivateKey(createPrivateKey({ key: stored, passphrase }))).to.equal(true);
    expect(r.stdout + r.stderr).to.not.contain('bundle-pw');
  });

  it('is included in mdm backup, the pending request\'s key too', async () => {
    expect((await runCli(['push', 'upload', await requestAndIssue(topicA)], env())).code).to.equal(0);
    expect((await runCli(['push', 'csr'], env())).code).to.equal(0);
    const out = join(dir.path, 'backup');
    const backup = await runCli(['backup', '--out', out], env());
    expect(backup.code, backup.stderr).to.equal(0);
    for (const name of ['push.pem', 'push.key', 'pending.key']) {
      expect(backup.stdout).to.contain(`push/${name}`);
      expect(readFileSync(join(out, 'push', name))).to.deep.equal(readFileSync(pushFile(name)));
      expect(statSync(join(out, 'push', name)).mode & 0o777).to.equal(0o600);
    }
  });
});
