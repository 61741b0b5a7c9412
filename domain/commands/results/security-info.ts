import { arrayOf, boolean, dictionary, integer, text, type DictionaryShape } from './shape.js';

export type SecurityInfo = {
  /** Bit field: 1 block-level encryption, 2 file-level encryption (3: both). */
  readonly HardwareEncryptionCaps?: number;
  readonly PasscodePresent?: boolean;
  readonly PasscodeCompliant?: boolean;
  readonly PasscodeCompliantWithProfiles?: boolean;
  readonly PasscodeLockGracePeriod?: number;
  readonly PasscodeLockGracePeriodEnforced?: number;
  readonly AutoLockTime?: number;
  readonly FDE_Enabled?: boolean;
  readonly FDE_HasPersonalRecoveryKey?: boolean;
  readonly FDE_HasInstitutionalRecoveryKey?: boolean;
  readonly FDE_PersonalRecoveryKeyDeviceKey?: string;
  readonly SystemIntegrityProtectionEnabled?: boolean;
  readonly FirewallSettings?: {
    readonly FirewallEnabled?: boolean;
    readonly BlockAllIncoming?: boolean;
    readonly StealthMode?: boolean;
    readonly Applications?: Array<{ readonly Allowed?: boolean; readonly BundleID?: string; readonly Name?: string }>;
    readonly LoggingEnabled?: boolean;
    readonly LoggingOption?: string;
  };
  readonly FirmwarePasswordStatus?: { readonly PasswordExists?: boolean; readonly ChangePending?: boolean; readonly AllowOroms?: boolean };
  readonly ManagementStatus?: {
    readonly EnrolledViaDEP?: boolean;
    readonly UserApprovedEnrollment?: boolean;
    readonly IsUserEnrollment?: boolean;
    readonly IsActivationLockManageable?: boolean;
  };
  readonly SecureBoot?: { readonly SecureBootLevel?: string; readonly ExternalBootLevel?: string; readonly ReducedSecurity?: string[] };
  readonly RemoteDesktopEnabled?: boolean;
  readonly AuthenticatedRootVolumeEnabled?: boolean;
  readonly BootstrapTokenAllowedForAuthentication?: string;
  readonly BootstrapTokenRequiredForSoftwareUpdate?: boolean;
  readonly BootstrapTokenRequiredForKernelExtensionApproval?: boolean;
  readonly IsRecoveryLockEnabled?: boolean;
};

export type SecurityInfoResult = { readonly requestType: 'SecurityInfo'; readonly SecurityInfo: SecurityInfo; readonly truncated?: true };

const word = text(64);

// FDE_PersonalRecoveryKeyCMS is left out on purpose: it is a FileVault recovery key (encrypted to
// the escrow certificate), a secret to escrow deliberately, not inventory to spread through events.
export const SECURITY_INFO_REPORT: DictionaryShape = dictionary(
  {
    SecurityInfo: dictionary({
      HardwareEncryptionCaps: integer,
      PasscodePresent: boolean,
      PasscodeCompliant: boolean,
      PasscodeCompliantWithProfiles: boolean,
      PasscodeLockGracePeriod: integer,
      PasscodeLockGracePeriodEnforced: integer,
      AutoLockTime: integer,
      FDE_Enabled: boolean,
      FDE_HasPersonalRecoveryKey: boolean,
      FDE_HasInstitutionalRecoveryKey: boolean,
      FDE_PersonalRecoveryKeyDeviceKey: text(256),
      SystemIntegrityProtectionEnabled: boolean,
      FirewallSettings: dictionary({
        FirewallEnabled: boolean,
        BlockAllIncoming: boolean,
        StealthMode: boolean,
        Applications: arrayOf(dictionary({ Allowed: boolean, BundleID: text(255), Name: text(255) }), 1000, 'BundleID'),
        LoggingEnabled: boolean,
        LoggingOption: word,
      }),
      FirmwarePasswordStatus: dictionary({ PasswordExists: boolean, ChangePending: boolean, AllowOroms: boolean }),
      ManagementStatus: dictionary({ EnrolledViaDEP: boolean, UserApprovedEnrollment: boolean, IsUserEnrollment: boolean, IsActivationLockManageable: boolean }),
      SecureBoot: dictionary({ SecureBootLevel: word, ExternalBootLevel: word, ReducedSecurity: arrayOf(word, 16) }),
      RemoteDesktopEnabled: boolean,
      AuthenticatedRootVolumeEnabled: boolean,
      BootstrapTokenAllowedForAuthentication: word,
      BootstrapTokenRequiredForSoftwareUpdate: boolean,
      BootstrapTokenRequiredForKernelExtensionApproval: boolean,
      IsRecoveryLockEnabled: boolean,
    }),
  },
  ['SecurityInfo'],
);
