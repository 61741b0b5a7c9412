import type { ReportStatus } from '../../../../application/mdm/messages.js';
import type { ErrorChainEntry } from '../../../../domain/device/queue/events.js';
import { asDict, getOptionalArray, getOptionalString, getString, type PlistDict } from '../../../plist/index.js';
import { CheckInShapeError } from './parse-check-in.js';

const STATUSES: readonly ReportStatus[] = ['Idle', 'Acknowledged', 'Error', 'CommandFormatError', 'NotNow'];
const UDID = /^[A-Za-z0-9-]{8,64}$/;
const COMMAND_UUID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_ERRORS = 16;
const MAX_TEXT = 1024;

export interface ParsedReport {
  readonly udid: string;
  readonly status: ReportStatus;
  readonly commandUuid?: string;
  readonly errorChain?: ErrorChainEntry[];
  readonly dict: PlistDict;
}

function errorChainOf(dict: PlistDict): ErrorChainEntry[] | undefined {
  const chain = getOptionalArray(dict, 'ErrorChain');
  if (chain === undefined) return undefined;
  return chain.slice(0, MAX_ERRORS).map((item, i) => {
    const e = asDict(item, `ErrorChain[${i}]`);
    const code = e['ErrorCode'];
    const text = (key: string) => getOptionalString(e, key)?.slice(0, MAX_TEXT);
    const errorDomain = text('ErrorDomain');
    const localizedDescription = text('LocalizedDescription');
    const usEnglishDescription = text('USEnglishDescription');
    return {
      ...(typeof code === 'number' && Number.isSafeInteger(code) ? { errorCode: code } : {}),
      ...(errorDomain !== undefined ? { errorDomain } : {}),
      ...(localizedDescription !== undefined ? { localizedDescription } : {}),
      ...(usEnglishDescription !== undefined ? { usEnglishDescription } : {}),
    };
  });
}

/** A command report (Status, UDID, CommandUUID, ErrorChain); shape errors are answered 400. */
export function parseReport(value: unknown): ParsedReport {
  const dict = asDict(value, 'report');
  const status = getString(dict, 'Status');
  if (!(STATUSES as readonly string[]).includes(status)) throw new CheckInShapeError(`unknown Status ${JSON.stringify(status.slice(0, 32))}`);
  const udid = getOptionalString(dict, 'UDID');
  if (udid === undefined) throw new CheckInShapeError(getOptionalString(dict, 'EnrollmentID') !== undefined ? 'User Enrollment (EnrollmentID without UDID) is not supported' : 'UDID is missing');
  if (!UDID.test(udid)) throw new CheckInShapeError('UDID is not a device identifier');
  const commandUuid = getOptionalString(dict, 'CommandUUID');
  if (commandUuid !== undefined && !COMMAND_UUID.test(commandUuid)) throw new CheckInShapeError('CommandUUID is not a command identifier');
  const errorChain = errorChainOf(dict);
  return { udid, status: status as ReportStatus, ...(commandUuid ? { commandUuid } : {}), ...(errorChain ? { errorChain } : {}), dict };
}
