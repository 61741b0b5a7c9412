import type { ApplicationAttributes, ApplicationConfiguration } from './app-attributes.js';
import type { BlobRef } from './refs.js';

/** Settings items that only switch something on or off (`{ Item, Enabled }`). */
export const ENABLED_SETTINGS = ['DataRoaming', 'VoiceRoaming', 'PersonalHotspot', 'Bluetooth', 'DiagnosticSubmission', 'AppAnalytics'] as const;
export type EnabledSettingName = (typeof ENABLED_SETTINGS)[number];

export type EnabledSetting = { readonly Item: EnabledSettingName; readonly Enabled: boolean };
export type DeviceNameSetting = { readonly Item: 'DeviceName'; readonly DeviceName: string };
export type HostNameSetting = { readonly Item: 'HostName'; readonly HostName: string };
/** An IANA time zone name, e.g. "Europe/Paris". */
export type TimeZoneSetting = { readonly Item: 'TimeZone'; readonly TimeZone: string };

export const PASSCODE_LOCK_GRACE_PERIODS = [0, 60, 300, 900, 3600, 14400] as const;
export type PasscodeLockGracePeriodSetting = {
  readonly Item: 'PasscodeLockGracePeriod';
  readonly PasscodeLockGracePeriod: (typeof PASSCODE_LOCK_GRACE_PERIODS)[number];
};

/** 0: combined, 1: only minor updates, 2: only major updates (Apple's RecommendationCadence). */
export type SoftwareUpdateSettingsSetting = { readonly Item: 'SoftwareUpdateSettings'; readonly RecommendationCadence: 0 | 1 | 2 };
export type MaximumResidentUsersSetting = { readonly Item: 'MaximumResidentUsers'; readonly MaximumResidentUsers: number };

export type OrganizationInfo = {
  readonly OrganizationName: string;
  readonly OrganizationShortName?: string;
  readonly OrganizationAddress?: string;
  readonly OrganizationPhone?: string;
  readonly OrganizationEmail?: string;
  readonly OrganizationMagic?: string;
};
/** Without `OrganizationInfo` the device forgets the stored information. */
export type OrganizationInfoSetting = { readonly Item: 'OrganizationInfo'; readonly OrganizationInfo?: OrganizationInfo };

export type MDMOptionsSetting = {
  readonly Item: 'MDMOptions';
  readonly MDMOptions: {
    readonly ActivationLockAllowedWhileSupervised?: boolean;
    readonly BootstrapTokenAllowed?: boolean;
    readonly PromptUserToAllowBootstrapTokenForAuthentication?: boolean;
  };
};

export type AccessibilitySettingsSetting = {
  readonly Item: 'AccessibilitySettings';
  readonly BoldTextEnabled?: boolean;
  readonly IncreaseContrastEnabled?: boolean;
  readonly ReduceMotionEnabled?: boolean;
  readonly ReduceTransparencyEnabled?: boolean;
  /** 0-11; 4 is the system default. */
  readonly TextSize?: number;
  readonly TouchAccommodationsEnabled?: boolean;
  readonly VoiceOverEnabled?: boolean;
  readonly ZoomEnabled?: boolean;
  readonly GrayscaleEnabled?: boolean;
};

/** `Where`: 1 lock screen, 2 home screen, 3 both. The PNG or JPEG image is a stored blob. */
export type WallpaperSetting = { readonly Item: 'Wallpaper'; readonly Image: BlobRef; readonly Where: 1 | 2 | 3 };

/** Without `Configuration` the app's configuration is removed. */
export type ApplicationConfigurationSetting = {
  readonly Item: 'ApplicationConfiguration';
  readonly Identifier: string;
  readonly Configuration?: ApplicationConfiguration;
};

/** Without `Attributes` the app's attributes are removed. */
export type ApplicationAttributesSetting = {
  readonly Item: 'ApplicationAttributes';
  readonly Identifier: string;
  readonly Attributes?: ApplicationAttributes;
};

export type SettingsItem =
  | EnabledSetting
  | DeviceNameSetting
  | HostNameSetting
  | TimeZoneSetting
  | PasscodeLockGracePeriodSetting
  | SoftwareUpdateSettingsSetting
  | MaximumResidentUsersSetting
  | OrganizationInfoSetting
  | MDMOptionsSetting
  | AccessibilitySettingsSetting
  | WallpaperSetting
  | ApplicationConfigurationSetting
  | ApplicationAttributesSetting;

export type SettingsItemName = SettingsItem['Item'];

/** Every key each Settings item may carry besides `Item`. */
export const SETTINGS_ITEM_KEYS: Readonly<Record<SettingsItemName, readonly string[]>> = {
  DataRoaming: ['Enabled'],
  VoiceRoaming: ['Enabled'],
  PersonalHotspot: ['Enabled'],
  Bluetooth: ['Enabled'],
  DiagnosticSubmission: ['Enabled'],
  AppAnalytics: ['Enabled'],
  DeviceName: ['DeviceName'],
  HostName: ['HostName'],
  TimeZone: ['TimeZone'],
  PasscodeLockGracePeriod: ['PasscodeLockGracePeriod'],
  SoftwareUpdateSettings: ['RecommendationCadence'],
  MaximumResidentUsers: ['MaximumResidentUsers'],
  OrganizationInfo: ['OrganizationInfo'],
  MDMOptions: ['MDMOptions'],
  AccessibilitySettings: [
    'BoldTextEnabled', 'IncreaseContrastEnabled', 'ReduceMotionEnabled', 'ReduceTransparencyEnabled', 'TextSize',
    'TouchAccommodationsEnabled', 'VoiceOverEnabled', 'ZoomEnabled', 'GrayscaleEnabled',
  ],
  Wallpaper: ['Image', 'Where'],
  ApplicationConfiguration: ['Identifier', 'Configuration'],
  ApplicationAttributes: ['Identifier', 'Attributes'],
};

export const SETTINGS_ITEM_NAMES = Object.keys(SETTINGS_ITEM_KEYS) as SettingsItemName[];
