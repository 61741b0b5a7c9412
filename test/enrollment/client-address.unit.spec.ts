import { expect } from 'chai';
import type { Request } from 'express';
import { cidrMatcher } from '../../infrastructure/http/device/identity/cidr.js';
import { clientAddress } from '../../infrastructure/http/device/web-enrollment/client-address.js';

const request = (peer: string, forwarded?: string) => ({ socket: { remoteAddress: peer }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as Request;

describe('client address for sign-in limits', () => {
  const proxies = cidrMatcher(['10.0.0.0/8']);

  it('is the peer unless the peer is a trusted proxy', () => {
    expect(clientAddress(request('198.51.100.1', '203.0.113.9'), proxies)).to.equal('198.51.100.1');
    expect(clientAddress(request('10.0.0.5', '203.0.113.9'), proxies)).to.equal('203.0.113.9');
    expect(clientAddress(request('10.0.0.5'), proxies)).to.equal('10.0.0.5');
  });

  it('takes the nearest hop that is not a trusted proxy; hops further left are the client\'s word', () => {
    expect(clientAddress(request('10.0.0.5', '1.2.3.4, 203.0.113.9, 10.0.0.7'), proxies)).to.equal('203.0.113.9');
    expect(clientAddress(request('10.0.0.5', '203.0.113.9, not-an-ip'), proxies), 'garbage: keep the peer').to.equal('10.0.0.5');
    expect(clientAddress(request('10.0.0.5', `${'1.1.1.1,'.repeat(400)}2.2.2.2`), proxies), 'too long: keep the peer').to.equal('10.0.0.5');
  });
});
