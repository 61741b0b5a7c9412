import { expect } from 'chai';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { crlRoutes } from '../../infrastructure/http/device/crl-routes.js';

describe('GET /crl before the revocations were read', () => {
  it('answers 503 with Retry-After rather than a CRL that lists nothing, then the CRL', async () => {
    let loaded = false;
    const der = Buffer.from('3000', 'hex');
    const app = express().use(crlRoutes(() => ({ der, thisUpdate: new Date(0) }) as never, () => loaded));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/crl`;
    try {
      const early = await fetch(url);
      expect(early.status).to.equal(503);
      expect(early.headers.get('retry-after')).to.equal('5');
      loaded = true;
      const later = await fetch(url);
      expect(later.status).to.equal(200);
      expect(Buffer.from(await later.arrayBuffer()).equals(der)).to.equal(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
