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

/**
 * The one rule for which keys are published in the JWKS and may verify tokens at `at`: every key
 * not past its retirement time (an unreadable time counts as past). The identity provider and the
 * gateway's snapshot both use it.
 */
export function isKeyPublished(key: Pick<SigningKeyRecord, 'retiresAt'>, at: Date | number): boolean {
  return key.retiresAt === null || Date.parse(key.retiresAt) > +at;
}

export function publishedKeys(keys: readonly SigningKeyRecord[], now: Date): SigningKeyRecord[] {
  return keys.filter((k) => isKeyPublished(k, now)).sort(newestFirst);
}

function newestFirst(a: SigningKeyRecord, b: SigningKeyRecord): number {
  return Date.parse(b.activatesAt) - Date.parse(a.activatesAt) || Date.parse(b.createdAt) - Date.parse(a.createdAt) || a.kid.localeCompare(b.kid);
}
