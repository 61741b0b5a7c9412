import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import forge from 'node-forge';
import { REVOCATIONS_STREAM } from '../../application/certificates/certificate-revocations.js';
import { renewalCommandUuid } from '../../application/certificates/identity-renewal.js';
import { issuedCertificateStreamId, type CertificateIssued } from '../../application/certificates/issued-certificates.js';
import { EnrollmentTokens } from '../../application/enrollment/enrollment-tokens.js';
import { systemClock } from '../../application/ports/clock.js';
import { deviceStreamId } from '../../domain/device/device.js';
import { securityStreamId } from '../../domain/security/identity-refused.js';
import { startServer, type RunningServer } from '../../infrastructure/composition-root.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { asDict, getArray, getDict, getString, parsePlist, type PlistDict } from '../../infrastructure/plist/index.js';
import { settableClock, type SettableClock } from '../identity/identity-doubles.js';
import { ApnsStandIn } from '../support/apns-standin.js';
import { startApnsWithPushFiles } from '../support/apns-push-files.js';
import { issueDeviceIdentity, pooledKeyPair, type TestCa } from '../support/pki.js';
import { buildPkiMessage, issuedCertificate, parseCertRep, selfSignedSigner } from '../support/scep-client-message.js';
import { opensslCliAvailable } from '../support/scep-tools.js';
import { runCli } from '../support/server-process.js';
import { filesContaining } from '../support/find-secret.js';
import { tempDir } from '../support/temp-dir.js';
import { TestDevice } from '../support/test-device.js';

const DAY = 24 * 3600_000;
const sha256Of = (pem: string) => new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();

function httpsCall(url: string, ca: string, method: 'GET' | 'POST', body?: Buffer): Promise<{ status: number; type?: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, servername: 'localhost', headers: body ? { 'content-type': 'application/x-pki-message', 'content-length': String(body.length) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(res.headers['content-type'] ? { type: res.headers['content-type'] } : {}), body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The profile inside an InstallProfile payload: CMS-signed (forge reads the content) or plain XML. */
function profileOf(payload: Buffer): PlistDict {
  if (payload.subarray(0, 5).toString() === '<?xml') return asDict(parsePlist(payload));
  const p7 = forge.pkcs7.messageFromAsn1(forge.asn1.fromDer(payload.toString('binary'))) as unknown as { rawCapture: { content?: forge.asn1.Asn1 } };
  const collect = (node: forge.asn1.Asn1): string => (typeof node.value === 'string' ? node.value : node.value.map(collect).join(''));
  return asDict(parsePlist(Buffer.from(collect(p7.rawCapture.content!), 'binary')));
}

describe('certificate lifecycle, end to end: revocation, CRL, identity renewal', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let apns: ApnsStandIn;
  let server: RunningServer;
  let clock: SettableClock;
  let caPem: string;
  let topic: string;
  let mdmCa: FileCertificateAuthority;
  let env: Record<string, string>;
  const devices: TestDevice[] = [];

  const logs: string[] = [];
  const start = async () => {
    server = await startServer(loadConfig(env), jsonLogger({ write: (line) => logs.push(line), level: 'debug' }), clock);
  };

  before(async () => {
    dir = tempDir();
    mdmCa = await FileCertificateAuthority.openOrCreate(join(dir.path, 'ca'), { keyBits: 2048 });
    caPem = mdmCa.certificatePem();
    ({ apns, topic } = await startApnsWithPushFiles(dir.path));
    env = {
      MDM_DATA_DIR: dir.path, MDM_AUTOMATION: 'false', MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1',
      MDM_PUBLIC_URL: 'https://mdm.example.com', MDM_PUSH_CERT_FILE: join(dir.path, 'push.pem'), MDM_PUSH_KEY_FILE: join(dir.path, 'push.key'),
      MDM_APNS_URL: apns.url, MDM_APNS_CA_FILE: join(dir.path, 'apns-ca.pem'),
    };
    clock = settableClock(new Date());
    await start();
  });

  after(async () => {
    for (const d of devices) d.close();
    await server?.stop();
    await apns?.stop();
    dir?.remove();
  });

  const deviceUrl = () => server.deviceUrl.replace('127.0.0.1', 'localhost');

  async function read(streamId: string) {
    const reader = new SqliteEventStore(join(dir.path, 'events.db'));
    try {
      return await reader.readStream(streamId);
    } finally {
      await reader.close();
    }
  }

  /** SCEP PKCSReq at the server's own /scep, as a device installing the profile does. */
  async function scepEnroll(commonName: string, challenge: string): Promise<{ certPem: string; keyPem: string }> {
    const key = pooledKeyPair();
    const client = selfSignedSigner(key, commonName);
    const raPem = readFileSync(join(dir.path, 'ca', 'scep-ra.pem'), 'utf8');
    const answer = await httpsCall(`${deviceUrl()}/scep?operation=PKIOperation`, caPem, 'POST', buildPkiMessage(client, raPem, { commonName, challenge }));
    expect(answer.status).to.equal(200);
    const rep = parseCertRep(answer.body);
    expect(rep.pkiStatus, 'SCEP status').to.equal('0');
    return { certPem: issuedCertificate(rep.content, client), keyPem: key.privateKeyPem };
  }

  /** Enrollment token → profile → SCEP → Authenticate → TokenUpdate, all through the running server. */
  async function enrollThroughProfile(): Promise<{ device: TestDevice; profile: PlistDict; sha256: string }> {
    const store = new SqliteEventStore(join(dir.path, 'events.db'));
    let token: string;
    try {
      ({ token } = await new EnrollmentTokens(store, systemClock).create({ actor: { kind: 'admin', id: 'e2e' } }));
    } finally {
      await store.close();
    }
    const served = await httpsCall(`${deviceUrl()}/enroll/${token}?unsigned=1`, caPem, 'POST');
    expect(served.status).to.equal(200);
    const profile = asDict(parsePlist(served.body));
    const scep = getDict(asDict(getArray(profile, 'PayloadContent')[1]), 'PayloadContent');
    const enrollmentId = (scep['Subject'] as string[][][])[0]![0]![1]!;
    const identity = await scepEnroll(enrollmentId, getString(scep, 'Challenge'));
    const udid = `0000LIFE${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
    const device = new TestDevice({ serverUrl: deviceUrl(), serverCaPem: caPem, udid, ...identity, auth: 'signature' });
    devices.push(device);
    expect((await device.checkIn({ MessageType: 'Authenticate', Topic: topic })).status).to.equal(200);
    expect((await device.checkIn({ MessageType: 'TokenUpdate', Topic: topic, Token: Buffer.from('0a0b', 'hex'), PushMagic: `pm-${udid}` })).status).to.equal(200);
    return { device, profile, sha256: sha256Of(identity.certPem) };
  }

  async function crlText(): Promise<string> {
    const crl = await httpsCall(`${deviceUrl()}/crl`, caPem, 'GET');
    expect(crl.status).to.equal(200);
    expect(crl.type).to.equal('application/pkix-crl');
    const file = join(dir.path, `crl-${randomUUID()}.der`);
    writeFileSync(file, crl.body);
    writeFileSync(join(dir.path, 'ca-only.pem'), caPem);
    const parsed = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', file, '-CAfile', join(dir.path, 'ca-only.pem'), '-noout', '-text'], { encoding: 'utf8' });
    expect(parsed.status, parsed.stderr).to.equal(0);
    expect(parsed.stderr).to.match(/verify OK/);
    return parsed.stdout;
  }

  it('a device that checks out has its certificate revoked before the answer: it is in GET /crl and refused with 401 from then on', async () => {
    const { device, sha256 } = await enrollThroughProfile();
    const serial = new X509Certificate(device.options.certPem).serialNumber;
    // The issued identity names the CRL (cRLDistributionPoints, an IA5String URI in the DER).
    expect(new X509Certificate(device.options.certPem).raw.includes(Buffer.from('https://mdm.example.com/crl'))).to.equal(true);
    expect((await device.checkIn({ MessageType: 'CheckOut', Topic: topic })).status).to.equal(200);
    expect(server.services.certificates.revocations.revocationOf(sha256)).to.include({ reason: 'checked-out', serialNumber: serial.toLowerCase() });
    const revocations = await read(REVOCATIONS_STREAM);
    expect(revocations.at(-1)!.data).to.include({ sha256, reason: 'checked-out', revokedBy: `device:${device.udid}` });

    if (opensslCliAvailable) {
      const text = await crlText();
      expect(text).to.match(new RegExp(`Serial Number: ${serial}\\s+Revocation Date: .*\\s+CRL entry extensions:\\s+X509v3 CRL Reason Code:\\s+Cessation Of Operation`));
    } else {
      console.log('      (openssl missing: the CRL is fetched but not parsed)');
      expect((await httpsCall(`${deviceUrl()}/crl`, caPem, 'GET')).status).to.equal(200);
    }

    const refused = await device.report({ Status: 'Idle' });
    expect([refused.status, refused.body.length]).to.deep.equal([401, 0]);
    expect((await device.checkIn({ MessageType: 'Authenticate', Topic: topic })).status, 'not even a new Authenticate').to.equal(401);
    // Recorded like other identity refusals (asynchronously, after the answer).
    await new Promise((r) => setTimeout(r, 200));
    const security = (await read(securityStreamId(clock.now().toISOString()))).map((e) => e.data as { reason: string; certificateHash?: string });
    expect(security.some((r) => r.reason === 'revoked' && r.certificateHash === sha256)).to.equal(true);
  });

  it('an acknowledged EraseDevice revokes the device certificate (wiped)', async () => {
    const udid = `0000WIPE${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
    const cert = await issueDeviceIdentity({ ca: mdmCa } as unknown as TestCa, udid);
    const device = new TestDevice({ serverUrl: deviceUrl(), serverCaPem: caPem, udid, certPem: cert.certPem, keyPem: cert.keyPem, auth: 'mtls' });
    devices.push(device);
    expect((await device.checkIn({ MessageType: 'Authenticate', Topic: topic })).status).to.equal(200);
    expect((await device.checkIn({ MessageType: 'TokenUpdate', Topic: topic, Token: Buffer.from('0c0d', 'hex'), PushMagic: 'pm' })).status).to.equal(200);
    const commandUuid = randomUUID();
    await server.services.commandQueue.enqueue([udid], { requestType: 'EraseDevice' }, { commandUuid, actor: { kind: 'admin', id: 'e2e' } });
    const command = asDict(parsePlist((await device.report({ Status: 'Idle' })).body));
    expect(getString(getDict(command, 'Command'), 'RequestType')).to.equal('EraseDevice');
    expect(server.services.certificates.revocations.isRevoked(cert.issued!.sha256)).to.equal(false);
    expect((await device.report({ Status: 'Acknowledged', CommandUUID: commandUuid })).status).to.equal(200);
    // Issued outside SCEP: the serial comes from the certificate as bound at Authenticate.
    expect(server.services.certificates.revocations.revocationOf(cert.issued!.sha256)).to.include({ reason: 'wiped', serialNumber: cert.issued!.serialNumber });
    expect((await device.report({ Status: 'Idle' })).status).to.equal(401);
  });

  it('mdm certificate revoke, run while the server runs, takes effect within seconds; show tells what is known', async () => {
    const { device, sha256 } = await enrollThroughProfile();
    expect((await device.report({ Status: 'Idle' })).status).to.equal(200);
    const serial = new X509Certificate(device.options.certPem).serialNumber;
    const cli = await runCli(['certificate', 'revoke', serial, '--reason', 'key-compromise'], { MDM_DATA_DIR: dir.path });
    expect(cli.code, cli.stderr).to.equal(0);
    expect(cli.stdout).to.contain(`revoked: ${sha256}`);
    expect(cli.stdout).to.contain('reason:  key-compromise');
    const deadline = Date.now() + 5_000;
    let status = 200;
    while (Date.now() < deadline && status === 200) {
      status = (await device.report({ Status: 'Idle' })).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).to.equal(401);
    const show = await runCli(['certificate', 'show', sha256.match(/../g)!.join(':').toUpperCase()], { MDM_DATA_DIR: dir.path });
    expect(show.code, show.stderr).to.equal(0);
    expect(show.stdout).to.match(new RegExp(`^serial: +${serial.toLowerCase()}$`, 'm'));
    expect(show.stdout).to.match(new RegExp(`^device: +${device.udid} \\(bound `, 'm'));
    expect(show.stdout).to.match(/^issued: +.* by SCEP PKCSReq, enrollment [0-9a-f-]{36}$/m);
    expect(show.stdout).to.match(/^revoked: +.*\(key-compromise, by admin:/m);
    const again = await runCli(['certificate', 'revoke', sha256], { MDM_DATA_DIR: dir.path });
    expect(again.stdout).to.contain('already revoked');
    const listed = await runCli(['certificate', 'list', '--revoked'], { MDM_DATA_DIR: dir.path });
    expect(listed.stdout).to.contain(`${sha256}  ${serial.toLowerCase()}`);
  });

  // Last: it moves the server's clock a year ahead.
  it('renews an identity about to expire the way Apple devices do: InstallProfile, SCEP with a challenge for CN=<UDID>, rebind with queue intact', async () => {
    const { device, profile: enrollmentProfile, sha256: oldHash } = await enrollThroughProfile();
    const waiting = randomUUID();
    await server.services.commandQueue.enqueue([device.udid], { requestType: 'ProfileList' }, { commandUuid: waiting, priority: 1, ttlMs: 400 * DAY, actor: { kind: 'admin', id: 'e2e' } });
    expect((await server.services.certificates.runJobNow()).queued, 'a year to go: nothing to renew').to.deep.equal([]);

    const notAfter = new Date(new X509Certificate(device.options.certPem).validTo);
    clock.set(new Date(notAfter.getTime() - 10 * DAY));
    expect((await server.services.certificates.runJobNow()).queued).to.deep.equal([device.udid]);
    expect((await server.services.certificates.runJobNow()).queued, 'the same run again').to.deep.equal([]);

    // A restart rebuilds the index from the store and still queues nothing twice.
    await server.stop();
    await start();
    expect((await server.services.certificates.runJobNow()).queued, 'after a restart').to.deep.equal([]);
    const renewing = new TestDevice({ ...device.options, serverUrl: deviceUrl() });
    devices.push(renewing);

    const idle = asDict(parsePlist((await renewing.report({ Status: 'Idle' })).body));
    expect(getString(idle, 'CommandUUID')).to.equal(renewalCommandUuid(oldHash));
    const command = getDict(idle, 'Command');
    expect(getString(command, 'RequestType')).to.equal('InstallProfile');
    const profile = profileOf(command['Payload'] as Buffer);
    // Same identifiers as the profile it replaces, so the device replaces it in place.
    const identifiers = (p: PlistDict) => [getString(p, 'PayloadIdentifier'), ...getArray(p, 'PayloadContent').map((c) => getString(asDict(c), 'PayloadIdentifier'))];
    expect(identifiers(profile)).to.deep.equal(identifiers(enrollmentProfile));
    const [, scepPayload, mdmPayload] = getArray(profile, 'PayloadContent').map((c) => asDict(c));
    expect(getString(mdmPayload!, 'Topic')).to.equal(topic);
    const scep = getDict(scepPayload!, 'PayloadContent');
    expect(scep['Subject']).to.deep.equal([[['CN', device.udid]]]);
    const challenge = getString(scep, 'Challenge');
    expect(challenge).to.have.length.greaterThan(20);
    // Only its hash is recorded; the profile carrying it is a sealed blob; the logs never see it.
    expect(filesContaining(dir.path, Buffer.from(challenge)), 'files holding the challenge in clear').to.deep.equal([]);
    expect(logs.some((line) => line.includes(challenge))).to.equal(false);

    // The device enrolls its new identity with the challenge and authenticates with it.
    const renewed = await scepEnroll(device.udid, challenge);
    const newHash = sha256Of(renewed.certPem);
    const issued = (await read(issuedCertificateStreamId(newHash)))[0]!.data as CertificateIssued['data'];
    expect(issued).to.include({ renewalOf: oldHash, udid: device.udid, via: 'PKCSReq' });
    const after = new TestDevice({ ...renewing.options, ...renewed });
    devices.push(after);
    expect((await after.checkIn({ MessageType: 'Authenticate', Topic: topic })).status).to.equal(200);
    expect((await after.checkIn({ MessageType: 'TokenUpdate', Topic: topic, Token: Buffer.from('0a0b', 'hex'), PushMagic: `pm-${device.udid}` })).status).to.equal(200);
    const next = await after.report({ Status: 'Acknowledged', CommandUUID: renewalCommandUuid(oldHash) });
    expect(getString(asDict(parsePlist(next.body)), 'CommandUUID'), 'the queue survived the renewal').to.equal(waiting);

    const types = (await read(deviceStreamId(device.udid))).map((e) => e.type);
    expect(types).to.include('DeviceCertificateRebound');
    expect(types.filter((t) => t === 'DeviceEnrollmentStarted')).to.have.length(1);
    expect(types.filter((t) => t === 'CommandQueued')).to.have.length(2);
    // The old certificate is revoked as superseded and refused (403: the device's enrollment lives on).
    expect(server.services.certificates.revocations.revocationOf(oldHash)).to.include({ reason: 'superseded' });
    expect((await renewing.report({ Status: 'Idle' })).status).to.equal(403);
    if (opensslCliAvailable) expect(await crlText()).to.match(new RegExp(`Serial Number: ${new X509Certificate(renewing.options.certPem).serialNumber}\\s+Revocation Date: .*\\s+CRL entry extensions:\\s+X509v3 CRL Reason Code:\\s+Superseded`));

    expect((await server.services.certificates.runJobNow()).queued, 'the new certificate has a year to go').to.deep.equal([]);
    expect((await after.report({ Status: 'Idle' })).status).to.equal(200);
  });
});
