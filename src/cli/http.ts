import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import { CliError } from './cli-error.js';
import { portico } from './invocation.js';

/** Set when a CA besides the system's must be trusted (Portico's local CA); undefined: global fetch as is. */
let trustingDispatcher: Agent | undefined;

/** Trusts this PEM CA certificate in addition to Node's built-in list, for every later request. */
export function trustCertificateAuthority(pem: string): void {
  trustingDispatcher = new Agent({ connect: { ca: [...rootCertificates, pem] } });
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded (the token endpoint). */
  form?: Record<string, string>;
  /** Sent as-is (the `call` command). */
  body?: string;
  bearer?: string;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  body: unknown;
}

/** Sends one request; only a transport failure throws (with a message that says what to check). */
export async function send(url: string, options: SendOptions = {}): Promise<HttpResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let body: string | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  } else if (options.form !== undefined) {
    body = new URLSearchParams(options.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
  let response: Response;
  try {
    const init = { method: options.method ?? 'GET', headers, body };
    response = trustingDispatcher ? ((await undiciFetch(url, { ...init, dispatcher: trustingDispatcher })) as unknown as Response) : await fetch(url, init);
  } catch (error) {
    throw new CliError(describeNetworkError(url, error));
  }
  const text = await response.text();
  return { status: response.status, statusText: response.statusText, headers: response.headers, text, body: parseJson(text) };
}

/** Like send, but a non-2xx answer throws a CliError carrying the server's own error code and message. */
export async function request(url: string, options: SendOptions = {}): Promise<HttpResponse> {
  const response = await send(url, options);
  if (response.status < 200 || response.status > 299) {
    throw new CliError(formatErrorResponse(response.status, response.statusText, response.body, response.text), 1, errorCode(response.body));
  }
  return response;
}

const MAX_PAGES = 1000;

/** GETs a `{ value: [...], nextLink }` list and follows nextLink (ARM) or @odata.nextLink (Graph) to the end. */
export async function listAll(url: string, options: SendOptions = {}, fixNextLink: (link: string) => string = (link) => link): Promise<unknown[]> {
  const items: unknown[] = [];
  const seen = new Set<string>();
  let next: string | undefined = url;
  while (next !== undefined) {
    if (seen.has(next) || seen.size >= MAX_PAGES) throw new CliError(`error: the server's list paging does not end (at ${next}).`);
    seen.add(next);
    const { body } = await request(next, options);
    const page = asRecord(body);
    if (!Array.isArray(page?.value)) throw new CliError(`error: expected a list ({ "value": [...] }) from ${stripQuery(next)}.`);
    items.push(...page.value);
    const link = page.nextLink ?? page['@odata.nextLink'];
    // nextLink is absolute in ARM; resolve against the page anyway in case a server sends a relative one.
    next = typeof link === 'string' && link !== '' ? fixNextLink(new URL(link, next).toString()) : undefined;
  }
  return items;
}

/**
 * One readable message for an error answer, whatever its shape:
 * ARM and Graph `{ error: { code, message, details } }`, OAuth `{ error, error_description }`,
 * the gateway's `{ statusCode, message }`, or anything else (status line plus a short excerpt).
 */
export function formatErrorResponse(status: number, statusText: string, body: unknown, text: string): string {
  const record = asRecord(body);
  const error = asRecord(record?.error);
  if (error !== undefined && (typeof error.code === 'string' || typeof error.message === 'string')) {
    const lines = [`error ${str(error.code) ?? status}: ${str(error.message) ?? statusText}`];
    const details = Array.isArray(error.details) ? error.details : [];
    for (const detail of details) {
      const item = asRecord(detail);
      // A detail that repeats the message word for word (e.g. DuplicateEmail) adds nothing.
      if (item === undefined || (str(item.message) !== undefined && str(item.message) === str(error.message))) continue;
      const target = str(item.target) !== undefined ? ` (${str(item.target)})` : '';
      lines.push(`  ${str(item.code) ?? 'detail'}${target}: ${str(item.message) ?? ''}`);
    }
    return lines.join('\n');
  }
  if (record !== undefined && typeof record.error === 'string') {
    return `error ${record.error}: ${str(record.error_description) ?? `HTTP ${status}`}`;
  }
  if (record !== undefined && typeof record.message === 'string') {
    return `error ${status}: ${record.message}`;
  }
  const excerpt = text.trim().replace(/\s+/g, ' ').slice(0, 200);
  return `error: HTTP ${status} ${statusText}`.trimEnd() + (excerpt !== '' ? `: ${excerpt}` : '');
}

/** The error code of an ARM/Graph (`error.code`) or OAuth (`error`) answer. */
export function errorCode(body: unknown): string | undefined {
  const error = asRecord(body)?.error;
  return typeof error === 'string' ? error : str(asRecord(error)?.code);
}

/** `fetch failed` says nothing; name the address and the likely cause instead. */
export function describeNetworkError(url: string, error: unknown): string {
  const cause = asRecord(asRecord(error)?.cause);
  const code = str(cause?.code);
  let origin = url;
  try {
    origin = new URL(url).origin;
  } catch {
    // keep the raw string
  }
  if (code === 'ECONNREFUSED') {
    return `error: cannot reach Portico at ${origin} (connection refused). Is it running? Start it with \`${portico('start')}\`, or check the URLs in your credentials file / --management-url / --identity-url.`;
  }
  if (code !== undefined && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return `error: the TLS certificate of ${origin} is not trusted (${code}). With \`${portico('start --tls local')}\` the credentials file names the CA (caCertificate); for another certificate set NODE_EXTRA_CA_CERTS to the file of the CA that issued it.`;
  }
  const reason = code ?? str(cause?.message) ?? (error instanceof Error ? error.message : String(error));
  return `error: request to ${origin} failed (${reason}).`;
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function stripQuery(url: string): string {
  const question = url.indexOf('?');
  return question < 0 ? url : url.slice(0, question);
}
