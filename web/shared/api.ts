/**
 * Calls to the management API (the same routes scripts use) from a signed-in portal page: the
 * session cookie authenticates, and every write carries the session's CSRF token.
 */

/** The api-version every screen uses (the one with clientApplications). */
export const API_VERSION = '2025-03-01-preview';

/** An error the API answered, in ARM's shape; `message` is already words a person can act on. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly { target?: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken = '';
let onSignedOut: () => void = () => undefined;

/** Set at sign-in (and after a reload, from GET session): sent on every write. */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** What to do when the API says the session is gone (401): show the sign-in page again. */
export function onSessionEnded(handler: () => void): void {
  onSignedOut = handler;
}

export interface RequestOptions {
  readonly method?: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';
  readonly body?: unknown;
  /** Sent as If-Match (the API refuses a change of a resource someone else changed meanwhile). */
  readonly ifMatch?: string;
  /** A 401 here is a wrong password, not an ended session. */
  readonly signIn?: boolean;
}

/** A JSON request to this origin; resolves to the parsed body (undefined for 204), or throws ApiError. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (options.ifMatch) headers['If-Match'] = options.ifMatch;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, credentials: 'same-origin', ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
  } catch {
    throw new ApiError(0, 'NetworkError', 'Portico could not be reached. Check that it is running and try again.');
  }
  const text = await response.text();
  const body = text === '' ? undefined : safeJson(text);
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string; details?: { target?: string; message: string }[] } } | undefined)?.error;
    const failure = new ApiError(response.status, error?.code ?? `HTTP${response.status}`, error?.message ?? `The request failed (HTTP ${response.status}).`, error?.details ?? []);
    if (response.status === 401 && !options.signIn) onSignedOut();
    throw failure;
  }
  return body as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An error as a sentence for a message bar: the API's message, or what went wrong in plain words. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const details = error.details.map((detail) => detail.message).filter((message) => message && message !== error.message);
    const lead = error.code === 'PreconditionFailed' ? 'Someone else changed this meanwhile. Reload and try again.' : error.message;
    return [lead, ...details].join(' ');
  }
  return 'Something went wrong in the page. Reload and try again.';
}

/** A management API resource: id, name and its properties. */
export interface ArmResource<P> {
  readonly id: string;
  readonly name: string;
  readonly properties: P;
}

interface ArmList<T> {
  readonly value: T[];
  readonly nextLink?: string;
}

/** Management calls under the signed-in service (its ARM id comes with the session). */
export class ServiceApi {
  constructor(private readonly serviceResourceId: string) {}

  url(path: string, query: Record<string, string> = {}): string {
    const search = new URLSearchParams({ ...query, 'api-version': API_VERSION });
    return `${this.serviceResourceId}${path}?${search.toString()}`;
  }

  get<T>(path: string, query?: Record<string, string>): Promise<T> {
    return request<T>(this.url(path, query));
  }

  /** Every item of a list, following nextLink. */
  async list<T>(path: string, query?: Record<string, string>): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = this.url(path, query);
    while (next) {
      const page: ArmList<T> = await request<ArmList<T>>(sameOriginPath(next));
      items.push(...page.value);
      next = page.nextLink;
    }
    return items;
  }

  put<T>(path: string, body: unknown, ifMatch = '*'): Promise<T> {
    return request<T>(this.url(path), { method: 'PUT', body, ifMatch });
  }

  patch<T>(path: string, body: unknown, ifMatch = '*'): Promise<T> {
    return request<T>(this.url(path), { method: 'PATCH', body, ifMatch });
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return request<T>(this.url(path), { method: 'POST', ...(body !== undefined ? { body } : {}) });
  }

  delete(path: string, query?: Record<string, string>): Promise<void> {
    return request<void>(this.url(path, query), { method: 'DELETE', ifMatch: '*' });
  }
}

/** nextLink is absolute (the public URL); the page calls its own origin. */
function sameOriginPath(link: string): string {
  const url = new URL(link, window.location.origin);
  return `${url.pathname}${url.search}`;
}
