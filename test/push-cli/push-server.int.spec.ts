import { expect } from 'chai';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pushDataDirPaths, readDataDirPushCredentials } from '../../infrastructure/apns/push-data-dir.js';
import { createTestCa, pooledKeyPair, type TestCa } from '../support/pki.js';
import { runCli, startServerProcess } from '../support/server-process.js';
import { tempDir } from '../support/temp-dir.js';
import { csrPublicKey, pushCertificateFor, topicFor } from './push-fixtures.js';

interface Readiness {
  details: { push: { status: string; certificate?: { status: string; topic: string; source: string } } };
}

describe('the server and the push certificate in the data directory', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let dataDir: string;
  let apple: TestCa;
  let appleCaFile: string;
  const topic = topicFor();
  const passphrase = 'data dir key passphrase';

  before(async () => {
    apple = await createTestCa('Test Apple Push CA (server)');
  });
  beforeEach(() => {
    dir = tempDir('mdm-push-server-');
    dataDir = join(dir.path, 'data');
    appleCaFile = join(dir.path, 'apns-ca.pem');
    writeFileSync(appleCaFile, apple.certPem);
  });
  afterEach(() => dir.remove());

  async function uploadForTopic(t: string): Promise<string> {
    const env = { MDM_DATA_DIR: dataDir, MDM_CA_KEY_PASSPHRASE: passphrase };
    const csr = await runCli(['push', 'csr'], env);
    expect(csr.code, csr.stderr).to.equal(0);
    const file = join(dir.path, 'issued.pem');
    writeFileSync(file, pushCertificateFor(apple, csrPublicKey(csr.stdout), t));
    const upload = await runCli(['push', 'upload', file], env);
    expect(upload.code, upload.stderr).to.equal(0);
    return file;
  }

  // A stand-in address that is never contacted: nothing is pushed in these tests.
  const serverEnv = (extra: Record<string, string> = {}) => ({
    MDM_DATA_DIR: dataDir,
    MDM_CA_KEY_PASSPHRASE: passphrase,
    MDM_APNS_URL: 'https://127.0.0.1:9',
    MDM_APNS_CA_FILE: appleCaFile,
    MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1',
    ...extra,
  });

  it('uses the uploaded certificate when no MDM_PUSH_* is set (encrypted key, /readyz)', async () => {
    await uploadForTopic(topic);
    const server = await startServerProcess(serverEnv());
    try {
      const ready = (await (await fetch(`${server.adminUrl}/readyz`)).json()) as Readiness;
      expect(ready.details.push.certificate).to.deep.include({ status: 'ok', topic, source: 'data-dir' });
      const logged = server.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'push certificate');
      expect(logged).to.deep.include({ source: 'data-dir', location: join(dataDir, 'push', 'push.pem') });
      expect(server.lines.join('\n')).to.not.contain('PRIVATE KEY');
      // The server hands MDM_CA_KEY_PASSPHRASE to the SCEP RA too.
      expect(readFileSync(join(dataDir, 'ca', 'scep-ra.key'), 'utf8')).to.contain('BEGIN ENCRYPTED PRIVATE KEY');
    } finally {
      await server.stop();
    }
  });

  it('prefers MDM_PUSH_* and logs that the data directory\'s certificate is not used', async () => {
    await uploadForTopic(topic);
    const envTopic = topicFor();
    const key = pooledKeyPair();
    const files = { cert: join(dir.path, 'env.pem'), key: join(dir.path, 'env.key') };
    writeFileSync(files.cert, pushCertificateFor(apple, key.publicKey, envTopic));
    writeFileSync(files.key, key.privateKeyPem);
    const server = await startServerProcess(serverEnv({ MDM_PUSH_CERT_FILE: files.cert, MDM_PUSH_KEY_FILE: files.key }));
    try {
      const ready = (await (await fetch(`${server.adminUrl}/readyz`)).json()) as Readiness;
      expect(ready.details.push.certificate).to.deep.include({ topic: envTopic, source: 'environment' });
      const warning = server.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => String(l['msg']).startsWith('two push certificates'));
      expect(warning, server.lines.join('\n')).to.not.equal(undefined);
      expect(warning!['level']).to.equal('warn');
      expect(warning!['used']).to.deep.include({ location: files.cert, topic: envTopic });
      expect(warning!['ignored']).to.deep.include({ location: join(dataDir, 'push', 'push.pem'), topic });
    } finally {
      await server.stop();
    }
  });

  it('finds the right key after an upload interrupted between the certificate and its key', async () => {
    await uploadForTopic(topic);
    const paths = pushDataDirPaths(dataDir);
    // A new request, its certificate written, the key not yet: push.key is the old certificate's.
    const csr = await runCli(['push', 'csr'], { MDM_DATA_DIR: dataDir, MDM_CA_KEY_PASSPHRASE: passphrase });
    const renewed = pushCertificateFor(apple, csrPublicKey(csr.stdout), topic);
    writeFileSync(paths.certificate, renewed);
    const credentials = await readDataDirPushCredentials(paths, passphrase);
    expect(new X509Certificate(credentials!.certPem).checkPrivateKey(createPrivateKey(credentials!.keyPem))).to.equal(true);

    // With neither key matching, the current key is returned and the mismatch reported at start.
    copyFileSync(paths.key, paths.pendingKey);
    const server = await runCli(['serve'], serverEnv());
    expect(server.code).to.equal(1);
    expect(server.stdout + server.stderr).to.contain('does not belong to the push certificate');
  });
});
