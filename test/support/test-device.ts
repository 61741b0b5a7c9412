import { Agent, request } from 'node:https';
import { buildXmlPlist } from '../../infrastructure/plist/index.js';
import type { PlistInput } from '../../infrastructure/plist/plist-value.js';
import { mdmSignature } from './cms-sign.js';

export interface TestDeviceOptions {
  /** The device listener's base URL, e.g. https://localhost:12345 */
  readonly serverUrl: string;
  /** The CA the device trusts for the server (the MDM CA, pinned as the profile would). */
  readonly serverCaPem: string;
  readonly udid: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** How the device proves its identity: TLS client certificate, the Mdm-Signature header, or not at all. */
  readonly auth: 'mtls' | 'signature' | 'none';
}

export interface DeviceResponse {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

export const CHECK_IN = 'application/x-apple-aspen-mdm-checkin';
export const REPORT = 'application/x-apple-aspen-mdm';

/** A scripted Apple device: PUTs XML plists over keep-alive TLS as a real one would. */
export class TestDevice {
  private readonly agent: Agent;

  constructor(readonly options: TestDeviceOptions) {
    this.agent = new Agent({
      keepAlive: true,
      ca: options.serverCaPem,
      ...(options.auth === 'mtls' ? { cert: options.certPem, key: options.keyPem } : {}),
    });
  }

  get udid(): string {
    return this.options.udid;
  }

  put(path: string, contentType: string, body: Buffer, extraHeaders: Record<string, string> = {}): Promise<DeviceResponse> {
    const headers: Record<string, string> = { 'content-type': contentType, 'content-length': String(body.length), ...extraHeaders };
    if (this.options.auth === 'signature') headers['mdm-signature'] = mdmSignature(body, { certPem: this.options.certPem, keyPem: this.options.keyPem });
    return new Promise((resolve, reject) => {
      const req = request(`${this.options.serverUrl}${path}`, { method: 'PUT', agent: this.agent, headers, servername: 'localhost' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  checkIn(message: Record<string, PlistInput>, path = '/mdm'): Promise<DeviceResponse> {
    return this.put(path, CHECK_IN, Buffer.from(buildXmlPlist({ UDID: this.udid, ...message })));
  }

  report(report: Record<string, PlistInput>, path = '/mdm'): Promise<DeviceResponse> {
    return this.put(path, REPORT, Buffer.from(buildXmlPlist({ UDID: this.udid, ...report })));
  }

  close(): void {
    this.agent.destroy();
  }
}
