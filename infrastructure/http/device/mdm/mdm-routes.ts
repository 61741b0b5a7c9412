import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { CheckInService } from '../../../../application/mdm/check-in-service.js';
import type { IdentityRefusals } from '../../../../application/mdm/identity-refusals.js';
import type { DeviceAnswer } from '../../../../application/mdm/messages.js';
import type { ReportService } from '../../../../application/mdm/report-service.js';
import type { Logger } from '../../../../application/ports/logger.js';
import type { QueuedCommand } from '../../../../domain/device/queue/queued-command.js';
import { reportToJson } from '../../../mdm-commands/report-json.js';
import { CommandRenderError } from '../../../mdm-commands/render-command.js';
import { DomainError } from '../../../../domain/shared/domain-error.js';
import { SecretBoxError } from '../../../../application/ports/secret-box.js';
import { PlistParseError, PlistShapeError, buildXmlPlist, parsePlist } from '../../../plist/index.js';
import { deviceIdentityOf } from '../identity/device-identity.js';
import { tlsClientCertificate } from '../identity/mtls-certificate.js';
import { CheckInShapeError, parseCheckIn } from './parse-check-in.js';
import { noteMdmMessage } from './mdm-message-metrics.js';
import { parseReport } from './parse-report.js';

export const CHECK_IN_TYPE = 'application/x-apple-aspen-mdm-checkin';
export const REPORT_TYPE = 'application/x-apple-aspen-mdm';
export const CHECK_IN_LIMIT_BYTES = 64 * 1024;
/** Commands failed in a row while answering one request before the device is sent away empty. */
const MAX_UNDELIVERABLE = 10;
import { answerUnrecognizedDevice } from '../unrecognized-device.js';
export { UNRECOGNIZED_DEVICE } from '../unrecognized-device.js';

export interface MdmRouteDeps {
  readonly checkIns: CheckInService;
  readonly reports: ReportService;
  readonly refusals: IdentityRefusals;
  /** The device identity middleware (mTLS, Mdm-Signature, trusted proxy). */
  readonly identity: RequestHandler;
  /** Builds the command dictionary sent to the device (resolving blobs and sealed secrets). */
  readonly render: (udid: string, command: QueuedCommand) => Promise<Record<string, unknown>>;
  readonly logger: Logger;
  readonly maxReportBytes: number;
}

const mediaType = (req: Request) => (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

/** Devices read status codes, not bodies: every refusal here is a bare status. */
const bare = (res: Response, status: number) => void res.status(status).end();

/**
 * Reads the body with the limit of its kind (64 KiB for check-ins, the configured maximum for
 * reports: certificate and app lists are large) and refuses other content types with 415.
 */
function rawBody(maxReportBytes: number): RequestHandler {
  const checkIn = express.raw({ type: () => true, limit: CHECK_IN_LIMIT_BYTES });
  const report = express.raw({ type: () => true, limit: maxReportBytes });
  return (req, res, next) => {
    const type = mediaType(req);
    if (type === CHECK_IN_TYPE) return checkIn(req, res, next);
    if (type === REPORT_TYPE) return report(req, res, next);
    bare(res, 415);
  };
}

/**
 * Before reading up to 20 MiB of body: a request that presents no identity at all (no client
 * certificate, no Mdm-Signature, no Client-Cert header) is refused at once, so anonymous clients
 * cannot make the server buffer large bodies. The full check still runs after the body is read.
 */
function identityPresent(deps: MdmRouteDeps): RequestHandler {
  return (req, res, next) => {
    const hasHeader = req.headers['mdm-signature'] !== undefined || req.headers['client-cert'] !== undefined;
    if (hasHeader || tlsClientCertificate(req.socket) !== undefined) return next();
    bare(res, 403);
    deps.refusals.record({ reason: 'no-certificate', remoteAddress: req.socket.remoteAddress ?? 'unknown' })
      .catch((error: unknown) => deps.logger.error('recording an identity refusal failed', { error }));
  };
}

/** Body-parser failures: 413 too large, 400 unreadable; nothing is recorded for them. */
function bodyErrors(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  const status = (error as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) return bare(res, status === 413 ? 413 : 400);
  next(error);
}

/**
 * The MDM endpoints: `/mdm` for both kinds of request, plus `/mdm/checkin` and `/mdm/command` for
 * profiles that name separate URLs. Routing is by Content-Type on every path, as a profile without
 * a CheckInURL sends check-ins to its ServerURL.
 */
export function mdmRoutes(deps: MdmRouteDeps): Router {
  const router = Router();

  const answer = (req: Request, res: Response, a: DeviceAnswer, udid: string, certificateHash: string): boolean => {
    switch (a.kind) {
      case 'ok':
        return true;
      case 'refused':
        bare(res, 403);
        // A device that is simply not enrolled (yet) is no identity failure: nothing to record.
        if (a.reason !== 'not-enrolled') {
          deps.refusals.record({ reason: a.reason, remoteAddress: req.socket.remoteAddress ?? 'unknown', udid, certificateHash })
            .catch((error: unknown) => deps.logger.error('recording an identity refusal failed', { error }));
        }
        return false;
      case 'not-supported':
        bare(res, 410);
        return false;
      case 'unenroll':
        // Apple's documented way to make a device unenroll (iOS 17+, macOS 14+): never a 401.
        answerUnrecognizedDevice(res);
        return false;
      case 'rejected':
        deps.logger.info('device message rejected', { udid, detail: a.detail });
        bare(res, 400);
        return false;
    }
  };

  const handle: RequestHandler = async (req, res, next) => {
    try {
      const identity = deviceIdentityOf(res);
      const presented = {
        certificateHash: identity.certificateSha256, remoteAddress: req.socket.remoteAddress ?? 'unknown', serialNumber: identity.serialNumber, notAfter: identity.notAfter.toISOString(),
        ...(identity.subjectCommonName ? { subjectCommonName: identity.subjectCommonName } : {}),
      };
      let parsed: unknown;
      try {
        parsed = parsePlist(req.body as Buffer);
      } catch (error) {
        if (error instanceof PlistParseError) return bare(res, 400);
        throw error;
      }
      if (mediaType(req) === CHECK_IN_TYPE) {
        const message = parseCheckIn(parsed);
        noteMdmMessage(res, { kind: 'check-in', messageType: message.messageType });
        if (answer(req, res, await deps.checkIns.handle(message, presented), message.udid, presented.certificateHash)) bare(res, 200);
        return;
      }
      const report = parseReport(parsed);
      noteMdmMessage(res, { kind: 'report', status: report.status });
      // Only an acknowledged query has a result to read; Idle and the rest skip the conversion.
      const body = report.status === 'Acknowledged' ? (reportToJson(report.dict) ?? {}) : {};
      let outcome = await deps.reports.report({ udid: report.udid, status: report.status, body, ...(report.commandUuid ? { commandUuid: report.commandUuid } : {}), ...(report.errorChain ? { errorChain: report.errorChain } : {}) }, presented);
      if (!answer(req, res, outcome.answer, report.udid, presented.certificateHash)) return;
      // A command that cannot be built fails on its own and the next one goes out instead.
      for (let attempts = 0; outcome.next && attempts < MAX_UNDELIVERABLE; attempts++) {
        try {
          const command = await deps.render(report.udid, outcome.next);
          res.status(200).type('application/xml').send(buildXmlPlist(command as Parameters<typeof buildXmlPlist>[0]));
          return;
        } catch (error) {
          if (!(error instanceof CommandRenderError || error instanceof DomainError || error instanceof SecretBoxError)) throw error;
          deps.logger.error('command could not be built for delivery; failing it', { udid: report.udid, commandUuid: outcome.next.commandUuid, detail: error.message });
          outcome = await deps.reports.undeliverable(report.udid, outcome.next.commandUuid, error.message);
        }
      }
      bare(res, 200);
    } catch (error) {
      if (error instanceof PlistShapeError || error instanceof CheckInShapeError) {
        deps.logger.info('malformed device message', { detail: error.message });
        return bare(res, 400);
      }
      next(error);
    }
  };

  for (const path of ['/mdm', '/mdm/checkin', '/mdm/command']) {
    router.put(path, identityPresent(deps), rawBody(deps.maxReportBytes), bodyErrors, deps.identity, handle);
  }
  return router;
}
