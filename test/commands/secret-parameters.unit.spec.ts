import { expect } from 'chai';
import { isFindMyPin, isSealedRef, sealSecretParameters, validateCommandRequest } from '../../domain/commands/index.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { box, contextFor, pinRef } from './fixtures.js';

const sealPin = (clear: string, parameter: string) => box.seal(clear, contextFor(parameter));

describe('sealSecretParameters', () => {
  it('seals a clear Find My PIN so that the request validates and the PIN opens again', () => {
    for (const requestType of ['DeviceLock', 'EraseDevice'] as const) {
      const input = { requestType, PIN: '042913' };
      const sealed = sealSecretParameters(input, sealPin) as { PIN: unknown };
      expect(isSealedRef(sealed.PIN)).to.equal(true);
      expect(JSON.stringify(sealed)).to.not.include('042913');
      expect(input.PIN, 'the input is left as it was').to.equal('042913');
      const request = validateCommandRequest(sealed) as { PIN: { sealed: string } };
      expect(box.open(request.PIN.sealed, contextFor('PIN')).toString()).to.equal('042913');
    }
  });

  it('refuses a PIN that is not six digits, without repeating it', () => {
    for (const pin of ['12345', '1234567', '12345a', ' 123456', '１２３４５６']) {
      let caught: unknown;
      try {
        sealSecretParameters({ requestType: 'DeviceLock', PIN: pin }, sealPin);
      } catch (error) {
        caught = error;
      }
      expect(caught, pin).to.be.instanceOf(DomainError);
      expect((caught as DomainError).code).to.equal('invalid-command');
      expect((caught as DomainError).message).to.equal('DeviceLock.PIN: must be six digits');
    }
    expect(isFindMyPin('000000')).to.equal(true);
  });

  it('passes through input that holds no clear secret, untouched', () => {
    const alreadySealed = { requestType: 'DeviceLock', PIN: pinRef };
    expect(sealSecretParameters(alreadySealed, sealPin)).to.equal(alreadySealed);
    const query = { requestType: 'DeviceInformation', Queries: ['UDID'] };
    expect(sealSecretParameters(query, sealPin)).to.equal(query);
    expect(sealSecretParameters('nonsense', sealPin)).to.equal('nonsense');
  });

  it('never seals an unlock token from admin input: it comes from the device\'s TokenUpdate', () => {
    const input = { requestType: 'ClearPasscode', UnlockToken: 'AAEC' };
    expect(sealSecretParameters(input, () => expect.fail('sealed'))).to.equal(input);
    expect(() => validateCommandRequest(input)).to.throw(DomainError, 'ClearPasscode.UnlockToken');
  });
});
