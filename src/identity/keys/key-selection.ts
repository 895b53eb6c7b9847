import type { SigningKeyRecord } from '../directory/directory-store.js';

/**
 * Pure rules of the key lifecycle. A key is published (in the JWKS, and verifies tokens) from
 * creation until `retiresAt`. It signs from `activatesAt` while it is the newest activated key
 * still published. So a next key is published (created with a future `activatesAt`) before it
 * signs, the previous one stops signing the moment its successor activates — no process has to
 * be awake at that instant — and stays published until every token it signed has expired.
 */
export type SigningKeyState = 'next' | 'current' | 'previous' | 'retired';

export function selectSigningKey(keys: readonly SigningKeyRecord[], now: Date): SigningKeyRecord | undefined {
  const at = now.getTime();
  return keys
    .filter((k) => Date.parse(k.activatesAt) <= at && isKeyPublished(k, at))
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

/** The published key that activates last (the next key if one is scheduled, else the current one). */
export function newestKey(keys: readonly SigningKeyRecord[], now: Date): SigningKeyRecord | undefined {
  return publishedKeys(keys, now)[0];
}

/** next: published, not signing yet; current: signs now; previous: still published for its tokens; retired: gone. */
export function keyState(key: SigningKeyRecord, keys: readonly SigningKeyRecord[], now: Date): SigningKeyState {
  if (!isKeyPublished(key, now)) return 'retired';
  if (Date.parse(key.activatesAt) > now.getTime()) return 'next';
  return selectSigningKey(keys, now)?.kid === key.kid ? 'current' : 'previous';
}

/** Latest activation first; ties (same instant) by creation, then kid, so every process picks the same key. */
export function newestFirst(a: SigningKeyRecord, b: SigningKeyRecord): number {
  return Date.parse(b.activatesAt) - Date.parse(a.activatesAt) || Date.parse(b.createdAt) - Date.parse(a.createdAt) || a.kid.localeCompare(b.kid);
}
