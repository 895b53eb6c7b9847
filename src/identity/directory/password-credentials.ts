import { AppError } from '../../errors/index.js';
import { newClientSecret, newGuid, sha256 } from '../../shared/index.js';
import type { AddPasswordInput, NewPasswordCredential, PasswordCredential } from './directory-client.js';
import { commit, type DirectoryContext } from './directory-context.js';
import type { PasswordCredentialRecord } from './directory-store.js';
import { notFound, optionalText, requireObjectId } from './validate.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Secrets per application; every token request checks each one, so the list must stay short. */
export const MAX_PASSWORDS_PER_APPLICATION = 50;

/** Mints a secret; only its SHA-256 digest and a 3-character hint are kept. Older secrets stay valid. */
export async function addPassword(ctx: DirectoryContext, applicationObjectId: string, input: AddPasswordInput = {}): Promise<NewPasswordCredential> {
  const appId = requireObjectId(applicationObjectId);
  if (typeof input !== 'object' || input === null) throw new AppError('Request_BadRequest', 'The request body must be a passwordCredential object.');
  const displayName = optionalText(input.displayName, 'displayName', 'PasswordCredential', 256);
  const secretText = newClientSecret();
  const start = ctx.now();
  const record: PasswordCredentialRecord = {
    keyId: newGuid(),
    applicationId: appId,
    displayName,
    hint: secretText.slice(0, 3),
    secretHash: sha256(secretText),
    startDateTime: start.toISOString(),
    endDateTime: new Date(start.getTime() + ctx.secretValidityDays * DAY_MS).toISOString(),
  };
  await commit(ctx, async (tx) => {
    if (!(await tx.directory.getApplication(appId))) throw notFound(applicationObjectId);
    if ((await tx.directory.listPasswordCredentials(appId)).length >= MAX_PASSWORDS_PER_APPLICATION) {
      throw new AppError('Request_BadRequest', `The application already has ${MAX_PASSWORDS_PER_APPLICATION} client secrets, the most it may have. Remove unused ones (removePassword) first.`);
    }
    await tx.directory.insertPasswordCredential(record);
    return { result: undefined, event: { type: 'application.credentialAdded', applicationObjectId: appId, keyIds: [record.keyId] } };
  });
  return { ...toPasswordCredential(record), secretText };
}

export async function removePassword(ctx: DirectoryContext, applicationObjectId: string, keyId: string): Promise<void> {
  const appId = requireObjectId(applicationObjectId);
  const key = requireObjectId(keyId);
  await commit(ctx, async (tx) => {
    if (!(await tx.directory.getApplication(appId))) throw notFound(applicationObjectId);
    const owned = (await tx.directory.listPasswordCredentials(appId)).some((c) => c.keyId === key);
    if (!owned) throw new AppError('Request_ResourceNotFound', `No password credential found with keyId '${keyId}'.`);
    await tx.directory.deletePasswordCredential(key);
    return { result: undefined, event: { type: 'application.credentialRemoved', applicationObjectId: appId, keyIds: [key] } };
  });
}

export async function listPasswords(ctx: DirectoryContext, applicationObjectId: string): Promise<PasswordCredential[]> {
  const appId = requireObjectId(applicationObjectId);
  if (!(await ctx.store.directory.getApplication(appId))) throw notFound(applicationObjectId);
  return (await ctx.store.directory.listPasswordCredentials(appId)).map(toPasswordCredential);
}

export function toPasswordCredential(record: PasswordCredentialRecord): PasswordCredential {
  return {
    keyId: record.keyId,
    displayName: record.displayName,
    hint: record.hint,
    startDateTime: record.startDateTime,
    endDateTime: record.endDateTime,
  };
}
