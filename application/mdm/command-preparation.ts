import { REQUEST_TYPE_INFO, isRequestType, sealSecretParameters, validateCommandRequest, type CommandRequest } from '../../domain/commands/index.js';
import { deviceDecider, type DeviceState } from '../../domain/device/device.js';
import type { Sealed } from '../../domain/shared/sealed.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { canonicalJson } from '../audit/canonical-json.js';
import { BlobTooLargeError, type BlobStore } from '../ports/blob-store.js';
import type { SecretBox } from '../ports/secret-box.js';
import { commandSecretContext } from './secret-contexts.js';

/** Parameters that carry a large payload: given as base64 by an admin, stored once as a blob. */
const BLOB_PARAMETERS: Readonly<Record<string, { key: string; mediaType: string }>> = {
  InstallProfile: { key: 'Payload', mediaType: 'application/x-apple-aspen-config' },
  InstallProvisioningProfile: { key: 'ProvisioningProfile', mediaType: 'application/octet-stream' },
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const STAND_IN_SEALED = `sb1.00000000.${'A'.repeat(43)}` as Sealed;

/**
 * Admin input → a request fit for the queue: clear secrets sealed, large payloads stored as blobs
 * (referenced by id and SHA-256), then strict validation. Requests that need the device's unlock
 * token (ClearPasscode) get it per device, from the device's own sealed token.
 */
export class CommandPreparation {
  constructor(
    private readonly secrets: SecretBox,
    private readonly blobs: BlobStore,
  ) {}

  async prepare(input: unknown): Promise<Record<string, unknown>> {
    const sealed = sealSecretParameters(input, (clear, parameter) => this.secrets.seal(clear, commandSecretContext(parameter))) as Record<string, unknown>;
    const type = typeof sealed?.['requestType'] === 'string' ? sealed['requestType'] : undefined;
    const blob = type ? BLOB_PARAMETERS[type] : undefined;
    if (blob && typeof sealed[blob.key] === 'string') {
      const text = sealed[blob.key] as string;
      if (!BASE64.test(text) || text.length === 0) throw new DomainError('invalid-command', `${type}.${blob.key}: must be base64`);
      const ref = await this.blobs.put(Buffer.from(text, 'base64'), blob.mediaType).catch((error: unknown) => {
        if (error instanceof BlobTooLargeError) throw new DomainError('invalid-command', `${type}.${blob.key}: ${error.message}`);
        throw error;
      });
      return { ...sealed, [blob.key]: { blobId: ref.blobId, sha256: ref.sha256, size: ref.size } };
    }
    return sealed;
  }

  /**
   * A keyed fingerprint of the admin's input, clear secrets included: equal input gives an equal
   * fingerprint although sealing is randomised, so a re-sent request can be recognised; without the
   * key it reveals nothing about a PIN. Call it on input that `prepare` accepted.
   */
  fingerprint(input: unknown): string {
    return this.secrets.fingerprint(canonicalJson(input), 'command-request');
  }

  /**
   * Validates the request as any device would receive it, before a single device is touched (a
   * device's own unlock token is stood in for by a well-formed sealed value here).
   */
  validate(prepared: Record<string, unknown>): void {
    this.forDevice(prepared, { ...deviceDecider.initialState(), unlockToken: { sealed: STAND_IN_SEALED, fingerprint: '' } });
  }

  /** The validated request for one device. */
  forDevice(prepared: Record<string, unknown>, state: DeviceState): CommandRequest {
    const type = prepared['requestType'];
    if (typeof type === 'string' && isRequestType(type) && REQUEST_TYPE_INFO[type].needsUnlockToken) {
      if (!state.unlockToken) throw new DomainError('no-unlock-token', 'the device has not sent an UnlockToken, so its passcode cannot be cleared');
      return validateCommandRequest({ ...prepared, UnlockToken: { sealed: state.unlockToken.sealed } });
    }
    return validateCommandRequest(prepared);
  }
}
