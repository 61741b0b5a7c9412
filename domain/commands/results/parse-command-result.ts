import type { JsonObject } from '../../shared/json.js';
import { isQueryRequestType, type QueryRequestType } from '../request-types.js';
import { CERTIFICATE_LIST_REPORT, parseCertificateList, type CertificateNotAfter } from './certificate-list.js';
import type { CommandResult } from './command-result.js';
import { DEVICE_INFORMATION_REPORT, parseDeviceInformation } from './device-information.js';
import { INSTALLED_APPLICATION_LIST_REPORT } from './installed-application-list.js';
import { MANAGED_APPLICATION_LIST_REPORT } from './managed-application-list.js';
import { isReportObject, parseDictionary, type ParseContext } from './parse-shape.js';
import { PROFILE_LIST_REPORT } from './profile-list.js';
import { PROVISIONING_PROFILE_LIST_REPORT } from './provisioning-profile-list.js';
import { RESTRICTIONS_REPORT } from './restrictions.js';
import { SECURITY_INFO_REPORT } from './security-info.js';
import type { DictionaryShape } from './shape.js';

/** Every key each parser reads from a report, as shapes (checked against Apple's schema in tests). */
export const REPORT_SHAPES: Readonly<Record<QueryRequestType, DictionaryShape>> = {
  DeviceInformation: DEVICE_INFORMATION_REPORT,
  SecurityInfo: SECURITY_INFO_REPORT,
  ProfileList: PROFILE_LIST_REPORT,
  InstalledApplicationList: INSTALLED_APPLICATION_LIST_REPORT,
  CertificateList: CERTIFICATE_LIST_REPORT,
  ProvisioningProfileList: PROVISIONING_PROFILE_LIST_REPORT,
  ManagedApplicationList: MANAGED_APPLICATION_LIST_REPORT,
  Restrictions: RESTRICTIONS_REPORT,
};

export interface ResultParsingOptions {
  /** Reads a certificate's notAfter from base64 DER (infrastructure's certificateNotAfter). */
  readonly certificateNotAfter?: CertificateNotAfter;
}

function parseBody(type: QueryRequestType, report: Record<string, unknown>, ctx: ParseContext, options: ResultParsingOptions): JsonObject | undefined {
  switch (type) {
    case 'DeviceInformation': {
      const responses = parseDeviceInformation(report, ctx);
      return responses && { QueryResponses: responses };
    }
    case 'CertificateList': {
      const list = parseCertificateList(report, ctx, options.certificateNotAfter);
      return list && { CertificateList: list };
    }
    default:
      return parseDictionary(REPORT_SHAPES[type], report, ctx);
  }
}

/**
 * The typed result of a query's report (`Status: Acknowledged`), or undefined when `requestType` is
 * not a query or the report lacks its result. The report must be JSON-safe already: data as base64
 * strings, dates as ISO 8601 strings. Values of the wrong type are left out, lists are bounded and
 * sorted so that the same content always gives the same result (see canonicalResult).
 */
export function parseCommandResult(requestType: string, report: JsonObject, options: ResultParsingOptions = {}): CommandResult | undefined {
  if (!isQueryRequestType(requestType) || !isReportObject(report)) return undefined;
  const ctx: ParseContext = { truncated: false };
  const body = parseBody(requestType, report, ctx, options);
  if (body === undefined) return undefined;
  return { requestType, ...body, ...(ctx.truncated ? { truncated: true } : {}) } as unknown as CommandResult;
}
