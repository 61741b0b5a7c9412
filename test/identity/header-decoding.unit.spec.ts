import { expect } from 'chai';
import { parseClientCertHeader } from '../../infrastructure/http/device/identity/client-cert-header.js';
import { decodeStrictBase64 } from '../../infrastructure/http/device/identity/strict-base64.js';

describe('identity header decoding', () => {
  describe('decodeStrictBase64', () => {
    it('decodes standard base64, padded or not', () => {
      expect(decodeStrictBase64('AQID')).to.deep.equal(Buffer.from([1, 2, 3]));
      expect(decodeStrictBase64('AQI=')).to.deep.equal(Buffer.from([1, 2]));
      expect(decodeStrictBase64('AQI')).to.deep.equal(Buffer.from([1, 2]));
      expect(decodeStrictBase64('AQ==')).to.deep.equal(Buffer.from([1]));
      expect(decodeStrictBase64('+/+/')).to.deep.equal(Buffer.from('+/+/', 'base64'));
    });

    for (const bad of ['', 'A', 'AQ=', 'AQID=', 'AQ ID', 'AQ\nID', 'AQ-_', 'AQ==AQ==', '====', '*AQID']) {
      it(`refuses ${JSON.stringify(bad)}`, () => {
        expect(decodeStrictBase64(bad)).to.equal(undefined);
      });
    }
  });

  describe('parseClientCertHeader (RFC 9440)', () => {
    it('reads a byte sequence', () => {
      expect(parseClientCertHeader(':AQID:')).to.deep.equal({ ok: true, value: Buffer.from([1, 2, 3]) });
      expect(parseClientCertHeader('  :AQID: ')).to.deep.equal({ ok: true, value: Buffer.from([1, 2, 3]) });
    });

    for (const bad of ['AQID', ':AQID', 'AQID:', '::', ':AQID:, :AQID:', ':AQ*D:', ':-----BEGIN CERTIFICATE-----:']) {
      it(`refuses ${JSON.stringify(bad)} as malformed`, () => {
        const result = parseClientCertHeader(bad);
        expect(!result.ok && result.problem.reason).to.equal('malformed');
      });
    }
  });
});
