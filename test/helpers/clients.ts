/** Small HTTP helpers for tests: the token endpoint and the management API, as a caller sees them. */
import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import type { CredentialsFile } from '../../src/bootstrap/credentials-file.js';

export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

/** fetch that also trusts `caPem` (a test CA): vitest's workers start without NODE_EXTRA_CA_CERTS. */
export function fetchTrusting(caPem: string): Fetch {
  const dispatcher = new Agent({ connect: { ca: [...rootCertificates, caPem] } });
  return (url, init) => undiciFetch(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
}

export const API_VERSION = '2025-03-01-preview';

export interface TokenResult {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** A form-encoded POST exactly like the seed page's script. */
export async function requestToken(identityUrl: string, tenantId: string, form: Record<string, string>, headers: Record<string, string> = {}, fetcher: Fetch = fetch): Promise<TokenResult> {
  const response = await fetcher(`${identityUrl}/${tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function clientCredentialsToken(identityUrl: string, tenantId: string, clientId: string, clientSecret: string, scope: string, fetcher: Fetch = fetch): Promise<string> {
  const result = await requestToken(identityUrl, tenantId, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope }, {}, fetcher);
  if (result.status !== 200) throw new Error(`token request failed: ${result.status} ${JSON.stringify(result.body)}`);
  return result.body.access_token as string;
}

export interface ArmResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

/** Calls `{managementUrl}{service path}{path}?api-version=…` as the bootstrap admin (or with a given token). */
export class ManagementClient {
  private token: string | undefined;

  constructor(private readonly credentials: CredentialsFile, token?: string, private readonly fetcher: Fetch = fetch) {
    this.token = token;
  }

  get servicePath(): string {
    const c = this.credentials;
    return `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/Microsoft.ApiManagement/service/${c.serviceName}`;
  }

  async bearer(): Promise<string> {
    this.token ??= await clientCredentialsToken(this.credentials.identityUrl, this.credentials.tenantId, this.credentials.admin.clientId, this.credentials.admin.clientSecret, this.credentials.managementScope, this.fetcher);
    return this.token;
  }

  /** PATCH and DELETE send `If-Match: *` unless the caller gives one (as Azure SDKs do); `{'if-match': undefined}` sends none. */
  async call(method: string, path: string, body?: unknown, headers: Record<string, string | undefined> = {}): Promise<ArmResponse> {
    const sent: Record<string, string> = method === 'PATCH' || method === 'DELETE' ? { 'if-match': '*' } : {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) delete sent[name];
      else sent[name] = value;
    }
    const url = `${this.credentials.managementUrl}${this.servicePath}${path}${path.includes('?') ? '&' : '?'}api-version=${API_VERSION}`;
    const response = await this.fetcher(url, {
      method,
      headers: { authorization: `Bearer ${await this.bearer()}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...sent },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
  }
}
