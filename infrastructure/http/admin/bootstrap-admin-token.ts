import { createHash, timingSafeEqual } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiPrincipal, ApiTokens } from '../../../application/api-tokens/api-tokens.js';
import type { Logger } from '../../../application/ports/logger.js';
import type { Config } from '../../config/config.js';
import { ensurePrivateDirectory, writeFileAtomic } from '../../pki/private-files.js';

export const BOOTSTRAP_PRINCIPAL: ApiPrincipal = Object.freeze({ tokenId: 'bootstrap', role: 'admin', name: 'MDM_ADMIN_TOKEN' });

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * The admin principal when `bearer` is MDM_ADMIN_TOKEN. Both sides are hashed first so the
 * comparison takes the same time whatever the presented length.
 */
export function bootstrapPrincipal(adminToken: string | undefined, bearer: string): ApiPrincipal | undefined {
  if (!adminToken) return undefined;
  return timingSafeEqual(digest(adminToken), digest(bearer)) ? BOOTSTRAP_PRINCIPAL : undefined;
}

export const initialAdminTokenFile = (dataDir: string): string => join(dataDir, 'initial-admin-token');

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Without MDM_ADMIN_TOKEN, a fresh installation needs some way in: the first start creates an admin
 * token and writes it to `<data dir>/initial-admin-token` (0600). The file is never replaced, and
 * while it exists no other token is made; once deleted, the next start makes a new one (the file
 * is the operator's way back in). Only the path is logged, never the token.
 */
export async function ensureInitialAdminToken(config: Pick<Config, 'dataDir' | 'adminToken'>, tokens: ApiTokens, logger: Logger): Promise<void> {
  if (config.adminToken) return;
  const path = initialAdminTokenFile(config.dataDir);
  if (await exists(path)) return;
  await ensurePrivateDirectory(config.dataDir);
  const created = await tokens.create({ role: 'admin', name: 'initial admin token' }, { kind: 'system', id: 'bootstrap' });
  try {
    await writeFileAtomic(path, `${created.token}\n`, { mode: 0o600, overwrite: false });
  } catch (error) {
    // Another process wrote the file first (or the write failed): a token nobody can read must not stay valid.
    await tokens.revoke(created.tokenId, { kind: 'system', id: 'bootstrap' });
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  logger.warn('created an initial admin API token; read it from the file, then delete the file', { file: path, tokenId: created.tokenId });
}
