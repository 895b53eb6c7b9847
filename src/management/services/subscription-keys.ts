import { sha256, type SecretBox } from '../../shared/index.js';

/**
 * How a subscription key is kept: its SHA-256 (the gateway looks keys up by it) and the key sealed
 * with the instance key (listSecrets shows it again). Never the key itself.
 */
/** Whether `key` is the one stored as `hash` (the lookup digest only: nothing is sealed to compare). */
export function isStoredSubscriptionKey(hash: string, key: string): boolean {
  return sha256(key) === hash;
}

export function storedSubscriptionKey(box: SecretBox, key: string): { hash: string; encrypted: string } {
  return { hash: sha256(key), encrypted: box.seal(key) };
}
