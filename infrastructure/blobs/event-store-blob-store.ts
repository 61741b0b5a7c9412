import { createHash } from 'node:crypto';
import { uuidV5 } from '../../application/deterministic-ids.js';
import { BlobTooLargeError, type BlobStore, type StoredBlob } from '../../application/ports/blob-store.js';
import { ConcurrencyError, type EventStore } from '../../application/ports/event-store.js';
import type { SecretBox } from '../../application/ports/secret-box.js';

const blobContext = (sha256: string) => `blob/${sha256}`;

/** Sealing and base64 grow data by a third; this keeps one blob inside one append on every adapter. */
export const MAX_BLOB_BYTES = 700 * 1024;
const NAMESPACE = '5f0b6a1e-3f7c-4a4e-8d9e-6c1b2a3d4e5f';

/**
 * Blobs as one-event streams `blob-<sha256>` in the event store itself, so every server process
 * sharing the store (EventStoreDB) sees the same blobs and a backup of the store includes them.
 * The content is sealed: configuration profiles routinely carry Wi-Fi and VPN passwords.
 */
export class EventStoreBlobStore implements BlobStore {
  constructor(
    private readonly store: EventStore,
    private readonly secrets: SecretBox,
  ) {}

  async put(bytes: Buffer, mediaType: string): Promise<StoredBlob> {
    if (bytes.length > MAX_BLOB_BYTES) throw new BlobTooLargeError(`blob of ${bytes.length} bytes exceeds ${MAX_BLOB_BYTES}`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const ref = { blobId: sha256, sha256, size: bytes.length };
    try {
      await this.store.append(`blob-${sha256}`, [{ eventId: uuidV5(NAMESPACE, sha256), type: 'BlobStored', data: { sha256, size: bytes.length, mediaType, sealedContent: this.secrets.seal(bytes, blobContext(sha256)) } }], 'no-stream');
    } catch (error) {
      // Already stored: content addressing makes it the same blob.
      if (!(error instanceof ConcurrencyError)) throw error;
    }
    return ref;
  }

  async get(blobId: string): Promise<Buffer | undefined> {
    if (!/^[0-9a-f]{64}$/.test(blobId)) return undefined;
    const [event] = await this.store.readStream(`blob-${blobId}`, { maxCount: 1 });
    if (!event) return undefined;
    const bytes = this.secrets.open((event.data as { sealedContent: string }).sealedContent, blobContext(blobId));
    return createHash('sha256').update(bytes).digest('hex') === blobId ? bytes : undefined;
  }
}
