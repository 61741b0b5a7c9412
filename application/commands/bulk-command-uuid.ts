import { uuidV5 } from '../deterministic-ids.js';

/** Namespace of the CommandUUIDs a bulk command gives its devices. */
export const BULK_NAMESPACE = '3c9e2b6a-5d1f-4e8a-b7c4-9a0d2e6f1b35';

/**
 * The CommandUUID a bulk command queues on one device: the same for every fan-out of the bulk, so a
 * fan-out resumed after a crash finds the commands already queued instead of queueing them twice.
 */
export const bulkCommandUuid = (bulkId: string, udid: string): string => uuidV5(BULK_NAMESPACE, `${bulkId}/${udid}`);
