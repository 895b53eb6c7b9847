import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

export const newGuid = (): string => randomUUID();

/** base64url SHA-256; used for high-entropy secrets, where a slow KDF buys nothing. */
export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** Constant-time equality of two digests (or any strings); unequal lengths compare as false. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left); // same work either way
    return false;
  }
  return timingSafeEqual(left, right);
}

/**
 * A client secret in Entra's style: 40 characters from [A-Za-z0-9~._-] (≈ 6 bits each, 240 bits)
 * plus 3 more, so ≥ 256 bits of entropy. Rejection sampling keeps every character equally likely.
 */
export function newClientSecret(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-';
  let out = '';
  while (out.length < 44) {
    for (const byte of randomBytes(64)) {
      if (byte < alphabet.length * 3 && out.length < 44) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

/** A subscription key: 32 random bytes as hex, like APIM's 32-character keys but with 256 bits. */
export function newSubscriptionKey(): string {
  return randomBytes(32).toString('hex');
}

/** scrypt password hash `scrypt$<salt>$<hash>` for portal users (low-entropy secrets). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), 32);
  return constantTimeEqual(actual.toString('base64url'), hash);
}

/**
 * Authenticated encryption for secrets that must be shown again (subscription keys, signing keys).
 * Format: `v1.<iv>.<tag>.<ciphertext>` in base64url, AES-256-GCM with the instance key.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed value');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
    const authTag = Buffer.from(tag, 'base64url');
    if (authTag.length !== 16) throw new Error('sealed value has a truncated tag'); // short tags weaken GCM
    decipher.setAuthTag(authTag);
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
