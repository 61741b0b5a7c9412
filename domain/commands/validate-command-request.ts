import { assertNever } from '../shared/decider.js';
import { PARAMETER_KEYS, type CommandRequest } from './command-request.js';
import { REQUEST_TYPES, isRequestType, type RequestType } from './request-types.js';
import { readInstallApplication, readInstalledApplicationList, readManagedApplicationList, readRemoveApplication } from './validation/applications.js';
import { invalid } from './validation/invalid.js';
import { readInstallProfile, readInstallProvisioningProfile, readRemoveProfile, readRemoveProvisioningProfile } from './validation/profiles.js';
import {
  readCertificateList,
  readDeviceInformation,
  readProfileList,
  readProvisioningProfileList,
  readRestrictions,
  readSecurityInfo,
} from './validation/queries.js';
import { InputObject, isPlainObject } from './validation/read.js';
import { readClearPasscode, readDeviceLock, readEraseDevice } from './validation/security.js';
import { readSettings } from './validation/settings.js';

function read(type: RequestType, input: InputObject): CommandRequest {
  switch (type) {
    case 'InstallProfile':
      return readInstallProfile(input);
    case 'RemoveProfile':
      return readRemoveProfile(input);
    case 'Settings':
      return { requestType: 'Settings', Settings: input.need('Settings', readSettings) };
    case 'InstallApplication':
      return readInstallApplication(input);
    case 'RemoveApplication':
      return readRemoveApplication(input);
    case 'ManagedApplicationList':
      return readManagedApplicationList(input);
    case 'InstalledApplicationList':
      return readInstalledApplicationList(input);
    case 'InstallProvisioningProfile':
      return readInstallProvisioningProfile(input);
    case 'RemoveProvisioningProfile':
      return readRemoveProvisioningProfile(input);
    case 'ProvisioningProfileList':
      return readProvisioningProfileList(input);
    case 'EraseDevice':
      return readEraseDevice(input);
    case 'DeviceLock':
      return readDeviceLock(input);
    case 'ClearPasscode':
      return readClearPasscode(input);
    case 'DeviceInformation':
      return readDeviceInformation(input);
    case 'SecurityInfo':
      return readSecurityInfo();
    case 'ProfileList':
      return readProfileList(input);
    case 'CertificateList':
      return readCertificateList(input);
    case 'Restrictions':
      return readRestrictions(input);
    default:
      return assertNever(type);
  }
}

/**
 * Checks untrusted input (an admin's request, or a stored one) and returns a fresh, typed copy that
 * holds only known keys. Throws DomainError `invalid-command` naming the first offending key; values
 * are never quoted back, since a clear secret sent by mistake would otherwise reach the logs.
 * Secrets must already be sealed references (see sealSecretParameters).
 */
export function validateCommandRequest(input: unknown): CommandRequest {
  if (!isPlainObject(input)) invalid('command', 'must be an object with a "requestType"');
  const type = input['requestType'];
  if (!isRequestType(type)) {
    invalid('requestType', typeof type === 'string' ? `is not a supported RequestType (supported: ${REQUEST_TYPES.join(', ')})` : 'is required and must be a string');
  }
  return read(type, InputObject.read(input, type, ['requestType', ...PARAMETER_KEYS[type]]));
}
