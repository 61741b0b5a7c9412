import { expect } from 'chai';
import {
  DEVICE_INFORMATION_QUERIES,
  PARAMETER_KEYS,
  REQUEST_TYPES,
  SETTINGS_ITEM_KEYS,
  SETTINGS_ITEM_NAMES,
  validateCommandRequest,
} from '../../domain/commands/index.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { allRequests, fullRequests, pinRef, profileRef, unlockTokenRef, wallpaperRef } from './fixtures.js';

function refusal(input: unknown): DomainError {
  try {
    validateCommandRequest(input);
  } catch (error) {
    expect(error).to.be.instanceOf(DomainError);
    expect((error as DomainError).code).to.equal('invalid-command');
    return error as DomainError;
  }
  expect.fail(`accepted ${JSON.stringify(input)}`);
}

const settings = (...items: unknown[]) => ({ requestType: 'Settings', Settings: items });
const install = (over: Record<string, unknown>) => ({ requestType: 'InstallApplication', iTunesStoreID: 1, ...over });
const nested = (depth: number): unknown => (depth === 0 ? 'leaf' : { a: nested(depth - 1) });

describe('validateCommandRequest', () => {
  describe('accepts', () => {
    for (const type of REQUEST_TYPES) {
      it(`${type}: the widest and the smallest request, returned as fresh, equal copies`, () => {
        for (const request of allRequests.filter((r) => r.requestType === type)) {
          const validated = validateCommandRequest(JSON.parse(JSON.stringify(request)));
          expect(validated).to.deep.equal(request);
          expect(validated).to.not.equal(request);
        }
      });
    }

    it('the fixtures use every parameter and every Settings item, so the other suites cover them all', () => {
      for (const type of REQUEST_TYPES) {
        const used = new Set(allRequests.filter((r) => r.requestType === type).flatMap((r) => Object.keys(r)).filter((k) => k !== 'requestType'));
        expect([...used].sort(), type).to.deep.equal([...PARAMETER_KEYS[type]].sort());
      }
      const items = fullRequests.Settings.Settings;
      expect(items.map((i) => i.Item).sort()).to.deep.equal([...SETTINGS_ITEM_NAMES].sort());
      for (const item of items) expect(Object.keys(item).filter((k) => k !== 'Item').sort(), item.Item).to.deep.equal([...SETTINGS_ITEM_KEYS[item.Item]].sort());
    });

    it('drops parameters given as undefined instead of keeping empty keys', () => {
      expect(validateCommandRequest({ requestType: 'DeviceLock', Message: undefined })).to.deep.equal({ requestType: 'DeviceLock' });
    });

    it('per-app Settings items may repeat for different apps', () => {
      const request = settings(
        { Item: 'ApplicationConfiguration', Identifier: 'com.example.a' },
        { Item: 'ApplicationConfiguration', Identifier: 'com.example.b', Configuration: {} },
      );
      expect(validateCommandRequest(request)).to.deep.equal(request);
    });

    it('every DeviceInformation query at once', () => {
      expect(validateCommandRequest({ requestType: 'DeviceInformation', Queries: [...DEVICE_INFORMATION_QUERIES] })).to.have.property('Queries').with.length(DEVICE_INFORMATION_QUERIES.length);
    });
  });

  describe('refuses, naming the key', () => {
    const cases: Array<[string, unknown, string]> = [
      ['a non-object', 'DeviceLock', 'command:'],
      ['an array', [{ requestType: 'DeviceLock' }], 'command:'],
      ['null', null, 'command:'],
      ['a missing requestType', { Queries: ['UDID'] }, 'requestType:'],
      ['an unknown requestType', { requestType: 'ShutDownDevice' }, 'requestType: is not a supported'],
      ['a requestType in the wrong case', { requestType: 'devicelock' }, 'requestType:'],
      ['an unknown parameter', { requestType: 'DeviceLock', Foo: 1 }, 'DeviceLock.Foo: is not a known parameter'],
      ['a parameter in our casing instead of Apple\'s', { requestType: 'DeviceLock', message: 'hi' }, 'DeviceLock.message'],
      ['a __proto__ key', JSON.parse('{"requestType":"SecurityInfo","__proto__":{"polluted":true}}'), 'SecurityInfo.__proto__'],
      ['InstallProfile without Payload', { requestType: 'InstallProfile' }, 'InstallProfile.Payload: is required'],
      ['InstallProfile with the profile inline', { requestType: 'InstallProfile', Payload: 'PD94bWwgdmVyc2lvbj0iMS4wIj8+' }, 'InstallProfile.Payload: must be a stored blob reference'],
      ['a blob reference with a malformed digest', { requestType: 'InstallProfile', Payload: { ...profileRef, sha256: 'ABC' } }, 'InstallProfile.Payload'],
      ['a blob reference of size 0', { requestType: 'InstallProfile', Payload: { ...profileRef, size: 0 } }, 'InstallProfile.Payload'],
      ['a blob reference over the size limit', { requestType: 'InstallProfile', Payload: { ...profileRef, size: 64 * 1024 * 1024 } }, 'InstallProfile.Payload'],
      ['a blob reference with an extra key', { requestType: 'InstallProfile', Payload: { ...profileRef, data: 'x' } }, 'InstallProfile.Payload'],
      ['RemoveProfile with an empty Identifier', { requestType: 'RemoveProfile', Identifier: '' }, 'RemoveProfile.Identifier: must not be empty'],
      ['RemoveProfile with a 256-character Identifier', { requestType: 'RemoveProfile', Identifier: 'a'.repeat(256) }, 'RemoveProfile.Identifier: must be at most 255'],
      ['RemoveProfile with a line break', { requestType: 'RemoveProfile', Identifier: 'com.example\nx' }, 'RemoveProfile.Identifier: must be a single line'],
      ['RemoveProfile with surrounding white space', { requestType: 'RemoveProfile', Identifier: ' com.example' }, 'RemoveProfile.Identifier: must not start or end'],
      ['RemoveProfile with a number', { requestType: 'RemoveProfile', Identifier: 42 }, 'RemoveProfile.Identifier: must be a string'],
      ['Settings that is not an array', { requestType: 'Settings', Settings: { Item: 'DataRoaming', Enabled: true } }, 'Settings.Settings: must be an array'],
      ['Settings without items', settings(), 'Settings.Settings: must not be empty'],
      ['too many Settings items', settings(...Array.from({ length: 33 }, (_, i) => ({ Item: 'ApplicationAttributes', Identifier: `com.example.a${i}` }))), 'Settings.Settings: must hold at most 32'],
      ['an unknown Settings item', settings({ Item: 'Wallpapers', Enabled: true }), 'Settings.Settings[0].Item: is not one of the known values'],
      ['a Settings item without Item', settings({ Enabled: true }), 'Settings.Settings[0].Item'],
      ['the same setting twice', settings({ Item: 'DataRoaming', Enabled: true }, { Item: 'DataRoaming', Enabled: false }), 'Settings.Settings[1]: sets DataRoaming a second time'],
      ['the same app configured twice', settings({ Item: 'ApplicationConfiguration', Identifier: 'com.example.a' }, { Item: 'ApplicationConfiguration', Identifier: 'com.example.a' }), 'Settings.Settings[1]'],
      ['Enabled given as a string', settings({ Item: 'Bluetooth', Enabled: 'true' }), 'Settings.Settings[0](Bluetooth).Enabled: must be true or false'],
      ['a key of another setting', settings({ Item: 'DataRoaming', Enabled: true, DeviceName: 'x' }), 'Settings.Settings[0](DataRoaming).DeviceName: is not a known parameter'],
      ['DeviceName without a name', settings({ Item: 'DeviceName' }), 'Settings.Settings[0](DeviceName).DeviceName: is required'],
      ['a DeviceName with a lone surrogate', settings({ Item: 'DeviceName', DeviceName: 'iPad \uD800' }), '(DeviceName).DeviceName'],
      ['a malformed HostName', settings({ Item: 'HostName', HostName: 'front_desk!' }), '(HostName).HostName: must be a host name'],
      ['a malformed TimeZone', settings({ Item: 'TimeZone', TimeZone: 'Central European Time' }), '(TimeZone).TimeZone: must be an IANA time zone'],
      ['a grace period Apple does not offer', settings({ Item: 'PasscodeLockGracePeriod', PasscodeLockGracePeriod: 120 }), '(PasscodeLockGracePeriod).PasscodeLockGracePeriod: must be one of 0, 60'],
      ['RecommendationCadence 3', settings({ Item: 'SoftwareUpdateSettings', RecommendationCadence: 3 }), '(SoftwareUpdateSettings).RecommendationCadence'],
      ['MaximumResidentUsers 0', settings({ Item: 'MaximumResidentUsers', MaximumResidentUsers: 0 }), '(MaximumResidentUsers).MaximumResidentUsers: must be from 1'],
      ['MaximumResidentUsers 2.5', settings({ Item: 'MaximumResidentUsers', MaximumResidentUsers: 2.5 }), '(MaximumResidentUsers).MaximumResidentUsers: must be a whole number'],
      ['OrganizationInfo without a name', settings({ Item: 'OrganizationInfo', OrganizationInfo: { OrganizationPhone: '1' } }), '(OrganizationInfo).OrganizationInfo.OrganizationName: is required'],
      ['a malformed organization email', settings({ Item: 'OrganizationInfo', OrganizationInfo: { OrganizationName: 'X', OrganizationEmail: 'it at example' } }), 'OrganizationInfo.OrganizationEmail'],
      ['MDMOptions with an unknown option', settings({ Item: 'MDMOptions', MDMOptions: { AllowEverything: true } }), '(MDMOptions).MDMOptions.AllowEverything'],
      ['AccessibilitySettings that set nothing', settings({ Item: 'AccessibilitySettings' }), '(AccessibilitySettings): must set at least one'],
      ['TextSize 12', settings({ Item: 'AccessibilitySettings', TextSize: 12 }), '(AccessibilitySettings).TextSize: must be from 0 to 11'],
      ['a wallpaper for nowhere', settings({ Item: 'Wallpaper', Image: wallpaperRef, Where: 4 }), '(Wallpaper).Where'],
      ['a wallpaper image inline', settings({ Item: 'Wallpaper', Image: 'iVBORw0KGgo=', Where: 1 }), '(Wallpaper).Image: must be a stored blob reference'],
      ['a configuration holding null', settings({ Item: 'ApplicationConfiguration', Identifier: 'com.example.a', Configuration: { a: null } }), '(ApplicationConfiguration).Configuration.a: must not be null'],
      ['a configuration nested too deep', settings({ Item: 'ApplicationConfiguration', Identifier: 'com.example.a', Configuration: nested(20) }), 'Configuration: nests deeper'],
      ['a configuration that is too large', settings({ Item: 'ApplicationConfiguration', Identifier: 'com.example.a', Configuration: { a: 'x'.repeat(70_000) } }), 'Configuration: must be at most'],
      ['a configuration for a malformed bundle id', settings({ Item: 'ApplicationConfiguration', Identifier: 'com example' }), '(ApplicationConfiguration).Identifier: must be a bundle identifier'],
      ['InstallApplication naming no app', { requestType: 'InstallApplication', ManagementFlags: 1 }, 'InstallApplication: needs exactly one of iTunesStoreID, Identifier and ManifestURL'],
      ['InstallApplication naming two apps', install({ ManifestURL: 'https://example.com/m.plist' }), 'InstallApplication: needs exactly one'],
      ['a manifest over http', { requestType: 'InstallApplication', ManifestURL: 'http://example.com/m.plist' }, 'InstallApplication.ManifestURL: must be an https: URL'],
      ['a manifest URL with credentials', { requestType: 'InstallApplication', ManifestURL: 'https://user:pw@example.com/m.plist' }, 'InstallApplication.ManifestURL: must not carry'],
      ['a relative manifest URL', { requestType: 'InstallApplication', ManifestURL: '/m.plist' }, 'InstallApplication.ManifestURL: must be an absolute URL'],
      ['a fractional iTunesStoreID', install({ iTunesStoreID: 1.5 }), 'InstallApplication.iTunesStoreID: must be a whole number'],
      ['a negative iTunesStoreID', install({ iTunesStoreID: -3 }), 'InstallApplication.iTunesStoreID: must be from 1'],
      ['ManagementFlags 2', install({ ManagementFlags: 2 }), 'InstallApplication.ManagementFlags: must be one of 1, 4, 5'],
      ['ChangeManagementState without InstallAsManaged', install({ ChangeManagementState: 'Managed' }), 'InstallApplication.ChangeManagementState: requires InstallAsManaged'],
      ['PurchaseMethod 2', install({ Options: { PurchaseMethod: 2 } }), 'InstallApplication.Options.PurchaseMethod'],
      ['an unknown option', install({ Options: { Silent: true } }), 'InstallApplication.Options.Silent'],
      ['an unknown attribute', install({ Attributes: { Deletable: true } }), 'InstallApplication.Attributes.Deletable'],
      ['a malformed associated domain', install({ Attributes: { AssociatedDomains: ['example.com'] } }), 'InstallApplication.Attributes.AssociatedDomains[0]'],
      ['a malformed cellular slice', install({ Attributes: { CellularSliceUUID: 'enterprise' } }), 'InstallApplication.Attributes.CellularSliceUUID'],
      ['RemoveApplication with a space in the bundle id', { requestType: 'RemoveApplication', Identifier: 'com.example app' }, 'RemoveApplication.Identifier'],
      ['an empty Identifiers list', { requestType: 'ManagedApplicationList', Identifiers: [] }, 'ManagedApplicationList.Identifiers: must not be empty'],
      ['a repeated identifier', { requestType: 'ManagedApplicationList', Identifiers: ['com.a', 'com.a'] }, 'ManagedApplicationList.Identifiers[1]: repeats'],
      ['1001 identifiers', { requestType: 'InstalledApplicationList', Identifiers: Array.from({ length: 1001 }, (_, i) => `com.a${i}`) }, 'InstalledApplicationList.Identifiers: must hold at most 1000'],
      ['an unknown InstalledApplicationList item', { requestType: 'InstalledApplicationList', Items: ['Name', 'Icon'] }, 'InstalledApplicationList.Items[1]'],
      ['ManagedAppsOnly given as a string', { requestType: 'InstalledApplicationList', ManagedAppsOnly: 'yes' }, 'InstalledApplicationList.ManagedAppsOnly'],
      ['InstallProvisioningProfile without a profile', { requestType: 'InstallProvisioningProfile' }, 'InstallProvisioningProfile.ProvisioningProfile: is required'],
      ['RemoveProvisioningProfile with a malformed UUID', { requestType: 'RemoveProvisioningProfile', UUID: 'not-a-uuid' }, 'RemoveProvisioningProfile.UUID: must be a UUID'],
      ['ManagedOnly given as a number', { requestType: 'ProvisioningProfileList', ManagedOnly: 1 }, 'ProvisioningProfileList.ManagedOnly'],
      ['an unknown ObliterationBehavior', { requestType: 'EraseDevice', ObliterationBehavior: 'Sometimes' }, 'EraseDevice.ObliterationBehavior'],
      ['ReturnToService without Enabled', { requestType: 'EraseDevice', ReturnToService: {} }, 'EraseDevice.ReturnToService.Enabled: is required'],
      ['a Return to Service profile inline', { requestType: 'EraseDevice', ReturnToService: { Enabled: true, MDMProfileData: 'PD94' } }, 'EraseDevice.ReturnToService.MDMProfileData'],
      ['a 1025-character lock message', { requestType: 'DeviceLock', Message: 'x'.repeat(1025) }, 'DeviceLock.Message: must be at most 1024'],
      ['a lock message with a NUL', { requestType: 'DeviceLock', Message: 'a\u0000b' }, 'DeviceLock.Message: contains control characters'],
      ['a phone number in words', { requestType: 'DeviceLock', PhoneNumber: 'call me' }, 'DeviceLock.PhoneNumber'],
      ['ClearPasscode without the unlock token', { requestType: 'ClearPasscode' }, 'ClearPasscode.UnlockToken: is required'],
      ['a sealed value from another format', { requestType: 'ClearPasscode', UnlockToken: { sealed: unlockTokenRef.sealed.replace('sb1.', 'sb2.') } }, 'ClearPasscode.UnlockToken'],
      ['a sealed value too short to be real', { requestType: 'ClearPasscode', UnlockToken: { sealed: 'sb1.0123abcd.AAAA' } }, 'ClearPasscode.UnlockToken'],
      ['a sealed reference with an extra key', { requestType: 'ClearPasscode', UnlockToken: { ...unlockTokenRef, context: 'x' } }, 'ClearPasscode.UnlockToken'],
      ['DeviceInformation without Queries', { requestType: 'DeviceInformation' }, 'DeviceInformation.Queries: is required'],
      ['DeviceInformation with no query', { requestType: 'DeviceInformation', Queries: [] }, 'DeviceInformation.Queries: must not be empty'],
      ['an unknown query', { requestType: 'DeviceInformation', Queries: ['UDID', 'FavouriteColour'] }, 'DeviceInformation.Queries[1]: is not one of the known values'],
      ['a repeated query', { requestType: 'DeviceInformation', Queries: ['UDID', 'UDID'] }, 'DeviceInformation.Queries[1]: repeats'],
      ['more queries than there are', { requestType: 'DeviceInformation', Queries: [...DEVICE_INFORMATION_QUERIES, 'UDID'] }, 'DeviceInformation.Queries: must hold at most'],
      ['Queries as a string', { requestType: 'DeviceInformation', Queries: 'UDID' }, 'DeviceInformation.Queries: must be an array'],
      ['SecurityInfo with a parameter', { requestType: 'SecurityInfo', Queries: ['UDID'] }, 'SecurityInfo.Queries'],
      ['ManagedOnly given as a string', { requestType: 'ProfileList', ManagedOnly: 'false' }, 'ProfileList.ManagedOnly'],
      ['CertificateList with an unknown parameter', { requestType: 'CertificateList', IncludeData: true }, 'CertificateList.IncludeData'],
      ['ProfileRestrictions given as a number', { requestType: 'Restrictions', ProfileRestrictions: 1 }, 'Restrictions.ProfileRestrictions'],
    ];
    for (const [what, input, message] of cases) {
      it(what, () => expect(refusal(input).message).to.include(message));
    }

    it('covers every request type with at least one refusal', () => {
      const refused = new Set(cases.map(([, input]) => (input as { requestType?: string } | null)?.requestType));
      for (const type of REQUEST_TYPES) expect(refused.has(type), type).to.equal(true);
    });
  });

  describe('secrets', () => {
    it('refuses a clear PIN for DeviceLock and EraseDevice without repeating it', () => {
      for (const requestType of ['DeviceLock', 'EraseDevice']) {
        const error = refusal({ requestType, PIN: '482913' });
        expect(error.message).to.include(`${requestType}.PIN: must be a sealed reference`);
        expect(error.message).to.not.include('482913');
      }
    });

    it('refuses a clear unlock token without repeating it', () => {
      const clear = Buffer.from('unlock-token-bytes').toString('base64');
      const error = refusal({ requestType: 'ClearPasscode', UnlockToken: clear });
      expect(error.message).to.not.include(clear);
      expect(refusal({ requestType: 'ClearPasscode', UnlockToken: { sealed: clear } }).message).to.not.include(clear);
    });

    it('never quotes a refused value back', () => {
      const secret = 'S3cr3t-value-that-must-not-leak';
      for (const input of [
        { requestType: 'DeviceLock', Message: `${secret}\u0000` },
        { requestType: 'RemoveProfile', Identifier: `${secret}\n` },
        { requestType: 'DeviceLock', PhoneNumber: secret },
        { requestType: 'InstallApplication', ManifestURL: `https://u:${secret}@example.com/` },
        settings({ Item: 'TimeZone', TimeZone: `${secret} !` }),
      ]) {
        expect(refusal(input).message).to.not.include(secret);
      }
    });

    it('accepts sealed references for every secret parameter', () => {
      expect(validateCommandRequest({ requestType: 'DeviceLock', PIN: pinRef })).to.deep.equal({ requestType: 'DeviceLock', PIN: pinRef });
      expect(validateCommandRequest({ requestType: 'ClearPasscode', UnlockToken: unlockTokenRef })).to.deep.equal({ requestType: 'ClearPasscode', UnlockToken: unlockTokenRef });
    });
  });
});
