import { boolean, dictionary, integer, mapOf, text, type DictionaryShape } from './shape.js';

export type ManagedApplication = {
  /** Queued, Installing, Managed, ManagedButUninstalled, Failed, … (transient ones are reported once). */
  readonly Status: string;
  readonly ManagementFlags?: number;
  readonly HasConfiguration?: boolean;
  readonly HasFeedback?: boolean;
  readonly IsValidated?: boolean;
  readonly ExternalVersionIdentifier?: number;
};

export type ManagedApplicationListResult = {
  readonly requestType: 'ManagedApplicationList';
  /** By bundle identifier. */
  readonly ManagedApplicationList: { readonly [identifier: string]: ManagedApplication };
  readonly truncated?: true;
};

// UnusedRedemptionCode is left out: a redeemable store code is worth money and is reported only once,
// so it is for the application to seal and hand over, not for inventory events in clear.
export const MANAGED_APPLICATION_LIST_REPORT: DictionaryShape = dictionary(
  {
    ManagedApplicationList: mapOf(
      dictionary(
        { Status: text(64), ManagementFlags: integer, HasConfiguration: boolean, HasFeedback: boolean, IsValidated: boolean, ExternalVersionIdentifier: integer },
        ['Status'],
      ),
      10_000,
    ),
  },
  ['ManagedApplicationList'],
);
