import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildXmlPlist } from '../../infrastructure/plist/index.js';
import { tempDir } from '../support/temp-dir.js';

export const pythonAvailable = spawnSync('python3', ['-c', 'import plistlib']).status === 0;
export const opensslAvailable = !spawnSync('openssl', ['version']).error;

/** A Wi-Fi configuration profile as Apple Configurator writes them (XML), with a password inside. */
export function wifiProfile(options: { identifier?: string; name?: string; password?: string } = {}): Buffer {
  return Buffer.from(buildXmlPlist({
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: options.identifier ?? 'com.example.wifi',
    PayloadUUID: randomUUID().toUpperCase(),
    PayloadDisplayName: options.name ?? 'Office Wi-Fi',
    PayloadOrganization: 'Example Corp',
    PayloadContent: [{
      PayloadType: 'com.apple.wifi.managed',
      PayloadVersion: 1,
      PayloadIdentifier: `${options.identifier ?? 'com.example.wifi'}.payload`,
      PayloadUUID: randomUUID().toUpperCase(),
      SSID_STR: 'Office',
      EncryptionType: 'WPA2',
      Password: options.password ?? 'correct horse battery staple',
    }],
  }));
}

/** python3's plistlib re-encodes a profile as a binary property list (an independent writer). */
export function toBinaryWithPython(xml: Buffer): Buffer {
  return execFileSync('python3', ['-c', 'import plistlib,sys; sys.stdout.buffer.write(plistlib.dumps(plistlib.loads(sys.stdin.buffer.read()), fmt=plistlib.FMT_BINARY))'], { input: xml });
}

/** `openssl smime -sign`: a CMS SignedData carrying the profile, as profile signing tools make it. */
export function signWithOpenssl(content: Buffer, signer: { certPem: string; keyPem: string }, detached = false): Buffer {
  const dir = tempDir('mdm-profile-sign-');
  try {
    const path = (name: string) => join(dir.path, name);
    writeFileSync(path('in'), content);
    writeFileSync(path('cert.pem'), signer.certPem);
    writeFileSync(path('key.pem'), signer.keyPem, { mode: 0o600 });
    execFileSync('openssl', ['smime', '-sign', '-binary', '-outform', 'DER', ...(detached ? [] : ['-nodetach']), '-signer', path('cert.pem'), '-inkey', path('key.pem'), '-in', path('in'), '-out', path('out')], { stdio: ['ignore', 'ignore', 'pipe'] });
    return readFileSync(path('out'));
  } finally {
    dir.remove();
  }
}
