import type {
  InstallProfileRequest,
  InstallProvisioningProfileRequest,
  RemoveProfileRequest,
  RemoveProvisioningProfileRequest,
} from '../command-request.js';
import { PROFILE_IDENTIFIER, UUID } from './identifiers.js';
import type { InputObject } from './read.js';
import { readBlobRef } from './refs.js';

export const readInstallProfile = (input: InputObject): InstallProfileRequest => ({
  requestType: 'InstallProfile',
  Payload: input.need('Payload', readBlobRef),
});

export const readRemoveProfile = (input: InputObject): RemoveProfileRequest => ({
  requestType: 'RemoveProfile',
  Identifier: input.needText('Identifier', PROFILE_IDENTIFIER),
});

export const readInstallProvisioningProfile = (input: InputObject): InstallProvisioningProfileRequest => ({
  requestType: 'InstallProvisioningProfile',
  ProvisioningProfile: input.need('ProvisioningProfile', readBlobRef),
});

export const readRemoveProvisioningProfile = (input: InputObject): RemoveProvisioningProfileRequest => ({
  requestType: 'RemoveProvisioningProfile',
  UUID: input.needText('UUID', UUID),
});
