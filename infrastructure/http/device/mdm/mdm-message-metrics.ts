import type { RequestHandler, Response } from 'express';
import type { ReportStatus } from '../../../../application/mdm/messages.js';
import type { MetricsRegistry } from '../../../metrics/registry.js';

/** What the MDM routes read from a request, once its body parsed: the label values of its metric. */
export type MdmMessageNote = { readonly kind: 'check-in'; readonly messageType: string } | { readonly kind: 'report'; readonly status: ReportStatus };

const NOTE = 'mdmMessage';

/** Called by the MDM routes once the message is parsed (its type comes from a closed list). */
export const noteMdmMessage = (res: Response, note: MdmMessageNote): void => {
  res.locals[NOTE] = note;
};

/**
 * Counts the MDM messages the routes read, when their answer is sent: check-ins by MessageType
 * and the HTTP status answered (200 accepted, 403 refused, 410 not supported, 401 unenroll, ...),
 * command reports by their Status. Requests refused before their message is read (no or a refused
 * identity, wrong content type, too large, unreadable plist) are in mdm_http_request_seconds only:
 * their message type is not known.
 */
export function mdmMessageMetrics(metrics: MetricsRegistry): RequestHandler {
  const checkIns = metrics.counter('mdm_checkins_total', 'Check-in messages read, by MessageType and HTTP status answered.');
  const reports = metrics.counter('mdm_command_reports_total', 'Command reports read (the device\'s Status: Acknowledged, Error, CommandFormatError, NotNow, Idle).');
  return (_req, res, next) => {
    res.on('finish', () => {
      const note = res.locals[NOTE] as MdmMessageNote | undefined;
      if (note?.kind === 'check-in') checkIns.inc({ message_type: note.messageType, status: String(res.statusCode) });
      else if (note?.kind === 'report') reports.inc({ status: note.status });
    });
    next();
  };
}
