import type {
  InstallApplicationRequest,
  InstalledApplicationListRequest,
  ManagedApplicationListRequest,
  RemoveApplicationRequest,
} from '../command-request.js';
import { COMMAND_LIMITS } from '../limits.js';
import { INSTALLED_APPLICATION_ITEMS } from '../query-names.js';
import { readApplicationAttributes } from './app-attributes.js';
import { readConfiguration } from './configuration.js';
import { readBundleIdentifier, readBundleIdentifiers } from './identifiers.js';
import { invalid } from './invalid.js';
import { compact, InputObject, readInteger, readList, readOneOf, readText } from './read.js';

function readManifestUrl(value: unknown, path: string): string {
  const text = readText(value, path, { max: COMMAND_LIMITS.manifestUrlLength });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return invalid(path, 'must be an absolute URL');
  }
  if (url.protocol !== 'https:') invalid(path, 'must be an https: URL (devices refuse others)');
  // Credentials in the URL would be stored in the event stream and shown in every queue listing.
  if (url.username !== '' || url.password !== '') invalid(path, 'must not carry a user name or password');
  return text;
}

export function readInstallApplication(input: InputObject): InstallApplicationRequest {
  const request: InstallApplicationRequest = compact({
    requestType: 'InstallApplication' as const,
    iTunesStoreID: input.take('iTunesStoreID', (v, p) => readInteger(v, p, 1, Number.MAX_SAFE_INTEGER)),
    Identifier: input.take('Identifier', readBundleIdentifier),
    ManifestURL: input.take('ManifestURL', readManifestUrl),
    Options: input.take('Options', (v, p) => {
      const options = InputObject.read(v, p, ['PurchaseMethod']);
      return compact({ PurchaseMethod: options.take('PurchaseMethod', (m, mp) => readOneOf(m, mp, [0, 1] as const)) });
    }),
    ManagementFlags: input.take('ManagementFlags', (v, p) => readOneOf(v, p, [1, 4, 5] as const)),
    Configuration: input.take('Configuration', readConfiguration),
    Attributes: input.take('Attributes', readApplicationAttributes),
    ChangeManagementState: input.take('ChangeManagementState', (v, p) => readOneOf(v, p, ['Managed'] as const)),
    InstallAsManaged: input.boolean('InstallAsManaged'),
    iOSApp: input.boolean('iOSApp'),
  });
  const sources = (['iTunesStoreID', 'Identifier', 'ManifestURL'] as const).filter((k) => request[k] !== undefined);
  if (sources.length !== 1) invalid(input.path, 'needs exactly one of iTunesStoreID, Identifier and ManifestURL');
  if (request.ChangeManagementState !== undefined && request.InstallAsManaged !== true) {
    invalid(input.at('ChangeManagementState'), 'requires InstallAsManaged: true');
  }
  return request;
}

export const readRemoveApplication = (input: InputObject): RemoveApplicationRequest => ({
  requestType: 'RemoveApplication',
  Identifier: input.need('Identifier', readBundleIdentifier),
});

export const readManagedApplicationList = (input: InputObject): ManagedApplicationListRequest =>
  compact({ requestType: 'ManagedApplicationList' as const, Identifiers: input.take('Identifiers', readBundleIdentifiers) });

export const readInstalledApplicationList = (input: InputObject): InstalledApplicationListRequest =>
  compact({
    requestType: 'InstalledApplicationList' as const,
    Identifiers: input.take('Identifiers', readBundleIdentifiers),
    ManagedAppsOnly: input.boolean('ManagedAppsOnly'),
    Items: input.take('Items', (v, p) =>
      readList(v, p, { min: 1, max: INSTALLED_APPLICATION_ITEMS.length, unique: true }, (item, ip) => readOneOf(item, ip, INSTALLED_APPLICATION_ITEMS))),
  });
