import type { IncomingHttpHeaders } from 'node:http';
import type { ApiEntry } from '../../snapshot.js';

/**
 * The subscription key from the API's header, else from its query parameter — the query is read
 * only when the header is absent (APIM behaviour). `rawQuery` is the part after '?'. The names are
 * the API's subscriptionKeyParameterNames (defaults in schema.ts).
 */
export function presentedKey(api: ApiEntry, headers: IncomingHttpHeaders, rawQuery: string): string | undefined {
  const header = headers[api.keyHeaderLower];
  if (header !== undefined) return Array.isArray(header) ? (header[0] ?? '') : header;
  if (rawQuery === '') return undefined;
  let start = 0;
  while (start <= rawQuery.length) {
    let end = rawQuery.indexOf('&', start);
    if (end === -1) end = rawQuery.length;
    const eq = rawQuery.indexOf('=', start);
    const nameEnd = eq === -1 || eq > end ? end : eq;
    if (decodeQueryComponent(rawQuery.slice(start, nameEnd)) === api.keyQueryName) {
      return nameEnd === end ? '' : decodeQueryComponent(rawQuery.slice(nameEnd + 1, end));
    }
    start = end + 1;
  }
  return undefined;
}

/** The caller's query without the subscription-key parameter, other pairs byte for byte. */
export function stripKeyFromQuery(rawQuery: string, keyQueryName: string): string {
  if (rawQuery === '') return '';
  const kept: string[] = [];
  for (const pair of rawQuery.split('&')) {
    const eq = pair.indexOf('=');
    if (decodeQueryComponent(eq === -1 ? pair : pair.slice(0, eq)) !== keyQueryName) kept.push(pair);
  }
  return kept.join('&');
}

function decodeQueryComponent(text: string): string {
  if (text.indexOf('%') === -1 && text.indexOf('+') === -1) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
