import { systemClock } from '../../application/ports/clock.js';
import type { Actor, EventStore } from '../../application/ports/event-store.js';
import { DeviceGroups } from '../../application/device-groups/device-groups.js';
import { ProfileLibrary } from '../../application/profile-library/profile-library.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { EventStoreBlobStore } from '../blobs/event-store-blob-store.js';
import type { Config } from '../config/config.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { openEventStore } from '../eventstore/open-event-store.js';
import { jsonLogger } from '../logging/json-logger.js';
import { AesGcmSecretBox, loadOrCreateSecretsKey } from '../pki/aes-gcm-secret-box.js';
import { ensurePrivateDirectory } from '../pki/private-files.js';
import { configurationProfileReader } from '../profiles/configuration-profile-reader.js';
import { usageError } from './options.js';

export interface StoreSession {
  readonly config: Config;
  readonly store: EventStore;
  /** The person at the keyboard, as events record them. */
  readonly actor: Actor;
  readonly groups: DeviceGroups;
  /** Opens the secrets key on first use: stored profiles are sealed with it. */
  library(): Promise<ProfileLibrary>;
}

/**
 * Runs a CLI command against the configured event store, on its own connection, so it works while
 * the server runs. A refusal of the business rules (DomainError) is printed as one line, exit 1.
 */
export async function withStore(command: string, run: (session: StoreSession) => Promise<number>): Promise<number> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) return usageError(command, `configuration error: ${error.message}`);
    throw error;
  }
  if (config.eventStore.kind === 'sqlite') await ensurePrivateDirectory(config.dataDir);
  const { store } = await openEventStore(config, jsonLogger({ level: 'warn', write: (line) => process.stderr.write(line) }));
  const groups = new DeviceGroups(store, systemClock);
  let library: ProfileLibrary | undefined;
  const session: StoreSession = {
    config,
    store,
    actor: { kind: 'admin', id: process.env['USER'] ?? 'cli' },
    groups,
    async library() {
      if (!library) {
        const { key } = await loadOrCreateSecretsKey(config.secretsKeyFile, { create: config.createSecretsKey });
        library = new ProfileLibrary(store, systemClock, new EventStoreBlobStore(store, new AesGcmSecretBox(key)), configurationProfileReader, groups);
      }
      return library;
    },
  };
  try {
    return await run(session);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    process.stderr.write(`mdm ${command}: ${error.message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}
