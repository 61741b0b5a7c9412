import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { Clock } from '../../../application/ports/clock.js';
import type { EventStore } from '../../../application/ports/event-store.js';
import { PushCertificateHistory } from '../../../application/push/push-certificate-history.js';
import type { PushCertificateStatus } from '../../../application/push/push-certificate-status.js';
import { pkcs12ToPem, PushCredentialsError } from '../../apns/push-credentials.js';
import { PushCertificateError } from '../../apns/push-certificate.js';
import { installPushCertificate, type PushUpload } from '../../apns/push-installer.js';
import type { Config } from '../../config/config.js';
import { readCertificates } from '../../pki/certificate-file.js';
import type { ApiOperation } from './api-operation.js';

export interface PushDeps {
  readonly config: Config;
  readonly store: EventStore;
  readonly clock: Clock;
  /** The certificate the running server pushes with, if any. */
  readonly inUse: () => (PushCertificateStatus & { source?: string }) | undefined;
}

const UPLOAD_SCHEMA = {
  type: 'object',
  properties: {
    certificatePem: { type: 'string', minLength: 1, maxLength: 65_536, description: 'The certificate Apple issued for the request made with `mdm push csr` (PEM)' },
    pkcs12Base64: { type: 'string', minLength: 1, maxLength: 131_072, description: 'Or: certificate and key as a PKCS#12 bundle (base64)' },
    password: { type: 'string', maxLength: 1024, description: 'Password of the PKCS#12 bundle' },
    allowTopicChange: { type: 'boolean', description: 'Accept a certificate for another topic (every enrolled device must then re-enroll)' },
  },
  oneOf: [{ required: ['certificatePem'] }, { required: ['pkcs12Base64'] }],
  dependentRequired: { password: ['pkcs12Base64'] },
  additionalProperties: false,
} as const;

const unprocessable = (message: string) => Object.assign(new Error(message), { status: 422 });

export function pushOperations(deps: PushDeps): ApiOperation[] {
  return [
    {
      method: 'get', path: '/api/v1/push-certificate', operationId: 'getPushCertificate', roles: ['operator', 'auditor'],
      summary: 'The push certificate in use (topic, expiry, status) and the last one installed.',
      responses: { '200': { description: 'Push certificate status', schema: { type: 'object', properties: { inUse: { type: 'object' }, lastInstalled: { type: 'object' } } } } },
      handle: async () => {
        const lastInstalled = await new PushCertificateHistory(deps.store, deps.clock).lastInstalled();
        return { status: 200, body: { inUse: deps.inUse() ?? { status: 'not-configured' }, ...(lastInstalled ? { lastInstalled } : {}) } };
      },
    },
    {
      method: 'put', path: '/api/v1/push-certificate', operationId: 'uploadPushCertificate', roles: [], body: UPLOAD_SCHEMA,
      summary: 'Install the push certificate Apple issued (for the pending request, or as a PKCS#12 bundle with its key). Refused, changing nothing, when it is expired, belongs to no key here, or changes the topic unasked. The running server keeps its certificate until restarted.',
      responses: { '200': { description: 'Installed (recorded: false when it was the installed one already)', schema: { type: 'object' } }, '409': 'Another topic than the one in use', '422': 'Not a usable certificate' },
      handle: async (call) => {
        const body = call.body as { certificatePem?: string; pkcs12Base64?: string; password?: string; allowTopicChange?: boolean };
        let upload: Omit<PushUpload, 'allowTopicChange' | 'actor'>;
        try {
          if (body.pkcs12Base64 !== undefined) {
            const { certPem, keyPem } = pkcs12ToPem(Buffer.from(body.pkcs12Base64, 'base64'), body.password ?? '');
            upload = { certificate: new X509Certificate(certPem), bundledKey: createPrivateKey(keyPem) };
          } else {
            upload = { certificate: readCertificates(Buffer.from(body.certificatePem!, 'utf8'), 'certificatePem')[0]! };
          }
        } catch (error) {
          if (error instanceof PushCredentialsError) throw unprocessable('the bundle could not be read as one certificate and its key (is the password right?)');
          throw unprocessable(`the certificate could not be read: ${(error as Error).message}`);
        }
        try {
          const installed = await installPushCertificate(deps.config, deps.store, deps.clock, { ...upload, allowTopicChange: body.allowTopicChange === true, actor: call.actor });
          return { status: 200, body: { facts: installed.facts, keyFrom: installed.keyFrom, recorded: installed.recorded !== undefined, restartRequired: true } };
        } catch (error) {
          if (error instanceof PushCertificateError) throw unprocessable(error.message);
          throw error;
        }
      },
    },
  ];
}
