import { createHash } from 'node:crypto';
import { canonicalResult, parseCommandResult, type CommandResult } from '../../domain/commands/index.js';
import type { CertificateNotAfter } from '../../domain/commands/results/certificate-list.js';
import type { CommandResultInput } from '../../domain/device/queue/commands.js';
import type { ResultKind } from '../../domain/device/queue/events.js';
import type { JsonObject } from '../../domain/shared/json.js';
import type { ResultInterpreter } from './report-service.js';

/**
 * Typed results with a fingerprint that ignores values changing on nearly every report (battery,
 * free space, app data sizes): an unchanged inventory is then not recorded again just because time
 * passed. The event still carries the values of the report that did change something.
 */
export class QueryResults implements ResultInterpreter {
  constructor(private readonly certificateNotAfter?: CertificateNotAfter) {}

  interpret(requestType: string, report: JsonObject): CommandResultInput | undefined {
    const result: CommandResult | undefined = parseCommandResult(requestType, report, this.certificateNotAfter ? { certificateNotAfter: this.certificateNotAfter } : {});
    if (!result) return undefined;
    const fingerprint = createHash('sha256').update(canonicalResult(result, { excludeVolatile: true })).digest('hex');
    return { kind: result.requestType as ResultKind, result: result as unknown as JsonObject, fingerprint };
  }
}
