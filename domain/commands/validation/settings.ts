import { COMMAND_LIMITS } from '../limits.js';
import {
  ENABLED_SETTINGS,
  PASSCODE_LOCK_GRACE_PERIODS,
  SETTINGS_ITEM_KEYS,
  SETTINGS_ITEM_NAMES,
  type EnabledSettingName,
  type OrganizationInfo,
  type SettingsItem,
  type SettingsItemName,
} from '../settings-items.js';
import { readApplicationAttributes } from './app-attributes.js';
import { readConfiguration } from './configuration.js';
import { readBundleIdentifier } from './identifiers.js';
import { invalid } from './invalid.js';
import { compact, InputObject, isPlainObject, readBoolean, readInteger, readList, readOneOf } from './read.js';
import { readBlobRef } from './refs.js';
import { PATTERNS } from './text.js';

const line = { max: COMMAND_LIMITS.identifierLength };
const ACCESSIBILITY_SWITCHES = SETTINGS_ITEM_KEYS.AccessibilitySettings.filter((k) => k !== 'TextSize');

function readOrganizationInfo(value: unknown, path: string): OrganizationInfo {
  const input = InputObject.read(value, path, ['OrganizationName', 'OrganizationShortName', 'OrganizationAddress', 'OrganizationPhone', 'OrganizationEmail', 'OrganizationMagic']);
  return compact({
    OrganizationName: input.needText('OrganizationName', line),
    OrganizationShortName: input.text('OrganizationShortName', line),
    OrganizationAddress: input.text('OrganizationAddress', { max: COMMAND_LIMITS.textLength, multiline: true }),
    OrganizationPhone: input.text('OrganizationPhone', { max: 64 }),
    OrganizationEmail: input.text('OrganizationEmail', { max: 254, pattern: PATTERNS.email, what: 'an email address' }),
    OrganizationMagic: input.text('OrganizationMagic', line),
  });
}

function readItem(value: unknown, path: string): SettingsItem {
  if (!isPlainObject(value)) invalid(path, 'must be an object with an "Item"');
  const name = readOneOf(value['Item'], `${path}.Item`, SETTINGS_ITEM_NAMES);
  const input = InputObject.read(value, `${path}(${name})`, ['Item', ...SETTINGS_ITEM_KEYS[name]]);
  if ((ENABLED_SETTINGS as readonly string[]).includes(name)) {
    return { Item: name as EnabledSettingName, Enabled: input.need('Enabled', readBoolean) };
  }
  switch (name) {
    case 'DeviceName':
      return { Item: name, DeviceName: input.needText('DeviceName', line) };
    case 'HostName':
      return { Item: name, HostName: input.needText('HostName', { max: 253, pattern: PATTERNS.hostName, what: 'a host name (letters, digits, hyphens, dots)' }) };
    case 'TimeZone':
      return { Item: name, TimeZone: input.needText('TimeZone', { max: 64, pattern: PATTERNS.timeZone, what: 'an IANA time zone name such as "Europe/Paris"' }) };
    case 'PasscodeLockGracePeriod':
      return { Item: name, PasscodeLockGracePeriod: input.need('PasscodeLockGracePeriod', (v, p) => readOneOf(v, p, PASSCODE_LOCK_GRACE_PERIODS)) };
    case 'SoftwareUpdateSettings':
      return { Item: name, RecommendationCadence: input.need('RecommendationCadence', (v, p) => readOneOf(v, p, [0, 1, 2] as const)) };
    case 'MaximumResidentUsers':
      return { Item: name, MaximumResidentUsers: input.need('MaximumResidentUsers', (v, p) => readInteger(v, p, 1, 64)) };
    case 'OrganizationInfo':
      return compact({ Item: name, OrganizationInfo: input.take('OrganizationInfo', readOrganizationInfo) });
    case 'MDMOptions':
      return {
        Item: name,
        MDMOptions: input.need('MDMOptions', (v, p) => {
          const options = InputObject.read(v, p, ['ActivationLockAllowedWhileSupervised', 'BootstrapTokenAllowed', 'PromptUserToAllowBootstrapTokenForAuthentication']);
          return compact({
            ActivationLockAllowedWhileSupervised: options.boolean('ActivationLockAllowedWhileSupervised'),
            BootstrapTokenAllowed: options.boolean('BootstrapTokenAllowed'),
            PromptUserToAllowBootstrapTokenForAuthentication: options.boolean('PromptUserToAllowBootstrapTokenForAuthentication'),
          });
        }),
      };
    case 'AccessibilitySettings': {
      const switches = Object.fromEntries(ACCESSIBILITY_SWITCHES.map((key) => [key, input.boolean(key)]));
      const item = compact({ Item: name, ...switches, TextSize: input.take('TextSize', (v, p) => readInteger(v, p, 0, 11)) });
      if (Object.keys(item).length === 1) invalid(input.path, 'must set at least one accessibility option');
      return item;
    }
    case 'Wallpaper':
      return { Item: name, Image: input.need('Image', readBlobRef), Where: input.need('Where', (v, p) => readOneOf(v, p, [1, 2, 3] as const)) };
    case 'ApplicationConfiguration':
      return compact({ Item: name, Identifier: input.need('Identifier', readBundleIdentifier), Configuration: input.take('Configuration', readConfiguration) });
    case 'ApplicationAttributes':
      return compact({ Item: name, Identifier: input.need('Identifier', readBundleIdentifier), Attributes: input.take('Attributes', readApplicationAttributes) });
    default:
      return invalid(`${path}.Item`, 'is not a supported setting');
  }
}

/** The same setting twice in one command is ambiguous; per-app items may repeat for different apps. */
function settingKey(item: SettingsItem): string {
  return item.Item === 'ApplicationConfiguration' || item.Item === 'ApplicationAttributes' ? `${item.Item}:${item.Identifier}` : item.Item;
}

export function readSettings(value: unknown, path: string): SettingsItem[] {
  const items = readList(value, path, { min: 1, max: COMMAND_LIMITS.settingsItems }, readItem);
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const key = settingKey(item);
    if (seen.has(key)) invalid(`${path}[${i}]`, `sets ${item.Item as SettingsItemName} a second time`);
    seen.add(key);
  });
  return items;
}
