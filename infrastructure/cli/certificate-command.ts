import { certificateRecord } from '../../application/certificates/certificate-records.js';
import { CertificateRevocations } from '../../application/certificates/certificate-revocations.js';
import { certificatesWithSerial } from '../../application/certificates/certificate-search.js';
import type { CertificateIssued } from '../../application/certificates/issued-certificates.js';
import { systemClock } from '../../application/ports/clock.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { isRevocationReason, REVOCATION_REASONS } from '../../domain/certificate/certificate-revocation.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { openEventStore } from '../eventstore/open-event-store.js';
import { jsonLogger } from '../logging/json-logger.js';
import type { CliCommand } from './commands.js';
import { parseOptions, usageError } from './options.js';

const HELP = `Usage: mdm certificate revoke <sha256|serial> [--reason R]
       mdm certificate show <sha256|serial>
       mdm certificate list [--revoked]

Device identity certificates issued by the MDM CA. A certificate is named by the SHA-256 of its DER
(64 hex digits, colons allowed, as openssl x509 -fingerprint -sha256 prints it) or by its serial
number in hex (looking up a serial reads the whole event store). Works while the server runs:
a revocation takes effect on the device endpoints within seconds.

  revoke   Revokes the certificate: the device endpoints refuse it from then on (401, after which
           Apple devices unenroll) and the CRL at <MDM_PUBLIC_URL>/crl lists it. Revoking twice
           changes nothing.
             --reason R  ${REVOCATION_REASONS.join(', ')} (default admin)
  show     Prints what the server knows: issuance, the device it speaks for, revocation.
  list     Lists certificates issued through SCEP with their state (reads the whole event store);
           --revoked lists revoked certificates only.
`;

const SHA256 = /^[0-9a-f]{64}$/;
const SERIAL = /^[0-9a-f]{1,40}$/;

export const certificateCommand: CliCommand = {
  name: 'certificate',
  summary: 'Revoke, show and list device identity certificates.',
  help: () => HELP,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub !== 'revoke' && sub !== 'show' && sub !== 'list') return usageError('certificate', sub === undefined ? 'a subcommand is needed' : `unknown subcommand ${JSON.stringify(sub)}`);
    const options = parseOptions(rest, { reason: { type: 'string' }, revoked: { type: 'boolean' } }, true);
    if (!options.ok) return usageError('certificate', options.message);
    const { values, positionals } = options.parsed;
    if (sub !== 'revoke' && values.reason !== undefined) return usageError('certificate', '--reason is for revoke');
    if (sub !== 'list' && values.revoked !== undefined) return usageError('certificate', '--revoked is for list');
    const reason = values.reason ?? 'admin';
    if (!isRevocationReason(reason)) return usageError('certificate', `--reason takes one of ${REVOCATION_REASONS.join(', ')}`);
    if (sub === 'list' ? positionals.length !== 0 : positionals.length !== 1) return usageError('certificate', sub === 'list' ? 'list takes no certificate' : 'name one certificate (SHA-256 or serial number)');
    const target = sub === 'list' ? undefined : parseTarget(positionals[0]!);
    if (sub !== 'list' && !target) return usageError('certificate', 'a certificate is named by its SHA-256 (64 hex digits) or its serial number (up to 40 hex digits)');

    let config;
    try {
      config = loadConfig();
    } catch (error) {
      if (error instanceof ConfigError) return usageError('certificate', `configuration error: ${error.message}`);
      throw error;
    }
    const { store } = await openEventStore(config, jsonLogger({ level: 'warn', write: (line) => process.stderr.write(line) }));
    try {
      const revocations = new CertificateRevocations(store, systemClock);
      await revocations.refresh();
      if (sub === 'list') return await list(store, revocations, values.revoked === true);
      const sha256 = await resolve(store, target!);
      if (typeof sha256 === 'number') return sha256;
      if (sub === 'show') return await show(store, revocations, sha256);
      const record = await certificateRecord(store, sha256);
      if (!record.issued && !record.bound) process.stderr.write(`mdm certificate: ${sha256} is not known to this server; revoking it anyway${record.serialNumber ? '' : ' (without a serial number it is not listed in the CRL)'}\n`);
      const outcome = await revocations.revoke({ sha256, reason, actor: { kind: 'admin', id: process.env['USER'] ?? 'cli' } });
      const revoked = revocations.revocationOf(sha256)!;
      process.stdout.write(outcome === 'revoked'
        ? `revoked: ${sha256}\nserial:  ${revoked.serialNumber ?? '(unknown)'}\nreason:  ${revoked.reason}\n`
        : `already revoked: ${sha256} (${revoked.reason}, ${revoked.revokedAt})\n`);
      return 0;
    } finally {
      await store.close();
    }
  },
};

type Target = { readonly kind: 'sha256' | 'serial'; readonly value: string };

function parseTarget(text: string): Target | undefined {
  const hex = text.replace(/:/g, '').toLowerCase();
  if (SHA256.test(hex)) return { kind: 'sha256', value: hex };
  if (SERIAL.test(hex)) return { kind: 'serial', value: hex };
  return undefined;
}

async function resolve(store: EventStore, target: Target): Promise<string | number> {
  if (target.kind === 'sha256') return target.value;
  const found = await certificatesWithSerial(store, target.value);
  if (found.length === 1) return found[0]!;
  process.stderr.write(found.length === 0
    ? `mdm certificate: no certificate with serial number ${target.value} is recorded\n`
    : `mdm certificate: several certificates have serial number ${target.value}; name one by SHA-256:\n${found.map((s) => `  ${s}\n`).join('')}`);
  return 1;
}

async function show(store: EventStore, revocations: CertificateRevocations, sha256: string): Promise<number> {
  const record = await certificateRecord(store, sha256);
  const revoked = revocations.revocationOf(sha256);
  if (!record.issued && !record.bound && !revoked) {
    process.stderr.write(`mdm certificate: nothing is recorded about ${sha256}\n`);
    return 1;
  }
  const issued = record.issued;
  const lines = [
    ['sha256', sha256],
    ['serial', record.serialNumber ?? revoked?.serialNumber ?? '(unknown)'],
    ['subject', issued ? `CN=${issued.subject['commonName'] ?? ''}` : undefined],
    ['notBefore', issued?.notBefore],
    ['notAfter', record.notAfter ?? revoked?.notAfter],
    ['issued', issued ? describeIssuance(issued) : 'not recorded (issued outside SCEP)'],
    ['renews', issued?.renewalOf],
    ['device', record.bound ? `${record.bound.udid} (bound ${record.bound.boundAt}${record.retiredAt ? `, replaced ${record.retiredAt}` : ''})` : 'none'],
    ['revoked', revoked ? `${revoked.revokedAt} (${revoked.reason}, by ${revoked.revokedBy})` : 'no'],
  ].filter((l): l is [string, string] => l[1] !== undefined);
  process.stdout.write(lines.map(([k, v]) => `${`${k}:`.padEnd(11)}${v}\n`).join(''));
  return 0;
}

function describeIssuance(issued: CertificateIssued['data']): string {
  const via = issued.enrollmentId ? `, enrollment ${issued.enrollmentId}` : issued.udid ? `, renewal for ${issued.udid}` : '';
  return `${issued.issuedAt} ${issued.via === 'PKCS12' ? 'in a PKCS#12 enrollment profile' : `by SCEP ${issued.via}`}${via}`;
}

async function list(store: EventStore, revocations: CertificateRevocations, revokedOnly: boolean): Promise<number> {
  const rows: string[][] = [];
  if (revokedOnly) {
    for (const r of revocations.list()) rows.push([r.sha256, r.serialNumber ?? '-', r.notAfter ?? '-', `revoked ${r.revokedAt} (${r.reason})`]);
  } else {
    for (let after: number | undefined; ;) {
      const page = await store.readAll({ ...(after !== undefined ? { after } : {}), maxCount: 1_000 });
      for (const e of page) {
        if (e.type !== 'CertificateIssued') continue;
        const d = e.data as CertificateIssued['data'];
        const revoked = revocations.revocationOf(d.sha256);
        rows.push([d.sha256, d.serialNumber, d.notAfter, revoked ? `revoked ${revoked.revokedAt} (${revoked.reason})` : `CN=${d.subject['commonName'] ?? ''}`]);
      }
      if (page.length < 1_000) break;
      after = page[page.length - 1]!.position;
    }
  }
  process.stdout.write(rows.map((r) => `${r.join('  ')}\n`).join(''));
  return 0;
}
