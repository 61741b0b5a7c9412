import { expect } from 'chai';
import { bindingVerdict, udidMatchesBinding } from '../../infrastructure/http/device/identity/device-binding.js';

describe('device binding verdict', () => {
  const identity = { certificateSha256: 'aa'.repeat(32) };

  it('matches when the message UDID and the certificate are the bound pair', () => {
    const binding = { udid: 'UDID-1', certificateHash: 'aa'.repeat(32) };
    expect(bindingVerdict(identity, 'UDID-1', binding)).to.equal('match');
    expect(udidMatchesBinding(identity, 'UDID-1', binding)).to.equal(true);
  });

  it('says not-bound when nothing is stored', () => {
    expect(bindingVerdict(identity, 'UDID-1', undefined)).to.equal('not-bound');
    expect(udidMatchesBinding(identity, 'UDID-1', undefined)).to.equal(false);
  });

  it('tells a device bound to another certificate from a certificate bound to another device', () => {
    expect(bindingVerdict(identity, 'UDID-1', { udid: 'UDID-1', certificateHash: 'bb'.repeat(32) })).to.equal('udid-mismatch');
    expect(bindingVerdict(identity, 'UDID-2', { udid: 'UDID-1', certificateHash: 'aa'.repeat(32) })).to.equal('certificate-bound-elsewhere');
    expect(udidMatchesBinding(identity, 'UDID-2', { udid: 'UDID-1', certificateHash: 'aa'.repeat(32) })).to.equal(false);
  });

  it('compares UDIDs exactly', () => {
    expect(bindingVerdict(identity, 'udid-1', { udid: 'UDID-1', certificateHash: 'aa'.repeat(32) })).to.equal('certificate-bound-elsewhere');
  });
});
