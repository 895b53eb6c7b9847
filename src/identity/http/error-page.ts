/**
 * `GET /error?code=…`: where a token error's `error_uri` points, as Entra's
 * `https://login.microsoftonline.com/error?code=7000215` does. A person following the link reads what
 * the code means and what to fix; a program asking for JSON gets the same facts. The facts come
 * from the error registry (errors/codes.ts), so the page and the token endpoint cannot disagree.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AADSTS_CODES, PORTICO_TOKEN_CODES, type AadstsCode, type PorticoTokenCode } from '../../errors/index.js';
import { TOKEN_ERROR_FIXES } from './token-error-fixes.js';

interface CodeFacts {
  /** As error_description starts with it: `AADSTS7000215`, or a Portico code. */
  readonly code: string;
  readonly error: string;
  readonly status: number;
  readonly description: string;
  /** What to do about it. */
  readonly fix: string;
}

/** The registry entry for a code as error_uri carries it (`7000215`, `AADSTS7000215`, `PorticoConfigurationStale`). */
export function codeFacts(raw: string): CodeFacts | undefined {
  const digits = /^(?:AADSTS)?(\d{1,9})$/i.exec(raw)?.[1];
  if (digits !== undefined) {
    const entry = (AADSTS_CODES as Record<number, { error: string; status: number; when: string } | undefined>)[Number(digits)];
    return entry && { code: `AADSTS${Number(digits)}`, error: entry.error, status: entry.status, description: entry.when, fix: TOKEN_ERROR_FIXES[Number(digits) as AadstsCode] };
  }
  const entry = Object.hasOwn(PORTICO_TOKEN_CODES, raw) ? PORTICO_TOKEN_CODES[raw as keyof typeof PORTICO_TOKEN_CODES] : undefined;
  return entry && { code: raw, error: entry.error, status: entry.status, description: entry.when, fix: TOKEN_ERROR_FIXES[raw as PorticoTokenCode] };
}

const MAX_CODE_LENGTH = 64;

export function registerErrorPage(app: FastifyInstance): void {
  app.get('/error', async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = (request.query as Record<string, unknown>)['code'];
    const code = typeof raw === 'string' ? raw.trim() : '';
    const wantsJson = (request.headers.accept ?? '').includes('application/json');
    const facts = code === '' || code.length > MAX_CODE_LENGTH ? undefined : codeFacts(code);
    const status = facts ? 200 : code === '' ? 400 : 404;
    const message = facts
      ? undefined
      : code === ''
        ? 'Add the error code to the address: /error?code=7000215 (the number error_codes holds, or the name error_description starts with).'
        : `Portico issues no token error with the code ${code.slice(0, MAX_CODE_LENGTH)}.`;
    void reply.code(status).header('cache-control', 'public, max-age=3600').header('x-content-type-options', 'nosniff');
    if (wantsJson) return reply.send(facts ?? { error: { code: status === 400 ? 'MissingCode' : 'UnknownCode', message } });
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      // Nothing on the page runs or loads: text and one inline style.
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(page(facts, message!));
  });
}

function page(facts: CodeFacts | undefined, message: string): string {
  const title = facts ? `${facts.code}: ${facts.error}` : 'Unknown error code';
  const body = facts
    ? `<p>${escapeHtml(facts.description)}</p><h2>What to do</h2><p>${escapeHtml(facts.fix)}</p>`
      + `<dl><dt>error</dt><dd><code>${escapeHtml(facts.error)}</code></dd><dt>HTTP status</dt><dd>${facts.status}</dd></dl>`
      + '<p>The error_description you received also carries a trace ID and a correlation ID; the server log has the details under them.</p>'
    : `<p>${escapeHtml(message)}</p><p>The codes Portico's token endpoint answers with are listed in its documentation (docs/errors.md).</p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Portico</title>`
    + '<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}dt{font-weight:600}h2{font-size:1.1rem}</style>'
    + `</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
