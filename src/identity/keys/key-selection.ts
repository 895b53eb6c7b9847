import type { SigningKeyRecord } from '../directory/directory-store.js';

/**
 * Pure rules of the key lifecycle, kept apart so rotation can build on them:
 * a key is published from creation until `retiresAt`; it signs once `activatesAt` has passed and
 * until a newer key activates or it is given a retirement time. So a next key can be published
 * (created with a future `activatesAt`) before it signs, and an old one can stay published until
 * every token it signed has expired.
 */
export function selectSigningKey(keys: readonly SigningKeyRecord[], now: Date): SigningKeyRecord | undefined {
  const at = now.getTime();
  return keys
    .filter((k) => k.retiresAt === null && Date.parse(k.activatesAt) <= at)
    .sort(newestFirst)[0];
}

export function publishedKeys(keys: readonly SigningKeyRecord[], now: Date): SigningKeyRecord[] {
  const at = now.getTime();
  return keys.filter((k) => k.retiresAt === null || Date.parse(k.retiresAt) > at).sort(newestFirst);
}

function newestFirst(a: SigningKeyRecord, b: SigningKeyRecord): number {
  return Date.parse(b.activatesAt) - Date.parse(a.activatesAt) || Date.parse(b.createdAt) - Date.parse(a.createdAt) || a.kid.localeCompare(b.kid);
}
