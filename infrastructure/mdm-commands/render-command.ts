import { createHash } from 'node:crypto';
import type { CommandRequest, EraseDeviceRequest } from '../../domain/commands/command-request.js';
import type { BlobRef, SealedRef } from '../../domain/commands/refs.js';
import { isFindMyPin } from '../../domain/commands/secret-parameters.js';
import type { SettingsItem } from '../../domain/commands/settings-items.js';
import { assertNever } from '../../domain/shared/decider.js';

/** Where a command's references are resolved at delivery. */
export interface CommandResolvers {
  /** The bytes of a stored blob; checked here against the reference's size and SHA-256. */
  blob(ref: BlobRef): Promise<Buffer>;
  /**
   * Opens a sealed secret. `parameter` is Apple's key ("UnlockToken", "PIN") so that the caller can
   * choose the SecretBox context it was sealed under.
   */
  secret(ref: SealedRef, parameter: string): Buffer;
}

/** The command dictionary as Apple expects it: Buffers for `<data>`, whole numbers for `<integer>`. */
export interface RenderedCommand {
  readonly CommandUUID: string;
  readonly Command: Record<string, unknown>;
}

/** The command cannot be built (a blob that does not match its reference, a secret that will not open). */
export class CommandRenderError extends Error {
  override readonly name = 'CommandRenderError';
}

const COMMAND_UUID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

async function fetchBlob(resolve: CommandResolvers, ref: BlobRef, parameter: string): Promise<Buffer> {
  const bytes = await resolve.blob(ref);
  if (!Buffer.isBuffer(bytes) || bytes.length !== ref.size || createHash('sha256').update(bytes).digest('hex') !== ref.sha256) {
    throw new CommandRenderError(`${parameter}: stored blob ${ref.blobId} does not match its reference`);
  }
  return bytes;
}

function openSecret(resolve: CommandResolvers, ref: SealedRef, parameter: string): Buffer {
  const bytes = resolve.secret(ref, parameter);
  if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw new CommandRenderError(`${parameter}: the sealed secret opened to nothing`);
  return bytes;
}

// Error messages never include the PIN, even a malformed one.
function openPin(resolve: CommandResolvers, ref: SealedRef): string {
  const pin = openSecret(resolve, ref, 'PIN').toString('utf8');
  if (!isFindMyPin(pin)) throw new CommandRenderError('PIN: the sealed PIN is not six digits');
  return pin;
}

/** The parameters as they are, without our `requestType` (they already carry Apple's key names). */
function parameters(request: CommandRequest): Record<string, unknown> {
  return Object.fromEntries(Object.entries(request).filter(([key, value]) => key !== 'requestType' && value !== undefined));
}

async function renderSetting(item: SettingsItem, resolve: CommandResolvers): Promise<Record<string, unknown>> {
  if (item.Item === 'Wallpaper') return { Item: item.Item, Image: await fetchBlob(resolve, item.Image, 'Settings.Wallpaper.Image'), Where: item.Where };
  return { ...item };
}

async function renderEraseDevice(request: EraseDeviceRequest, resolve: CommandResolvers): Promise<Record<string, unknown>> {
  const { PIN, ReturnToService, ...rest } = parameters(request) as Omit<EraseDeviceRequest, 'requestType'>;
  const command: Record<string, unknown> = { ...rest };
  if (PIN) command['PIN'] = openPin(resolve, PIN);
  if (ReturnToService) {
    const { Enabled, WiFiProfileData, MDMProfileData } = ReturnToService;
    command['ReturnToService'] = {
      Enabled,
      ...(WiFiProfileData && { WiFiProfileData: await fetchBlob(resolve, WiFiProfileData, 'ReturnToService.WiFiProfileData') }),
      ...(MDMProfileData && { MDMProfileData: await fetchBlob(resolve, MDMProfileData, 'ReturnToService.MDMProfileData') }),
    };
  }
  return command;
}

async function renderParameters(request: CommandRequest, resolve: CommandResolvers): Promise<Record<string, unknown>> {
  switch (request.requestType) {
    case 'InstallProfile':
      return { Payload: await fetchBlob(resolve, request.Payload, 'Payload') };
    case 'InstallProvisioningProfile':
      return { ProvisioningProfile: await fetchBlob(resolve, request.ProvisioningProfile, 'ProvisioningProfile') };
    case 'Settings':
      return { Settings: await Promise.all(request.Settings.map((item) => renderSetting(item, resolve))) };
    case 'EraseDevice':
      return renderEraseDevice(request, resolve);
    case 'DeviceLock': {
      const { PIN, ...rest } = parameters(request) as Omit<typeof request, 'requestType'>;
      return PIN ? { ...rest, PIN: openPin(resolve, PIN) } : rest;
    }
    case 'ClearPasscode':
      return { UnlockToken: openSecret(resolve, request.UnlockToken, 'UnlockToken') };
    case 'InstallApplication':
    case 'RemoveProfile':
    case 'RemoveApplication':
    case 'ManagedApplicationList':
    case 'InstalledApplicationList':
    case 'RemoveProvisioningProfile':
    case 'ProvisioningProfileList':
    case 'DeviceInformation':
    case 'SecurityInfo':
    case 'ProfileList':
    case 'CertificateList':
    case 'Restrictions':
      return parameters(request);
    default:
      return assertNever(request);
  }
}

/**
 * Builds the command dictionary for delivery from a validated request: references are resolved here,
 * so the result holds payloads and secrets in clear. It goes to the device and nowhere else (never to
 * a log or the event store).
 */
export async function renderCommand(commandUuid: string, request: CommandRequest, resolve: CommandResolvers): Promise<RenderedCommand> {
  if (typeof commandUuid !== 'string' || !COMMAND_UUID.test(commandUuid)) throw new CommandRenderError('CommandUUID is not a usable identifier');
  return { CommandUUID: commandUuid, Command: { RequestType: request.requestType, ...(await renderParameters(request, resolve)) } };
}
