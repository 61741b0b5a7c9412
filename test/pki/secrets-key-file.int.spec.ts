import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateSecretsKey } from '../../infrastructure/pki/aes-gcm-secret-box.js';
import { tempDir } from '../support/temp-dir.js';

describe('loadOrCreateSecretsKey', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir('mdm-secrets-')));
  afterEach(() => dir.remove());

  async function rejection(promise: Promise<unknown>): Promise<Error> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, 'expected a rejection').to.be.instanceOf(Error);
    return error as Error;
  }

  it('creates a 0600 file of 64 hex characters and reads it back', async () => {
    const path = join(dir.path, 'keys', 'secrets.key');
    const created = await loadOrCreateSecretsKey(path, { create: true });
    expect(created.created).to.equal(true);
    expect(created.key).to.have.length(32);
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    expect(statSync(join(dir.path, 'keys')).mode & 0o777).to.equal(0o700);
    expect(readFileSync(path, 'utf8')).to.match(/^[0-9a-f]{64}\n$/);
    const loaded = await loadOrCreateSecretsKey(path, { create: true });
    expect(loaded.created).to.equal(false);
    expect(loaded.insecureMode).to.equal(false);
    expect(loaded.key.equals(created.key)).to.equal(true);
  });

  it('names MDM_SECRETS_KEY_FILE and the path when the file is missing and create is false', async () => {
    const path = join(dir.path, 'absent.key');
    const error = await rejection(loadOrCreateSecretsKey(path, { create: false }));
    expect(error.message).to.include('MDM_SECRETS_KEY_FILE');
    expect(error.message).to.include(path);
  });

  it('reads base64 keys and tolerates a trailing newline', async () => {
    const key = randomBytes(32);
    const path = join(dir.path, 'b64.key');
    writeFileSync(path, `${key.toString('base64')}\r\n`, { mode: 0o600 });
    expect((await loadOrCreateSecretsKey(path, { create: false })).key.equals(key)).to.equal(true);
    writeFileSync(path, key.toString('hex').toUpperCase(), { mode: 0o600 });
    expect((await loadOrCreateSecretsKey(path, { create: false })).key.equals(key)).to.equal(true);
  });

  it('refuses a key of the wrong length without echoing it', async () => {
    const path = join(dir.path, 'short.key');
    const short = randomBytes(16).toString('hex');
    writeFileSync(path, short, { mode: 0o600 });
    const error = await rejection(loadOrCreateSecretsKey(path, { create: true }));
    expect(error.message).to.match(/16-byte .*32 bytes/);
    expect(error.message).to.not.include(short);
    writeFileSync(path, 'not a key at all!', { mode: 0o600 });
    expect((await rejection(loadOrCreateSecretsKey(path, { create: true }))).message).to.match(/64 hex characters/);
  });

  it('flags a key file readable by group or others', async () => {
    const path = join(dir.path, 'loose.key');
    writeFileSync(path, randomBytes(32).toString('hex'));
    chmodSync(path, 0o644);
    expect((await loadOrCreateSecretsKey(path, { create: false })).insecureMode).to.equal(true);
  });

  it('leaves no temporary files behind', async () => {
    await loadOrCreateSecretsKey(join(dir.path, 'secrets.key'), { create: true });
    expect(readdirSync(dir.path)).to.deep.equal(['secrets.key']);
  });
});
