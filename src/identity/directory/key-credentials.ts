import { AppError } from '../../errors/index.js';
import { newGuid } from '../../shared/index.js';
import type { Store } from '../../store/store.js';
import { parseCertificate } from './certificate.js';
import type { AddKeyCredentialInput, KeyCredential, KeyCredentialInput } from './directory-client.js';
import { commit, isoNow, type DirectoryContext } from './directory-context.js';
import type { KeyCredentialRecord } from './directory-store.js';
import { invalidProperty, isGuid, notFound, optionalText, requireObjectId } from './validate.js';

const RESOURCE = 'Application';
const CERT_TYPE = 'AsymmetricX509Cert';
const CERT_USAGE = 'Verify';
/** Certificates per application; a PATCH carries the whole list, so it must stay small. */
export const MAX_KEY_CREDENTIALS_PER_APPLICATION = 20;
/** Properties an entry may carry; start/end and customKeyIdentifier are read but always taken from the certificate. */
const ENTRY_PROPERTIES = new Set(['keyId', 'key', 'type', 'usage', 'displayName', 'customKeyIdentifier', 'startDateTime', 'endDateTime']);

export async function addKeyCredential(ctx: DirectoryContext, applicationObjectId: string, input: AddKeyCredentialInput): Promise<KeyCredential> {
  const appId = requireObjectId(applicationObjectId);
  if (typeof input !== 'object' || input === null) throw new AppError('Request_BadRequest', 'The request body must be a keyCredential object.');
  const record = newRecord(ctx, appId, input.key, input.displayName, 'key', newGuid());
  await commit(ctx, async (tx) => {
    const existing = await existingOf(tx, appId, applicationObjectId);
    assertRoom(existing.length + 1);
    assertNotRegistered(record, existing);
    await tx.directory.insertKeyCredential(record);
    return { result: undefined, event: { type: 'application.credentialAdded', applicationObjectId: appId, keyIds: [record.keyId] } };
  });
  return toKeyCredential(record);
}

export async function removeKeyCredential(ctx: DirectoryContext, applicationObjectId: string, keyId: string): Promise<void> {
  const appId = requireObjectId(applicationObjectId);
  const key = requireObjectId(keyId);
  await commit(ctx, async (tx) => {
    const owned = (await existingOf(tx, appId, applicationObjectId)).some((c) => c.keyId === key);
    if (!owned) throw new AppError('Request_ResourceNotFound', `No key credential found with keyId '${keyId}'.`);
    await tx.directory.deleteKeyCredential(key);
    return { result: undefined, event: { type: 'application.credentialRemoved', applicationObjectId: appId, keyIds: [key] } };
  });
}

export async function listKeyCredentials(ctx: DirectoryContext, applicationObjectId: string): Promise<KeyCredential[]> {
  const appId = requireObjectId(applicationObjectId);
  if (!(await ctx.store.directory.getApplication(appId))) throw notFound(applicationObjectId);
  return (await ctx.store.directory.listKeyCredentials(appId)).map(toKeyCredential);
}

export async function replaceKeyCredentials(ctx: DirectoryContext, applicationObjectId: string, entries: readonly KeyCredentialInput[]): Promise<KeyCredential[]> {
  const appId = requireObjectId(applicationObjectId);
  if (!Array.isArray(entries)) throw invalidProperty('keyCredentials', RESOURCE, 'it must be an array of keyCredential objects.');
  assertRoom(entries.length);
  // Certificates are read before the transaction: parsing is CPU work that holds no lock.
  const kept: string[] = [];
  const added: KeyCredentialRecord[] = [];
  entries.forEach((entry, index) => {
    const at = `keyCredentials[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw invalidProperty(at, RESOURCE, 'it must be a keyCredential object.');
    const unknown = Object.keys(entry).filter((name) => !ENTRY_PROPERTIES.has(name) && !name.startsWith('@odata.'));
    if (unknown.length > 0) throw invalidProperty(at, RESOURCE, `it has properties a keyCredential does not: ${unknown.join(', ')}.`);
    if (entry.key === undefined || entry.key === null) {
      if (!isGuid(entry.keyId)) {
        throw invalidProperty(`${at}.key`, RESOURCE, 'a new certificate needs `key` (base64 of its DER encoding); an existing one is kept by its `keyId`.');
      }
      kept.push(entry.keyId.toLowerCase());
      return;
    }
    if (entry.type !== CERT_TYPE) throw invalidProperty(`${at}.type`, RESOURCE, `it must be '${CERT_TYPE}' (only certificates are supported).`);
    if (entry.usage !== CERT_USAGE) throw invalidProperty(`${at}.usage`, RESOURCE, `it must be '${CERT_USAGE}' (the certificate verifies client assertions).`);
    let keyId = newGuid();
    if (entry.keyId !== undefined && entry.keyId !== null) {
      if (!isGuid(entry.keyId)) throw invalidProperty(`${at}.keyId`, RESOURCE, 'it must be a GUID.');
      keyId = entry.keyId.toLowerCase();
    }
    const record = newRecord(ctx, appId, entry.key, entry.displayName, `${at}.key`, keyId);
    assertNotRegistered(record, added);
    added.push(record);
  });

  return commit(ctx, async (tx) => {
    const existing = await existingOf(tx, appId, applicationObjectId);
    const byKeyId = new Map(existing.map((c) => [c.keyId, c]));
    for (const keyId of kept) {
      if (!byKeyId.has(keyId)) {
        throw invalidProperty('keyCredentials', RESOURCE, `'${keyId}' is not a key credential of this application; a new certificate needs \`key\`.`);
      }
    }
    if (new Set(kept).size !== kept.length) throw invalidProperty('keyCredentials', RESOURCE, 'a keyId is listed twice.');
    const remaining = existing.filter((c) => kept.includes(c.keyId));
    for (const record of added) {
      if (byKeyId.has(record.keyId) || added.filter((a) => a.keyId === record.keyId).length > 1) {
        throw invalidProperty('keyCredentials', RESOURCE, `the keyId '${record.keyId}' is already in use.`);
      }
      assertNotRegistered(record, remaining);
    }
    for (const credential of existing) {
      if (!kept.includes(credential.keyId)) await tx.directory.deleteKeyCredential(credential.keyId);
    }
    for (const record of added) await tx.directory.insertKeyCredential(record);
    const removed = existing.filter((c) => !kept.includes(c.keyId)).map((c) => c.keyId);
    const changed = removed.length > 0 || added.length > 0;
    return {
      result: [...remaining, ...added].map(toKeyCredential),
      event: changed ? { type: 'application.keyCredentialsChanged', applicationObjectId: appId, keyIds: [...removed, ...added.map((a) => a.keyId)] } : undefined,
    };
  });
}

export function toKeyCredential(record: KeyCredentialRecord): KeyCredential {
  return {
    keyId: record.keyId,
    displayName: record.displayName,
    customKeyIdentifier: record.thumbprintSha1,
    type: CERT_TYPE,
    usage: CERT_USAGE,
    startDateTime: record.startDateTime,
    endDateTime: record.endDateTime,
  };
}

function newRecord(ctx: DirectoryContext, applicationId: string, key: unknown, displayName: unknown, property: string, keyId: string): KeyCredentialRecord {
  const certificate = parseCertificate(key, property, RESOURCE, ctx.now());
  return {
    keyId,
    applicationId,
    displayName: optionalText(displayName, 'displayName', 'KeyCredential', 256),
    certificate: certificate.der,
    thumbprintSha1: certificate.thumbprintSha1,
    thumbprintSha256: certificate.thumbprintSha256,
    startDateTime: certificate.notBefore.toISOString(),
    endDateTime: certificate.notAfter.toISOString(),
    createdDateTime: isoNow(ctx),
  };
}

async function existingOf(tx: Store, appId: string, shownId: string): Promise<KeyCredentialRecord[]> {
  if (!(await tx.directory.getApplication(appId))) throw notFound(shownId);
  return tx.directory.listKeyCredentials(appId);
}

function assertRoom(count: number): void {
  if (count > MAX_KEY_CREDENTIALS_PER_APPLICATION) {
    throw new AppError('Request_BadRequest', `An application may have at most ${MAX_KEY_CREDENTIALS_PER_APPLICATION} certificates. Remove unused ones first.`);
  }
}

function assertNotRegistered(record: KeyCredentialRecord, others: readonly KeyCredentialRecord[]): void {
  const same = others.find((c) => c.thumbprintSha256 === record.thumbprintSha256);
  if (same) {
    throw new AppError('Request_BadRequest', `This certificate (thumbprint ${record.thumbprintSha1}) is already a key credential of the application (keyId '${same.keyId}').`);
  }
}
