import { arrayOf, boolean, dictionary, integer, text, type DictionaryShape } from './shape.js';

export type InstalledApplication = {
  /** Always present on iOS and tvOS; may be missing on macOS. */
  readonly Identifier?: string;
  readonly ExternalVersionIdentifier?: number;
  readonly DistributorIdentifier?: string;
  readonly Version?: string;
  readonly ShortVersion?: string;
  readonly Name?: string;
  readonly BundleSize?: number;
  readonly DynamicSize?: number;
  readonly IsValidated?: boolean;
  readonly Installing?: boolean;
  readonly AppStoreVendable?: boolean;
  readonly DeviceBasedVPP?: boolean;
  readonly BetaApp?: boolean;
  readonly AdHocCodeSigned?: boolean;
  readonly HasUpdateAvailable?: boolean;
  readonly DownloadFailed?: boolean;
  readonly DownloadWaiting?: boolean;
  readonly DownloadPaused?: boolean;
  readonly DownloadCancelled?: boolean;
  readonly IsAppClip?: boolean;
  readonly Source?: string;
};

export type InstalledApplicationListResult = {
  readonly requestType: 'InstalledApplicationList';
  readonly InstalledApplicationList: InstalledApplication[];
  readonly truncated?: true;
};

const name = text(255);

export const INSTALLED_APPLICATION_LIST_REPORT: DictionaryShape = dictionary(
  {
    InstalledApplicationList: arrayOf(
      dictionary({
        Identifier: name,
        ExternalVersionIdentifier: integer,
        DistributorIdentifier: name,
        Version: name,
        ShortVersion: name,
        Name: name,
        BundleSize: integer,
        DynamicSize: integer,
        IsValidated: boolean,
        Installing: boolean,
        AppStoreVendable: boolean,
        DeviceBasedVPP: boolean,
        BetaApp: boolean,
        AdHocCodeSigned: boolean,
        HasUpdateAvailable: boolean,
        DownloadFailed: boolean,
        DownloadWaiting: boolean,
        DownloadPaused: boolean,
        DownloadCancelled: boolean,
        IsAppClip: boolean,
        Source: name,
      }),
      10_000,
      'Identifier',
    ),
  },
  ['InstalledApplicationList'],
);
