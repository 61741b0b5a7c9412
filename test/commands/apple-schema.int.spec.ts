import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import {
  DEVICE_INFORMATION_QUERIES,
  INSTALLED_APPLICATION_ITEMS,
  QUERY_REQUEST_TYPES,
  REPORT_SHAPES,
  REQUEST_TYPES,
  SETTINGS_ITEM_NAMES,
  validateCommandRequest,
  type Shape,
} from '../../domain/commands/index.js';
import { renderCommand } from '../../infrastructure/mdm-commands/render-command.js';
import { allRequests, resolvers, wallpaperRef } from './fixtures.js';

/** One entry of Apple's payloadkeys/responsekeys. */
interface SchemaKey {
  readonly key: string;
  readonly type: string;
  readonly presence?: string;
  readonly rangelist?: readonly unknown[];
  readonly subkeys?: readonly SchemaKey[];
}

interface CommandSchema {
  readonly payload: { readonly requesttype: string };
  readonly payloadkeys?: readonly SchemaKey[];
  readonly responsekeys?: readonly SchemaKey[];
}

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the test');
    dir = parent;
  }
  return dir;
}

const COMMANDS_DIR = resolve(repoRoot(), '../shared/reference/apple-device-management/mdm/commands');

const isDictionary = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v) && !(v instanceof Date);

function typeMatches(value: unknown, type: string): boolean {
  switch (type) {
    case '<string>': return typeof value === 'string';
    case '<integer>': return typeof value === 'number' && Number.isInteger(value);
    case '<real>': return typeof value === 'number';
    case '<boolean>': return typeof value === 'boolean';
    case '<data>': return Buffer.isBuffer(value);
    case '<date>': return value instanceof Date;
    case '<array>': return Array.isArray(value);
    case '<dictionary>': return isDictionary(value);
    case '<any>': return true;
    default: return false;
  }
}

/** The schema entry for one array item: the single subkey, or (Settings) the one named by `Item`. */
function itemSchema(spec: SchemaKey, item: unknown): SchemaKey | undefined {
  const subkeys = spec.subkeys ?? [];
  if (subkeys.length === 1) return subkeys[0];
  return isDictionary(item) ? subkeys.find((k) => k.key === item['Item']) : undefined;
}

/** Problems with an emitted value against its schema entry: type, range, nested keys, required keys. */
function checkValue(value: unknown, spec: SchemaKey, path: string, problems: string[]): void {
  if (!typeMatches(value, spec.type)) {
    problems.push(`${path}: we emit ${Buffer.isBuffer(value) ? 'data' : typeof value}, Apple's schema says ${spec.type}`);
    return;
  }
  if (spec.rangelist && !spec.rangelist.includes(value)) problems.push(`${path}: ${JSON.stringify(value)} is not in Apple's rangelist`);
  // DeviceInformation's QueriesItem lists the query names as its subkeys.
  if (spec.type === '<string>' && spec.subkeys && !spec.subkeys.some((k) => k.key === value)) problems.push(`${path}: ${JSON.stringify(value)} is not a value Apple lists`);
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const schema = itemSchema(spec, item);
      if (schema) checkValue(item, schema, `${path}[${i}]`, problems);
      else problems.push(`${path}[${i}]: no schema entry for this item`);
    });
  }
  if (isDictionary(value)) checkDictionary(value, spec.subkeys, path, problems);
}

function checkDictionary(value: Record<string, unknown>, keys: readonly SchemaKey[] | undefined, path: string, problems: string[]): void {
  // A free-form dictionary (a managed app configuration) is declared with no subkeys or a single ANY.
  if (keys === undefined || (keys.length === 1 && keys[0]!.key.startsWith('ANY'))) return;
  for (const [key, item] of Object.entries(value)) {
    const spec = keys.find((k) => k.key === key);
    if (spec) checkValue(item, spec, `${path}.${key}`, problems);
    else problems.push(`${path}.${key}: not in Apple's schema`);
  }
  for (const required of keys.filter((k) => k.presence === 'required')) {
    if (!(required.key in value)) problems.push(`${path}.${required.key}: required by Apple's schema but not emitted`);
  }
}

const SHAPE_TYPES: Record<Shape['kind'], string> = {
  string: '<string>', integer: '<integer>', real: '<real>', boolean: '<boolean>', date: '<date>', data: '<data>', array: '<array>', dictionary: '<dictionary>', map: '<dictionary>',
};

/** Problems with a shape our parser reads against the response schema entry it claims to read. */
function checkShape(shape: Shape, spec: SchemaKey, path: string, problems: string[]): void {
  if (SHAPE_TYPES[shape.kind] !== spec.type) {
    problems.push(`${path}: we read ${shape.kind}, Apple's schema says ${spec.type}`);
    return;
  }
  const subkeys = spec.subkeys ?? [];
  switch (shape.kind) {
    case 'array':
      if (subkeys.length !== 1) problems.push(`${path}: Apple's schema has no single item type`);
      else checkShape(shape.of, subkeys[0]!, `${path}[]`, problems);
      break;
    case 'map':
      if (subkeys.length !== 1 || !subkeys[0]!.key.startsWith('ANY')) problems.push(`${path}: Apple's schema does not key this dictionary by arbitrary names`);
      else checkShape(shape.of, subkeys[0]!, `${path}.*`, problems);
      break;
    case 'dictionary':
      checkFields(shape.fields, subkeys, path, problems);
      break;
    default:
      break;
  }
}

function checkFields(fields: Readonly<Record<string, Shape>>, keys: readonly SchemaKey[], path: string, problems: string[]): void {
  for (const [name, shape] of Object.entries(fields)) {
    const spec = keys.find((k) => k.key === name);
    if (spec) checkShape(shape, spec, `${path}.${name}`, problems);
    else problems.push(`${path}.${name}: not among Apple's response keys`);
  }
}

/** A payload key by its path of key names (through subkeys). */
function payloadKey(schema: CommandSchema, ...path: string[]): SchemaKey {
  let keys = schema.payloadkeys ?? [];
  let found: SchemaKey | undefined;
  for (const name of path) {
    found = keys.find((k) => k.key === name);
    if (!found) throw new Error(`no payload key ${path.join('.')}`);
    keys = found.subkeys ?? [];
  }
  return found!;
}

describe('commands against Apple\'s schema (../shared/reference/apple-device-management)', function () {
  const schemas = new Map<string, CommandSchema>();

  before(function () {
    if (!existsSync(COMMANDS_DIR)) {
      console.log(`    (${COMMANDS_DIR} not found: skipping the Apple schema cross-check)`);
      this.skip();
    }
    for (const file of readdirSync(COMMANDS_DIR).filter((f) => f.endsWith('.yaml'))) {
      const schema = load(readFileSync(join(COMMANDS_DIR, file), 'utf8')) as CommandSchema;
      if (schema?.payload?.requesttype) schemas.set(schema.payload.requesttype, schema);
    }
  });

  const schemaOf = (type: string): CommandSchema => {
    const schema = schemas.get(type);
    if (!schema) expect.fail(`no YAML declares RequestType ${type}`);
    return schema;
  };

  for (const type of REQUEST_TYPES) {
    it(`${type}: every key we emit is Apple's, with a compatible type and value; required keys are always there`, async () => {
      const schema = schemaOf(type);
      const requests = allRequests.filter((r) => r.requestType === type);
      expect(requests).to.not.be.empty;
      for (const request of requests) {
        const { Command } = await renderCommand('5D2E0B1C-0000-4000-8000-000000000001', request, resolvers);
        const { RequestType, ...parameters } = Command;
        expect(RequestType).to.equal(schema.payload.requesttype);
        const problems: string[] = [];
        checkDictionary(parameters, schema.payloadkeys ?? [], type, problems);
        expect(problems, JSON.stringify(request)).to.deep.equal([]);
      }
    });
  }

  for (const type of QUERY_REQUEST_TYPES) {
    it(`${type}: every key the result parser reads is one of Apple's response keys, with the same type`, () => {
      const problems: string[] = [];
      checkFields(REPORT_SHAPES[type].fields, schemaOf(type).responsekeys ?? [], type, problems);
      expect(problems).to.deep.equal([]);
    });
  }

  it('DeviceInformation: every query we accept is one Apple lists', () => {
    const listed = (payloadKey(schemaOf('DeviceInformation'), 'Queries', 'QueriesItem').subkeys ?? []).map((k) => k.key);
    expect(DEVICE_INFORMATION_QUERIES.filter((q) => !listed.includes(q))).to.deep.equal([]);
  });

  it('InstalledApplicationList: every Items value we accept is in Apple\'s rangelist', () => {
    const rangelist = payloadKey(schemaOf('InstalledApplicationList'), 'Items', 'ItemsItem').rangelist ?? [];
    expect(INSTALLED_APPLICATION_ITEMS.filter((i) => !rangelist.includes(i))).to.deep.equal([]);
  });

  it('Settings: every item we support is one of Apple\'s Settings items', () => {
    const items = (payloadKey(schemaOf('Settings'), 'Settings').subkeys ?? []).map((k) => k.key);
    expect(SETTINGS_ITEM_NAMES.filter((n) => !items.includes(n))).to.deep.equal([]);
  });

  it('the checks themselves catch a foreign key, a wrong type, a missing required key and a value out of range', () => {
    const problems: string[] = [];
    checkDictionary({ ManagementFlags: 2, iTunesStoreID: '284882215', Silent: true }, schemaOf('InstallApplication').payloadkeys, 'InstallApplication', problems);
    checkDictionary({ Settings: [{ Item: 'DataRoaming' }, { Item: 'Teleport', Enabled: true }] }, schemaOf('Settings').payloadkeys, 'Settings', problems);
    checkDictionary({ Payload: 'PD94' }, schemaOf('InstallProfile').payloadkeys, 'InstallProfile', problems);
    checkDictionary({}, schemaOf('ClearPasscode').payloadkeys, 'ClearPasscode', problems);
    checkDictionary({ Queries: ['UDID', 'FavouriteColour'] }, schemaOf('DeviceInformation').payloadkeys, 'DeviceInformation', problems);
    checkFields({ QueryResponses: { kind: 'dictionary', fields: { BatteryLevel: { kind: 'integer' }, Mood: { kind: 'string', max: 1 } }, required: [] } }, schemaOf('DeviceInformation').responsekeys ?? [], 'DeviceInformation', problems);
    expect(problems).to.deep.equal([
      'InstallApplication.ManagementFlags: 2 is not in Apple\'s rangelist',
      'InstallApplication.iTunesStoreID: we emit string, Apple\'s schema says <integer>',
      'InstallApplication.Silent: not in Apple\'s schema',
      'Settings.Settings[0].Enabled: required by Apple\'s schema but not emitted',
      'Settings.Settings[1]: no schema entry for this item',
      'InstallProfile.Payload: we emit string, Apple\'s schema says <data>',
      'ClearPasscode.UnlockToken: required by Apple\'s schema but not emitted',
      'DeviceInformation.Queries[1]: "FavouriteColour" is not a value Apple lists',
      'DeviceInformation.QueryResponses.BatteryLevel: we read integer, Apple\'s schema says <real>',
      'DeviceInformation.QueryResponses.Mood: not among Apple\'s response keys',
    ]);
  });

  // Validation must accept exactly Apple's enumerated values: probe inside and around each rangelist.
  const enumerations: Array<{ type: string; path: string[]; build: (value: unknown) => unknown }> = [
    { type: 'InstallApplication', path: ['ManagementFlags'], build: (v) => ({ requestType: 'InstallApplication', iTunesStoreID: 1, ManagementFlags: v }) },
    { type: 'InstallApplication', path: ['Options', 'PurchaseMethod'], build: (v) => ({ requestType: 'InstallApplication', iTunesStoreID: 1, Options: { PurchaseMethod: v } }) },
    { type: 'InstallApplication', path: ['ChangeManagementState'], build: (v) => ({ requestType: 'InstallApplication', iTunesStoreID: 1, InstallAsManaged: true, ChangeManagementState: v }) },
    { type: 'EraseDevice', path: ['ObliterationBehavior'], build: (v) => ({ requestType: 'EraseDevice', ObliterationBehavior: v }) },
    { type: 'Settings', path: ['Settings', 'Wallpaper', 'Where'], build: (v) => ({ requestType: 'Settings', Settings: [{ Item: 'Wallpaper', Image: wallpaperRef, Where: v }] }) },
    { type: 'Settings', path: ['Settings', 'PasscodeLockGracePeriod', 'PasscodeLockGracePeriod'], build: (v) => ({ requestType: 'Settings', Settings: [{ Item: 'PasscodeLockGracePeriod', PasscodeLockGracePeriod: v }] }) },
    { type: 'Settings', path: ['Settings', 'SoftwareUpdateSettings', 'RecommendationCadence'], build: (v) => ({ requestType: 'Settings', Settings: [{ Item: 'SoftwareUpdateSettings', RecommendationCadence: v }] }) },
    { type: 'Settings', path: ['Settings', 'AccessibilitySettings', 'TextSize'], build: (v) => ({ requestType: 'Settings', Settings: [{ Item: 'AccessibilitySettings', TextSize: v }] }) },
  ];
  const probes: unknown[] = [-1, ...Array.from({ length: 21 }, (_, i) => i), 30, 120, 600, 86400, 1.5, 'Default', 'Never', 'managed', 'Managed', ''];

  for (const { type, path, build } of enumerations) {
    it(`${type} ${path.join('.')}: validation accepts exactly Apple's rangelist`, () => {
      const rangelist = payloadKey(schemaOf(type), ...path).rangelist;
      expect(rangelist, 'Apple declares a rangelist').to.be.an('array').that.is.not.empty;
      for (const value of [...rangelist!, ...probes]) {
        let accepted = true;
        try {
          validateCommandRequest(build(value));
        } catch {
          accepted = false;
        }
        expect(accepted, `${JSON.stringify(value)}`).to.equal(rangelist!.includes(value));
      }
    });
  }
});
