import { arrayOf, date, dictionary, text, type DictionaryShape } from './shape.js';

export type ProvisioningProfile = { readonly Name: string; readonly UUID: string; readonly ExpiryDate?: string };

export type ProvisioningProfileListResult = {
  readonly requestType: 'ProvisioningProfileList';
  readonly ProvisioningProfileList: ProvisioningProfile[];
  readonly truncated?: true;
};

export const PROVISIONING_PROFILE_LIST_REPORT: DictionaryShape = dictionary(
  {
    ProvisioningProfileList: arrayOf(dictionary({ Name: text(255), UUID: text(64), ExpiryDate: date }, ['Name', 'UUID']), 1000, 'UUID'),
  },
  ['ProvisioningProfileList'],
);
