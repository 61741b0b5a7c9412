import { expect } from 'chai';
import { APPLE_PRODUCTION_APNS_URL, ApnsEndpointError, parseApnsUrl } from '../../infrastructure/apns/apns-endpoint.js';
import { outcomeOfAnswer, outcomeOfTransportError } from '../../infrastructure/apns/apns-response.js';

const now = new Date('2025-06-01T10:00:00.000Z');

describe('APNs answers → outcomes', () => {
  const kind = (status: number, reason?: string) => outcomeOfAnswer('U', { status, ...(reason ? { reason } : {}) }, now).kind;

  it('classifies by status and reason', () => {
    expect(kind(200)).to.equal('delivered');
    expect(kind(410, 'Unregistered')).to.equal('unregistered');
    expect(kind(410, 'ExpiredToken')).to.equal('unregistered');
    expect(kind(400, 'BadDeviceToken')).to.equal('bad-device-token');
    for (const reason of ['DeviceTokenNotForTopic', 'TopicDisallowed', 'BadTopic', 'MissingTopic', 'BadExpirationDate', 'PayloadEmpty', 'SomethingNew']) {
      expect(kind(400, reason), reason).to.equal('configuration-fault');
    }
    for (const reason of ['BadCertificate', 'BadCertificateEnvironment', 'Forbidden', 'InvalidProviderToken']) {
      expect(kind(403, reason), reason).to.equal('configuration-fault');
    }
    expect(kind(404, 'BadPath')).to.equal('configuration-fault');
    expect(kind(405, 'MethodNotAllowed')).to.equal('configuration-fault');
    expect(kind(413, 'PayloadTooLarge')).to.equal('configuration-fault');
    expect(kind(429, 'TooManyRequests')).to.equal('retryable');
    expect(kind(500, 'InternalServerError')).to.equal('retryable');
    expect(kind(503, 'ServiceUnavailable')).to.equal('retryable');
    expect(kind(503, 'Shutdown')).to.equal('retryable');
  });

  it('keeps APNs\' reason, or names the status when there is none', () => {
    expect(outcomeOfAnswer('U', { status: 403, reason: 'BadCertificate' }, now)).to.deep.equal({ kind: 'configuration-fault', udid: 'U', reason: 'BadCertificate', status: 403 });
    expect(outcomeOfAnswer('U', { status: 502 }, now)).to.deep.equal({ kind: 'retryable', udid: 'U', reason: 'HTTP 502', status: 502 });
  });

  it('takes the 410 timestamp in milliseconds, and the sending time when it is missing or absurd', () => {
    const at = (timestamp: unknown) => (outcomeOfAnswer('U', { status: 410, reason: 'Unregistered', timestamp }, now) as { at: Date }).at.toISOString();
    expect(at(1_748_700_000_000)).to.equal(new Date(1_748_700_000_000).toISOString());
    expect(at('1748700000000')).to.equal(new Date(1_748_700_000_000).toISOString());
    for (const absurd of [undefined, null, 'yesterday', 1_748_700_000, Number.NaN, now.getTime() + 30 * 86_400_000, { ms: 1 }]) {
      expect(at(absurd), String(absurd)).to.equal(now.toISOString());
    }
  });

  it('treats transport failures as retryable', () => {
    expect(outcomeOfTransportError('U', 'apn write timeout')).to.deep.equal({ kind: 'retryable', udid: 'U', reason: 'Timeout' });
    expect(outcomeOfTransportError('U', 'connect ECONNREFUSED 127.0.0.1:1')).to.deep.include({ reason: 'ConnectionRefused' });
    expect(outcomeOfTransportError('U', 'getaddrinfo ENOTFOUND api.push.apple.com')).to.deep.include({ reason: 'HostNotFound' });
    expect(outcomeOfTransportError('U', 'socket hang up')).to.deep.include({ kind: 'retryable', reason: 'NetworkError' });
  });
});

describe('MDM_APNS_URL', () => {
  it('defaults to Apple\'s production host on 443', () => {
    expect(APPLE_PRODUCTION_APNS_URL).to.equal('https://api.push.apple.com');
    expect(parseApnsUrl()).to.deep.equal({ address: 'api.push.apple.com', port: 443, isApple: true });
    expect(parseApnsUrl('https://api.push.apple.com:2197')).to.deep.equal({ address: 'api.push.apple.com', port: 2197, isApple: true });
  });

  it('takes a stand-in, IPv6 included', () => {
    expect(parseApnsUrl('https://127.0.0.1:8443/')).to.deep.equal({ address: '127.0.0.1', port: 8443, isApple: false });
    expect(parseApnsUrl('https://[::1]:8443')).to.deep.equal({ address: '::1', port: 8443, isApple: false });
  });

  it('refuses anything but an https origin', () => {
    for (const url of ['http://api.push.apple.com', 'https://api.push.apple.com/3/device', 'https://u:p@api.push.apple.com', 'https://x?y=1', 'api.push.apple.com', '']) {
      expect(() => parseApnsUrl(url), url).to.throw(ApnsEndpointError);
    }
  });
});
