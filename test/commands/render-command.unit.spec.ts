import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import plist from 'plist';
import { REQUEST_TYPES, validateCommandRequest, type CommandRequest } from '../../domain/commands/index.js';
import type { Sealed } from '../../domain/shared/sealed.js';
import { CommandRenderError, renderCommand, type CommandResolvers } from '../../infrastructure/mdm-commands/render-command.js';
import {
  allRequests,
  fullRequests,
  mdmProfileBytes,
  minimalRequests,
  profileBytes,
  provisioningBytes,
  resolvers,
  seal,
  unlockTokenBytes,
  wallpaperBytes,
  wifiProfileBytes,
} from './fixtures.js';

const uuid = '0E2C7B8F-3C4D-4E5F-8A9B-1C2D3E4F5A6B';
const render = (request: CommandRequest, resolve: CommandResolvers = resolvers) => renderCommand(uuid, request, resolve);
const python3 = !spawnSync('python3', ['--version']).error;

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  return expect.fail('expected a rejection');
}

describe('renderCommand', () => {
  for (const type of REQUEST_TYPES) {
    it(`${type}: a command dictionary that survives a real plist round trip`, async () => {
      for (const request of allRequests.filter((r) => r.requestType === type)) {
        const before = JSON.stringify(request);
        const rendered = await render(request);
        expect(rendered.CommandUUID).to.equal(uuid);
        expect(rendered.Command['RequestType']).to.equal(type);
        expect(rendered.Command).to.not.have.property('requestType');
        expect(JSON.stringify(request), 'the stored request is not modified').to.equal(before);
        const xml = plist.build(rendered as unknown as plist.PlistValue);
        expect(plist.parse(xml)).to.deep.equal(rendered);
      }
    });
  }

  it('copies plain parameters under Apple\'s names, with their types', async () => {
    const { Command } = await render(fullRequests.InstallApplication);
    const { requestType: _, ...parameters } = fullRequests.InstallApplication;
    expect(Command).to.deep.equal({ RequestType: 'InstallApplication', ...parameters });
    const xml = plist.build(Command as plist.PlistValue);
    expect(xml).to.match(/<key>iTunesStoreID<\/key>\s*<integer>284882215<\/integer>/);
    expect(xml).to.match(/<key>ManagementFlags<\/key>\s*<integer>5<\/integer>/);
    expect(xml).to.match(/<key>PurchaseMethod<\/key>\s*<integer>1<\/integer>/);
    expect(xml).to.match(/<key>InstallAsManaged<\/key>\s*<true\/>/);
    expect(xml).to.match(/<key>iOSApp<\/key>\s*<false\/>/);
  });

  it('DeviceInformation: Queries as an array of strings', async () => {
    expect((await render(minimalRequests.DeviceInformation)).Command).to.deep.equal({ RequestType: 'DeviceInformation', Queries: ['UDID'] });
    expect((await render({ requestType: 'SecurityInfo' })).Command).to.deep.equal({ RequestType: 'SecurityInfo' });
  });

  it('InstallProfile and InstallProvisioningProfile: the stored bytes as <data>', async () => {
    const profile = (await render(fullRequests.InstallProfile)).Command['Payload'];
    expect(Buffer.isBuffer(profile) && profile.equals(profileBytes)).to.equal(true);
    expect(plist.build({ Payload: profile as Buffer })).to.include(`<data>${profileBytes.toString('base64')}</data>`);
    const provisioning = (await render(fullRequests.InstallProvisioningProfile)).Command['ProvisioningProfile'];
    expect(Buffer.isBuffer(provisioning) && provisioning.equals(provisioningBytes)).to.equal(true);
  });

  it('ClearPasscode: the device\'s unlock token, opened, as <data>; the stored request holds only ciphertext', async () => {
    const token = (await render(fullRequests.ClearPasscode)).Command['UnlockToken'];
    expect(Buffer.isBuffer(token) && token.equals(unlockTokenBytes)).to.equal(true);
    expect(JSON.stringify(fullRequests.ClearPasscode)).to.not.include(unlockTokenBytes.toString('base64'));
  });

  it('DeviceLock and EraseDevice: the PIN opened to a string, blobs resolved inside ReturnToService', async () => {
    expect((await render(fullRequests.DeviceLock)).Command).to.deep.equal({
      RequestType: 'DeviceLock',
      Message: fullRequests.DeviceLock.Message,
      PhoneNumber: fullRequests.DeviceLock.PhoneNumber,
      PIN: '123456',
    });
    const erase = (await render(fullRequests.EraseDevice)).Command;
    expect(erase).to.deep.equal({
      RequestType: 'EraseDevice',
      PIN: '123456',
      PreserveDataPlan: true,
      DisallowProximitySetup: true,
      ObliterationBehavior: 'DoNotObliterate',
      ReturnToService: { Enabled: true, WiFiProfileData: wifiProfileBytes, MDMProfileData: mdmProfileBytes },
    });
    expect((await render({ requestType: 'EraseDevice', ReturnToService: { Enabled: false } })).Command).to.deep.equal({ RequestType: 'EraseDevice', ReturnToService: { Enabled: false } });
  });

  it('Settings: items copied as they are, the wallpaper image resolved', async () => {
    const items = (await render(fullRequests.Settings)).Command['Settings'] as Array<Record<string, unknown>>;
    expect(items).to.have.length(fullRequests.Settings.Settings.length);
    const wallpaper = items.find((i) => i['Item'] === 'Wallpaper')!;
    expect(Buffer.isBuffer(wallpaper['Image']) && (wallpaper['Image'] as Buffer).equals(wallpaperBytes)).to.equal(true);
    expect(wallpaper['Where']).to.equal(3);
    expect(items.find((i) => i['Item'] === 'DataRoaming')).to.deep.equal({ Item: 'DataRoaming', Enabled: false });
    expect(items.find((i) => i['Item'] === 'ApplicationConfiguration')).to.deep.equal(fullRequests.Settings.Settings.find((i) => i.Item === 'ApplicationConfiguration'));
  });

  it('refuses a blob whose bytes do not match the reference, without showing them', async () => {
    const tampered: CommandResolvers = { ...resolvers, blob: async () => Buffer.from('something else entirely') };
    const error = await rejection(render(fullRequests.InstallProfile, tampered));
    expect(error).to.be.instanceOf(CommandRenderError);
    expect(error.message).to.match(/^Payload: stored blob sha256-[0-9a-f]{64} does not match its reference$/);
    const truncated: CommandResolvers = { ...resolvers, blob: async (ref) => (await resolvers.blob(ref)).subarray(1) };
    expect(await rejection(render(fullRequests.EraseDevice, truncated))).to.be.instanceOf(CommandRenderError);
  });

  it('refuses a sealed PIN that does not open to six digits, without showing it', async () => {
    const error = await rejection(render({ requestType: 'DeviceLock', PIN: seal('98765', 'PIN') }));
    expect(error).to.be.instanceOf(CommandRenderError);
    expect(error.message).to.equal('PIN: the sealed PIN is not six digits');
  });

  it('lets a secret that fails to open fail the rendering (wrong context or altered value)', async () => {
    const sealedForAnotherDevice = { sealed: seal(unlockTokenBytes, 'PIN').sealed as Sealed };
    const error = await rejection(render({ requestType: 'ClearPasscode', UnlockToken: sealedForAnotherDevice }));
    expect(error.name).to.equal('SecretBoxError');
    expect(error.message).to.not.include(unlockTokenBytes.toString('base64'));
  });

  it('refuses a CommandUUID that is not an identifier', async () => {
    for (const bad of ['', 'has space', 'x'.repeat(200), '<uuid/>']) {
      expect(await rejection(renderCommand(bad, minimalRequests.SecurityInfo, resolvers))).to.be.instanceOf(CommandRenderError);
    }
  });

  it('renders what validation returns from stored JSON (the queue\'s round trip)', async () => {
    const stored = JSON.parse(JSON.stringify(fullRequests.EraseDevice));
    expect(await render(validateCommandRequest(stored))).to.deep.equal(await render(fullRequests.EraseDevice));
  });

  it('is read by Python\'s plistlib as Apple\'s tools would read it', async function () {
    if (!python3) {
      console.log('    (python3 not on PATH: skipping the plistlib cross-check)');
      this.skip();
    }
    const commands = await Promise.all([fullRequests.InstallProfile, fullRequests.ClearPasscode, fullRequests.InstallApplication, fullRequests.Settings].map((r) => render(r)));
    const script = [
      'import plistlib, sys, json, base64',
      'out = []',
      'for doc in sys.stdin.read().split("\\x00"):',
      '    c = plistlib.loads(doc.encode())',
      '    cmd = c["Command"]',
      '    out.append({k: (base64.b64encode(v).decode() if isinstance(v, bytes) else type(v).__name__) for k, v in cmd.items()} | {"CommandUUID": c["CommandUUID"], "RequestType": cmd["RequestType"]})',
      'print(json.dumps(out))',
    ].join('\n');
    const run = spawnSync('python3', ['-c', script], { input: commands.map((c) => plist.build(c as unknown as plist.PlistValue)).join('\u0000'), encoding: 'utf8' });
    expect(run.status, run.stderr).to.equal(0);
    const [profile, clear, install, settings] = JSON.parse(run.stdout) as Array<Record<string, string>>;
    expect(profile).to.include({ CommandUUID: uuid, RequestType: 'InstallProfile', Payload: profileBytes.toString('base64') });
    expect(clear).to.include({ RequestType: 'ClearPasscode', UnlockToken: unlockTokenBytes.toString('base64') });
    expect(install).to.include({ iTunesStoreID: 'int', ManagementFlags: 'int', InstallAsManaged: 'bool', Options: 'dict', Configuration: 'dict' });
    expect(settings).to.include({ Settings: 'list' });
  });
});
