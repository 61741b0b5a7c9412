import { APPLICATION_ATTRIBUTE_KEYS, type ApplicationAttributes } from '../app-attributes.js';
import { COMMAND_LIMITS } from '../limits.js';
import { compact, InputObject, readList, readText } from './read.js';
import { PATTERNS } from './text.js';

const payloadUuid = { max: COMMAND_LIMITS.identifierLength };

export function readApplicationAttributes(value: unknown, path: string): ApplicationAttributes {
  const input = InputObject.read(value, path, APPLICATION_ATTRIBUTE_KEYS);
  return compact({
    VPNUUID: input.text('VPNUUID', payloadUuid),
    ContentFilterUUID: input.text('ContentFilterUUID', payloadUuid),
    DNSProxyUUID: input.text('DNSProxyUUID', payloadUuid),
    RelayUUID: input.text('RelayUUID', payloadUuid),
    AssociatedDomains: input.take('AssociatedDomains', (v, p) =>
      readList(v, p, { max: COMMAND_LIMITS.associatedDomains, unique: true }, (d, dp) =>
        readText(d, dp, { max: COMMAND_LIMITS.identifierLength, pattern: PATTERNS.associatedDomain, what: 'a "<service>:<domain>" entry such as "applinks:example.com"' }))),
    AssociatedDomainsEnableDirectDownloads: input.boolean('AssociatedDomainsEnableDirectDownloads'),
    Removable: input.boolean('Removable'),
    TapToPayScreenLock: input.boolean('TapToPayScreenLock'),
    CellularSliceUUID: input.text('CellularSliceUUID', { max: COMMAND_LIMITS.identifierLength, pattern: PATTERNS.cellularSlice, what: '"DNN:<name>" or "AppCategory:<category>"' }),
    Hideable: input.boolean('Hideable'),
    Lockable: input.boolean('Lockable'),
  });
}
