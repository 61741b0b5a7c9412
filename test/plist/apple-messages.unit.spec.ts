import { expect } from 'chai';
import { buildBinaryPlist } from '../../infrastructure/plist/build-binary-plist.js';
import { parsePlist } from '../../infrastructure/plist/parse-plist.js';
import {
  asDict,
  getArray,
  getBool,
  getData,
  getDict,
  getInteger,
  getNumber,
  getOptionalBool,
  getOptionalData,
  getOptionalString,
  getString,
} from '../../infrastructure/plist/plist-accessors.js';
import {
  AUTHENTICATE,
  COMMAND_UUID,
  DEVICE_INFORMATION_REPORT,
  ERROR_REPORT,
  IDLE,
  PUSH_MAGIC,
  TOKEN,
  TOKEN_UPDATE,
  TOPIC,
  UDID,
  UNLOCK_TOKEN,
} from './apple-messages.js';

const parse = (xml: string) => parsePlist(Buffer.from(xml, 'utf8'));

describe('Apple MDM messages', () => {
  it('reads an Authenticate check-in', () => {
    const message = asDict(parse(AUTHENTICATE), 'check-in');
    expect(getString(message, 'MessageType')).to.equal('Authenticate');
    expect(getString(message, 'UDID')).to.equal(UDID);
    expect(getString(message, 'Topic')).to.equal(TOPIC);
    expect(getString(message, 'DeviceName')).to.equal('Zoë’s iPhone');
    expect(getString(message, 'SerialNumber')).to.equal('F2LXK1ABHG7F');
    expect(getOptionalString(message, 'IMEI')).to.equal('35 311111 111111 1');
    expect(getOptionalString(message, 'EnrollmentID')).to.equal(undefined);
    expect(message).to.deep.equal({
      BuildVersion: '21F90',
      DeviceName: 'Zoë’s iPhone',
      IMEI: '35 311111 111111 1',
      MEID: '35311111111111',
      MessageType: 'Authenticate',
      Model: 'iPhone12,1',
      ModelName: 'iPhone',
      OSVersion: '17.5.1',
      ProductName: 'iPhone12,1',
      SerialNumber: 'F2LXK1ABHG7F',
      Topic: TOPIC,
      UDID,
    });
  });

  it('reads a TokenUpdate with Token and UnlockToken data', () => {
    const message = asDict(parse(TOKEN_UPDATE), 'check-in');
    expect(getString(message, 'MessageType')).to.equal('TokenUpdate');
    expect(getData(message, 'Token')).to.deep.equal(TOKEN);
    expect(getOptionalData(message, 'UnlockToken')).to.deep.equal(UNLOCK_TOKEN);
    expect(getString(message, 'PushMagic')).to.equal(PUSH_MAGIC);
    expect(getOptionalBool(message, 'AwaitingConfiguration')).to.equal(false);
    expect(getOptionalString(message, 'UserID')).to.equal(undefined);
  });

  it('reads the same TokenUpdate sent as a binary plist', () => {
    const xmlModel = parse(TOKEN_UPDATE);
    const binary = buildBinaryPlist(xmlModel);
    expect(binary.subarray(0, 8).toString('latin1')).to.equal('bplist00');
    expect(parsePlist(binary)).to.deep.equal(xmlModel);
  });

  it('reads a DeviceInformation report with QueryResponses', () => {
    const report = asDict(parse(DEVICE_INFORMATION_REPORT), 'report');
    expect(getString(report, 'Status')).to.equal('Acknowledged');
    expect(getString(report, 'CommandUUID')).to.equal(COMMAND_UUID);
    const responses = getDict(report, 'QueryResponses');
    expect(getNumber(responses, 'BatteryLevel')).to.equal(1);
    expect(getNumber(responses, 'DeviceCapacity')).to.equal(64);
    expect(getNumber(responses, 'AvailableDeviceCapacity')).to.equal(41.52734375);
    expect(getBool(responses, 'IsSupervised')).to.equal(true);
    expect(getString(responses, 'OSVersion')).to.equal('17.5.1');
    const subscription = asDict(getArray(responses, 'ServiceSubscriptions')[0], 'ServiceSubscriptions[0]');
    expect(getString(subscription, 'Slot')).to.equal('CTSubscriptionSlotOne');
    expect(getString(subscription, 'CarrierSettingsVersion')).to.equal('59.0');
  });

  it('reads an Error report with its ErrorChain', () => {
    const report = asDict(parse(ERROR_REPORT), 'report');
    expect(getString(report, 'Status')).to.equal('Error');
    const [first] = getArray(report, 'ErrorChain').map((entry, i) => asDict(entry, `ErrorChain[${i}]`));
    expect(getInteger(first!, 'ErrorCode')).to.equal(4);
    expect(getString(first!, 'ErrorDomain')).to.equal('MCMDMErrorDomain');
    expect(getString(first!, 'LocalizedDescription')).to.equal('Ungültiger Befehl');
  });

  it('reads an Idle report', () => {
    expect(parse(IDLE)).to.deep.equal({ Status: 'Idle', UDID });
  });
});
