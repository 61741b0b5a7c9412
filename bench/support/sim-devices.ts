import { generateKeyPair, randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { CertificateAuthority } from '../../application/ports/certificate-authority.js';
import { buildXmlPlist, PlistReal, type PlistInput } from '../../infrastructure/plist/index.js';
import { DeviceSigner } from './device-signer.js';
import { putRequest, type ServerTarget } from './device-connection.js';

export const CHECK_IN = 'application/x-apple-aspen-mdm-checkin';
export const REPORT = 'application/x-apple-aspen-mdm';
/** A topic of the shape Apple issues; no push certificate is configured, so nothing is pushed. */
export const BENCH_TOPIC = 'com.apple.mgmt.External.6b1c9b5e-3d1a-4c57-9a41-bench0000000';

export interface SimDevice {
  readonly udid: string;
  readonly certPem: string;
  readonly certificateSha256: string;
  readonly signer: DeviceSigner;
}

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * Device identities issued by the server's own CA. Keys come from a small pool: generating a key
 * is the device's cost, not the server's, and the server tells devices apart by certificate.
 */
export async function issueDevices(ca: CertificateAuthority, count: number, keyPoolSize = 8): Promise<SimDevice[]> {
  const keys = await Promise.all(
    Array.from({ length: Math.min(keyPoolSize, count) }, () =>
      generateKeyPairAsync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } }),
    ),
  );
  const devices: SimDevice[] = [];
  for (let i = 0; i < count; i++) {
    const udid = `0000${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`;
    const key = keys[i % keys.length]!;
    const issued = await ca.issue({ publicKeyPem: key.publicKey, subject: { commonName: udid }, profile: 'device-identity', validityDays: 365 });
    devices.push({ udid, certPem: issued.pem, certificateSha256: issued.sha256, signer: new DeviceSigner(issued.pem, key.privateKey) });
  }
  return devices;
}

const plist = (udid: string, dict: Record<string, PlistInput>): Buffer => Buffer.from(buildXmlPlist({ UDID: udid, ...dict }));

export const authenticateBody = (d: SimDevice, n: number): Buffer =>
  plist(d.udid, { MessageType: 'Authenticate', Topic: BENCH_TOPIC, SerialNumber: `F2LBENCH${String(n).padStart(4, '0')}`, Model: 'iPhone14,5', ModelName: 'iPhone', ProductName: 'iPhone14,5', OSVersion: '17.4', BuildVersion: '21E219', DeviceName: `Bench iPhone ${n}` });

export const tokenUpdateBody = (d: SimDevice): Buffer =>
  plist(d.udid, { MessageType: 'TokenUpdate', Topic: BENCH_TOPIC, Token: randomBytes(32), PushMagic: randomUUID().toUpperCase(), UnlockToken: randomBytes(128) });

export const idleBody = (d: SimDevice): Buffer => plist(d.udid, { Status: 'Idle' });

export const DEVICE_INFORMATION_QUERIES = ['UDID', 'DeviceName', 'OSVersion', 'BuildVersion', 'ModelName', 'SerialNumber', 'DeviceCapacity', 'AvailableDeviceCapacity', 'BatteryLevel', 'WiFiMAC'];

/**
 * A DeviceInformation answer. Battery and free space change every time (the server's fingerprint
 * ignores them); the device name changes when `renamed` is set, so that some reports record a new
 * DeviceInformationReported and most do not.
 */
export function deviceInformationAck(d: SimDevice, commandUuid: string, generation: number): Buffer {
  return plist(d.udid, {
    Status: 'Acknowledged',
    CommandUUID: commandUuid,
    QueryResponses: {
      UDID: d.udid,
      DeviceName: `Bench iPhone ${d.udid.slice(-4)} (${generation})`,
      OSVersion: '17.4',
      BuildVersion: '21E219',
      ModelName: 'iPhone',
      SerialNumber: `F2L${d.udid.slice(-9)}`,
      DeviceCapacity: new PlistReal(128),
      AvailableDeviceCapacity: new PlistReal(Math.round(Math.random() * 10_000) / 100),
      BatteryLevel: new PlistReal(Math.round(Math.random() * 100) / 100),
      WiFiMAC: 'f0:18:98:00:00:01',
    },
  });
}

/** A signed PUT to /mdm as pre-built bytes. */
export function signedPut(target: ServerTarget, d: SimDevice, contentType: string, body: Buffer, keepAlive = true): Buffer {
  return putRequest(target, '/mdm', contentType, body, { 'Mdm-Signature': d.signer.sign(body) }, keepAlive);
}
