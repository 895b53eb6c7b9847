/**
 * The token of an `Authorization: Bearer …` header: '' when the scheme has no token, undefined
 * for a missing header or another scheme. One parser for every listener.
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer(?:[ \t]+(.*))?$/i.exec(header.trim());
  return match ? (match[1] ?? '').trim() : undefined;
}
