import type {
  CertificateListRequest,
  DeviceInformationRequest,
  ProfileListRequest,
  ProvisioningProfileListRequest,
  RestrictionsRequest,
  SecurityInfoRequest,
} from '../command-request.js';
import { DEVICE_INFORMATION_QUERIES } from '../query-names.js';
import { compact, type InputObject, readList, readOneOf } from './read.js';

export const readDeviceInformation = (input: InputObject): DeviceInformationRequest => ({
  requestType: 'DeviceInformation',
  Queries: input.need('Queries', (v, p) =>
    readList(v, p, { min: 1, max: DEVICE_INFORMATION_QUERIES.length, unique: true }, (q, qp) => readOneOf(q, qp, DEVICE_INFORMATION_QUERIES))),
});

export const readSecurityInfo = (): SecurityInfoRequest => ({ requestType: 'SecurityInfo' });

export const readProfileList = (input: InputObject): ProfileListRequest =>
  compact({ requestType: 'ProfileList' as const, ManagedOnly: input.boolean('ManagedOnly') });

export const readCertificateList = (input: InputObject): CertificateListRequest =>
  compact({ requestType: 'CertificateList' as const, ManagedOnly: input.boolean('ManagedOnly') });

export const readProvisioningProfileList = (input: InputObject): ProvisioningProfileListRequest =>
  compact({ requestType: 'ProvisioningProfileList' as const, ManagedOnly: input.boolean('ManagedOnly') });

export const readRestrictions = (input: InputObject): RestrictionsRequest =>
  compact({ requestType: 'Restrictions' as const, ProfileRestrictions: input.boolean('ProfileRestrictions') });
