import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { buildEnrollmentProfile } from '../../infrastructure/enrollment/enrollment-profile.js';

interface SchemaKey {
  readonly key: string;
  readonly type: string;
  readonly presence?: string;
  readonly subkeys?: readonly SchemaKey[];
}

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

const PROFILES = resolve(repoRoot(), '../shared/reference/apple-device-management/mdm/profiles');

const TYPES: Record<string, (v: unknown) => boolean> = {
  '<string>': (v) => typeof v === 'string',
  '<integer>': (v) => typeof v === 'number' && Number.isInteger(v),
  '<boolean>': (v) => typeof v === 'boolean',
  '<data>': (v) => Buffer.isBuffer(v),
  '<array>': (v) => Array.isArray(v),
  '<dictionary>': (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v),
};

/** Keys every payload carries, documented once in Apple's schema, not per payload type. */
const COMMON = new Set(['PayloadType', 'PayloadVersion', 'PayloadIdentifier', 'PayloadUUID', 'PayloadDisplayName', 'PayloadDescription', 'PayloadOrganization']);

function check(payload: Record<string, unknown>, keys: readonly SchemaKey[], path: string, problems: string[], top = true): void {
  for (const [name, value] of Object.entries(payload)) {
    if (COMMON.has(name) && top) continue;
    const spec = keys.find((k) => k.key === name);
    if (!spec) {
      problems.push(`${path}.${name}: not in Apple's schema`);
      continue;
    }
    if (!TYPES[spec.type]?.(value)) problems.push(`${path}.${name}: schema says ${spec.type}`);
    if (spec.type === '<dictionary>' && spec.subkeys) check(value as Record<string, unknown>, spec.subkeys, `${path}.${name}`, problems, false);
  }
  for (const spec of keys) if (spec.presence === 'required' && !(spec.key in payload)) problems.push(`${path}.${spec.key}: required, missing`);
}

describe('enrollment profile against Apple\'s profile schema', function () {
  before(function () {
    if (!existsSync(PROFILES)) {
      console.log(`      (skipped: ${PROFILES} not present)`);
      this.skip();
    }
  });

  it('every key of the CA, SCEP and MDM payloads exists in the schema with its type, and required ones are there', () => {
    const profile = buildEnrollmentProfile({
      publicUrl: 'https://mdm.example.com', topic: 'com.apple.mgmt.External.x', caCertificateDer: Buffer.from('30', 'hex'), challenge: 'c',
      enrollmentId: 'e', organization: 'Org', signMessage: true, pinToCa: true,
    });
    const problems: string[] = [];
    for (const payload of profile['PayloadContent'] as Array<Record<string, unknown>>) {
      const type = payload['PayloadType'] as string;
      const schema = load(readFileSync(join(PROFILES, `${type}.yaml`), 'utf8')) as { payloadkeys: SchemaKey[] };
      check(payload, schema.payloadkeys, type, problems);
    }
    expect(problems).to.deep.equal([]);
  });

  it('the same holds for the PKCS#12 identity payload (MDM_PROFILE_IDENTITY=pkcs12)', () => {
    const profile = buildEnrollmentProfile({
      publicUrl: 'https://mdm.example.com', topic: 'com.apple.mgmt.External.x', caCertificateDer: Buffer.from('30', 'hex'), challenge: 'c',
      enrollmentId: 'e', organization: 'Org', signMessage: true, pinToCa: true, pkcs12: { der: Buffer.from('30', 'hex'), password: 'p' },
    });
    const problems: string[] = [];
    const types: string[] = [];
    for (const payload of profile['PayloadContent'] as Array<Record<string, unknown>>) {
      const type = payload['PayloadType'] as string;
      types.push(type);
      const schema = load(readFileSync(join(PROFILES, `${type}.yaml`), 'utf8')) as { payloadkeys: SchemaKey[] };
      check(payload, schema.payloadkeys, type, problems);
    }
    expect(types).to.deep.equal(['com.apple.security.root', 'com.apple.security.pkcs12', 'com.apple.mdm']);
    expect(problems).to.deep.equal([]);
  });
});

describe('enrollment profile settings', () => {
  it('follow MDM_PROFILE_SIGN_MESSAGE and MDM_PROFILE_PIN_TLS', () => {
    const base = { publicUrl: 'https://mdm.example.com', topic: 't', caCertificateDer: Buffer.from('30', 'hex'), challenge: 'c', enrollmentId: 'e', organization: 'Example Corp' };
    const mdmOf = (p: Record<string, unknown>) => (p['PayloadContent'] as Array<Record<string, unknown>>)[2]!;
    const plain = mdmOf(buildEnrollmentProfile({ ...base, signMessage: false, pinToCa: false }));
    expect(plain['SignMessage']).to.equal(false);
    expect(plain).to.not.have.property('ServerURLPinningCertificateUUIDs');
    const pinned = mdmOf(buildEnrollmentProfile({ ...base, signMessage: true, pinToCa: true }));
    expect(pinned['SignMessage']).to.equal(true);
    expect(pinned['CheckInURLPinningCertificateUUIDs']).to.have.length(1);
    expect(buildEnrollmentProfile({ ...base, signMessage: true, pinToCa: true })['PayloadOrganization']).to.equal('Example Corp');
  });
});
