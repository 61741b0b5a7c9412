import type { QueryRequestType } from '../request-types.js';
import type { CertificateListResult } from './certificate-list.js';
import type { DeviceInformationResult } from './device-information.js';
import type { InstalledApplicationListResult } from './installed-application-list.js';
import type { ManagedApplicationListResult } from './managed-application-list.js';
import type { ProfileListResult } from './profile-list.js';
import type { ProvisioningProfileListResult } from './provisioning-profile-list.js';
import type { RestrictionsResult } from './restrictions.js';
import type { SecurityInfoResult } from './security-info.js';

/**
 * A query's result, typed. `requestType` is ours; the other top-level keys are the report's own
 * (QueryResponses, SecurityInfo, ProfileList, …). `truncated` says a list exceeded its bound and was cut.
 */
export type CommandResult =
  | DeviceInformationResult
  | SecurityInfoResult
  | ProfileListResult
  | InstalledApplicationListResult
  | CertificateListResult
  | ProvisioningProfileListResult
  | ManagedApplicationListResult
  | RestrictionsResult;

export type CommandResultOf<T extends QueryRequestType> = Extract<CommandResult, { requestType: T }>;
