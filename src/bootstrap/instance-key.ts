import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors/index.js';
import { SecretBox } from '../shared/index.js';
import type { Store } from '../store/store.js';

const CHECK_KEY = 'encryption.check';
const CHECK_TEXT = 'portico-instance-key';

/**
 * The 32-byte key that encrypts subscription keys and signing keys at rest: PORTICO_ENCRYPTION_KEY
 * (base64) or `<data dir>/instance.key`, created with mode 0600 on first use.
 */
export async function loadInstanceKey(dataDir: string, fromEnv: string | undefined): Promise<{ box: SecretBox; source: string }> {
  if (fromEnv !== undefined && fromEnv !== '') {
    const key = Buffer.from(fromEnv, 'base64');
    if (key.length !== 32) throw new AppError('ERR_CONFIG_INVALID', 'PORTICO_ENCRYPTION_KEY must be 32 bytes encoded as base64 (e.g. from `openssl rand -base64 32`).');
    return { box: new SecretBox(key), source: 'PORTICO_ENCRYPTION_KEY' };
  }
  const path = join(dataDir, 'instance.key');
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    text = randomBytes(32).toString('base64');
    await writeFile(path, `${text}\n`, { mode: 0o600, flag: 'wx' }).catch(async (writeError: NodeJS.ErrnoException) => {
      if (writeError.code !== 'EEXIST') throw writeError;
      text = (await readFile(path, 'utf8')).trim(); // another process created it first
    });
  }
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) throw new AppError('ERR_CONFIG_INVALID', `${path} must hold 32 bytes encoded as base64.`);
  return { box: new SecretBox(key), source: path };
}

/** Refuses to start with a key that cannot read this database's secrets, instead of failing later. */
export async function checkInstanceKey(store: Store, box: SecretBox, source: string): Promise<void> {
  const sealed = await store.settings.getSetting(CHECK_KEY);
  if (sealed === undefined) {
    await store.settings.putSetting(CHECK_KEY, box.seal(CHECK_TEXT));
    return;
  }
  let opened: string | undefined;
  try {
    opened = box.open(sealed);
  } catch {
    opened = undefined;
  }
  if (opened !== CHECK_TEXT) {
    throw new AppError(
      'ERR_CONFIG_INVALID',
      `The encryption key from ${source} does not match this database. Use the instance.key of the data directory that created the database, or set PORTICO_ENCRYPTION_KEY to it.`,
    );
  }
}
