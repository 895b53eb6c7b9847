import { InvalidArgumentError } from 'commander';

/** Parsers for option values: each returns the parsed value or throws commander's usage error. */

export const AUTH_TYPES = ['subscription-key', 'application-token'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

export const PRODUCT_STATES = ['published', 'notPublished'] as const;

/** `subscription-key,application-token` → both; `none` → [] (no authentication type set). */
export function parseAuthTypes(value: string): AuthType[] {
  const items = splitList(value);
  if (items.length === 1 && items[0]!.toLowerCase() === 'none') return [];
  if (items.length === 0) throw new InvalidArgumentError('Give subscription-key, application-token (comma-separated) or none.');
  const result: AuthType[] = [];
  for (const item of items) {
    const match = AUTH_TYPES.find((type) => type === item.toLowerCase());
    if (match === undefined) {
      throw new InvalidArgumentError(
        item.toLowerCase() === 'none'
          ? '"none" cannot be combined with other types; give it alone to clear the list (the product then takes subscription keys).'
          : `"${item}" is not an authentication type; use subscription-key and/or application-token, or none alone.`,
      );
    }
    if (!result.includes(match)) result.push(match);
  }
  return result;
}

/** A comma-separated list of ids: trimmed, empty items dropped, duplicates removed, at least one. */
export function parseIdList(value: string): string[] {
  const items = [...new Set(splitList(value))];
  if (items.length === 0) throw new InvalidArgumentError('Give at least one id (comma-separated for several).');
  return items;
}

/** Listener port: a whole number 0–65535 (0 lets the system pick a free port). */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port > 65535) {
    throw new InvalidArgumentError('Give a whole number from 0 to 65535 (0 picks a free port).');
  }
  return port;
}

export function parseBoolean(value: string): boolean {
  const normalized = value.trim().toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(normalized)) return true;
  if (['false', 'no', 'off', '0'].includes(normalized)) return false;
  throw new InvalidArgumentError('Give true or false.');
}

/** `--header "Name: value"`, repeatable; collects into a list of pairs. */
export function parseHeader(value: string, previous: Array<[string, string]> = []): Array<[string, string]> {
  const colon = value.indexOf(':');
  const name = colon > 0 ? value.slice(0, colon).trim() : '';
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new InvalidArgumentError('Give a header as "Name: value".');
  }
  return [...previous, [name, value.slice(colon + 1).trim()]];
}

/**
 * Turns a display name or an email's local part into a resource id: lower case, letters, digits
 * and single hyphens (the characters every APIM resource name accepts), at most 80 characters.
 * Returns '' when nothing usable is left; callers then ask for an explicit --id.
 */
export function deriveId(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // drop accents: "José" → "jose"
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
}

/** `Alice.Smith@example.com` → `alice-smith`. */
export function userIdFromEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return deriveId(at > 0 ? email.slice(0, at) : email);
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
