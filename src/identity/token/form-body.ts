import { OAuthError } from '../../errors/index.js';

const FORM_TYPE = 'application/x-www-form-urlencoded';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses an application/x-www-form-urlencoded body strictly: a repeated parameter is an error
 * (two client_ids or two secrets must never be resolved silently), and so is bad encoding.
 */
export function parseFormBody(contentType: string | undefined, body: Buffer | undefined): Map<string, string> {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== FORM_TYPE) {
    throw new OAuthError(90014, `The request body must be form-encoded (Content-Type: ${FORM_TYPE}).`);
  }
  let text: string;
  try {
    text = body === undefined ? '' : utf8.decode(body);
  } catch {
    throw new OAuthError(90014, 'The request body is not valid UTF-8.');
  }
  const params = new Map<string, string>();
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    if (params.has(name)) throw new OAuthError(90014, `The request body contains the parameter '${printable(name)}' more than once.`);
    params.set(name, value);
  }
  return params;
}

const PLAIN_NEEDS_DECODING = /[%+]/;

/** Form encoding: '+' is a space, then percent-decoding (RFC 6749 appendix B). */
export function decodeFormComponent(raw: string): string | undefined {
  if (!PLAIN_NEEDS_DECODING.test(raw)) return raw; // most names and many values need no decoding
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function decode(raw: string): string {
  const value = decodeFormComponent(raw);
  if (value === undefined) throw new OAuthError(90014, 'The request body is not valid form encoding.');
  return value;
}

/** Parameter names end up in messages; keep them short and printable. */
function printable(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
}
