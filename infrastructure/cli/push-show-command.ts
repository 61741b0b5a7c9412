import { stat } from 'node:fs/promises';
import { systemClock } from '../../application/ports/clock.js';
import { PushCertificateHistory } from '../../application/push/push-certificate-history.js';
import { pushCertificateStatus } from '../../application/push/push-certificate-status.js';
import { pushCertificateFacts } from '../apns/push-certificate-facts.js';
import { activePushCertificate } from '../apns/push-credential-source.js';
import { pushDataDirPaths } from '../apns/push-data-dir.js';
import type { Config } from '../config/config.js';
import { openEventStore } from '../eventstore/open-event-store.js';
import { jsonLogger } from '../logging/json-logger.js';
import { parseOptions, usageError } from './options.js';

const SOURCES = { environment: 'MDM_PUSH_* (environment)', 'data-dir': 'data directory (mdm push upload)' } as const;

/** `mdm push show`: the certificate in use, a pending request, and the last recorded installation. */
export async function pushShow(args: string[], config: Config): Promise<number> {
  const options = parseOptions(args, {});
  if (!options.ok) return usageError('push show', options.message);
  const now = systemClock.now();
  const paths = pushDataDirPaths(config.dataDir);
  const active = await activePushCertificate(config);
  const lines: string[] = [];
  if (active) {
    // Shown even when expired or otherwise unusable: that is when an operator looks.
    const facts = pushCertificateFacts(active.certPem);
    const status = pushCertificateStatus({ ...facts, notBefore: new Date(facts.notBefore), notAfter: new Date(facts.notAfter) }, now);
    lines.push(
      `topic:       ${facts.topic}`,
      `subject:     ${facts.subject}`,
      `serial:      ${facts.serialNumber}`,
      `sha256:      ${facts.sha256}`,
      `valid from:  ${facts.notBefore}`,
      `valid until: ${facts.notAfter}`,
      `days left:   ${status.status === 'expired' ? 'expired' : status.daysLeft}`,
      `status:      ${status.status}${status.status === 'ok' ? '' : ` (${status.message})`}`,
      `source:      ${SOURCES[active.source]}: ${active.location}`,
    );
  } else {
    lines.push('no push certificate: devices are not woken by APNs (mdm push csr, then mdm push upload)');
  }
  const pending = await stat(paths.pendingKey).catch(() => undefined);
  lines.push(`pending:     ${pending ? `a request made on ${pending.mtime.toISOString()} awaits its certificate (${paths.pendingKey})` : 'no request'}`);

  const { store } = await openEventStore(config, jsonLogger({ level: 'warn', write: (line) => process.stderr.write(line) }));
  try {
    const last = await new PushCertificateHistory(store, systemClock).lastInstalled();
    lines.push(`installed:   ${last ? `${last.topic} (sha256 ${last.sha256}) on ${last.installedAt} by ${last.installedBy}` : 'no installation recorded'}`);
  } finally {
    await store.close();
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return active ? 0 : 1;
}
