import { expect } from 'chai';
import express from 'express';
import { connect } from 'node:tls';
import type { Server } from 'node:https';
import { join } from 'node:path';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { deviceTlsOptions, deviceTlsRenewal } from '../../infrastructure/http/device/device-tls.js';
import { listen } from '../../infrastructure/http/listener.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { tempDir } from '../support/temp-dir.js';

// The renewed certificate is valid from the test's future clock, so the handshake is not verified
// here: the serial tells which certificate the listener presents.
function peerSerial(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost' }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial);
    });
    socket.on('error', reject);
  });
}

describe('device listener TLS renewal', function () {
  this.timeout(20_000);

  it('swaps a reissued certificate into the running listener without a restart', async () => {
    const dir = tempDir();
    let now = new Date();
    const clock = { now: () => now };
    const logger = jsonLogger({ write: () => undefined });
    const config = loadConfig({ MDM_DATA_DIR: dir.path, MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1' });
    const ca = await FileCertificateAuthority.openOrCreate(join(dir.path, 'ca'), { clock, keyBits: 2048 });
    const listener = await listen(express(), '127.0.0.1', 0, await deviceTlsOptions(config, ca, clock, logger));
    const renewal = deviceTlsRenewal(config, ca, clock, logger, listener.server as Server);
    try {
      const port = Number(new URL(listener.url).port);
      const before = await peerSerial(port);
      expect(await renewal.check(), 'nothing to renew yet').to.equal(false);
      // 380 days on: the 397-day certificate is within its 30-day renewal window.
      now = new Date(now.getTime() + 380 * 86_400_000);
      expect(await renewal.check()).to.equal(true);
      const after = await peerSerial(port);
      expect(after).to.not.equal(before);
    } finally {
      renewal.stop();
      await listener.close(1_000);
      dir.remove();
    }
  });
});
