import type { BlobStore } from '../../../../application/ports/blob-store.js';
import type { SecretBox } from '../../../../application/ports/secret-box.js';
import { commandSecretContext, unlockTokenContext } from '../../../../application/mdm/secret-contexts.js';
import { validateCommandRequest } from '../../../../domain/commands/index.js';
import type { QueuedCommand } from '../../../../domain/device/queue/queued-command.js';
import { CommandRenderError, renderCommand } from '../../../mdm-commands/render-command.js';

/**
 * Builds the command dictionary at delivery: the stored request is validated again (it came from
 * the event store, which outlives code versions), blobs are fetched and checked, sealed secrets are
 * opened under their contexts. The result holds secrets in clear: it goes to the device only.
 */
export function commandRenderer(blobs: BlobStore, secrets: SecretBox) {
  return async (udid: string, command: QueuedCommand): Promise<Record<string, unknown>> => {
    const request = validateCommandRequest(command.request);
    const rendered = await renderCommand(command.commandUuid, request, {
      blob: async (ref) => {
        const bytes = await blobs.get(ref.blobId);
        if (!bytes) throw new CommandRenderError(`blob ${ref.blobId} is missing`);
        return bytes;
      },
      secret: (ref, parameter) => secrets.open(ref.sealed, parameter === 'UnlockToken' ? unlockTokenContext(udid) : commandSecretContext(parameter)),
    });
    return rendered as unknown as Record<string, unknown>;
  };
}
