import { readFileSync } from 'node:fs';
import { CliError } from './cli-error.js';
import type { Settings } from './global-options.js';
import { asRecord, listAll, request, send, trustCertificateAuthority, type HttpResponse, type SendOptions } from './http.js';
import { Output, type Io } from './output.js';
import { confirm, nonInteractive, type Prompter } from './confirm.js';
import { portico } from './invocation.js';
import { withNotFoundHint } from './not-found.js';
import type { CredentialsFile } from '../bootstrap/credentials-file.js';

/** The resource the admin client asks for to call the Graph-shaped directory API. */
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/** What `<data dir>/credentials.json` holds: the server's own definition of the file. */
export type Credentials = CredentialsFile;

/** Checks the file's shape; a field that is missing only matters once a command needs it. */
export function parseCredentials(text: string, path: string): Partial<Credentials> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`error: ${path} is not valid JSON. It is written by \`${portico('start')}\`; start Portico again or pass --credentials <file>.`);
  }
  const record = asRecord(parsed);
  if (record === undefined) throw new CliError(`error: ${path} does not hold a JSON object.`);
  const strings = ['tenantId', 'subscriptionId', 'resourceGroup', 'serviceName', 'gatewayUrl', 'managementUrl', 'identityUrl', 'caCertificate', 'managementScope'] as const;
  const result: Partial<Credentials> = {};
  for (const key of strings) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') result[key] = value;
  }
  const admin = asRecord(record.admin);
  if (typeof admin?.clientId === 'string' && typeof admin.clientSecret === 'string') {
    result.admin = { clientId: admin.clientId, clientSecret: admin.clientSecret };
  }
  return result;
}

export interface TokenResponse {
  access_token: string;
  token_type?: string;
  expires_in?: number;
  [key: string]: unknown;
}

/** The client credentials grant, sent exactly as the seed page's script sends it (form POST). */
export async function fetchToken(identityUrl: string, tenantId: string, clientId: string, clientSecret: string, scope: string): Promise<TokenResponse> {
  const url = `${trimSlash(identityUrl)}/${seg(tenantId)}/oauth2/v2.0/token`;
  const { body } = await request(url, {
    method: 'POST',
    form: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope },
  });
  const token = asRecord(body);
  if (typeof token?.access_token !== 'string') throw new CliError(`error: the token endpoint ${url} answered without an access_token.`);
  return token as TokenResponse;
}

/** `--tls local`: the CLI trusts the CA that credentials.json names, as a client given NODE_EXTRA_CA_CERTS would. */
function trustCaFile(path: string, credentialsPath: string): void {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`error: cannot read the CA certificate ${path} named in ${credentialsPath} (caCertificate): ${(error as Error).message}`);
  }
  trustCertificateAuthority(pem);
}

/** A path segment, encoded so an id can never change the URL's shape. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

export interface ArmResource {
  id?: string;
  type?: string;
  name?: string;
  properties?: Record<string, unknown>;
}

/** Options, endpoints, credentials and the admin token cache for one command run. */
export class CliContext {
  readonly out: Output;
  private file: Partial<Credentials> | undefined;
  private readonly tokens = new Map<string, Promise<string>>();

  constructor(
    readonly settings: Settings,
    io: Io,
    private readonly prompter: Prompter = nonInteractive,
  ) {
    this.out = new Output(settings.output, io);
  }

  /** Asks before a destructive or access-cutting change; `options.yes` is the command's --yes. */
  confirm(what: string, options: Record<string, unknown>): Promise<void> {
    return confirm(this.prompter, what, options.yes === true);
  }

  get managementUrl(): string {
    return this.settings.managementUrl ?? trimSlash(this.need('managementUrl'));
  }

  get identityUrl(): string {
    return this.settings.identityUrl ?? trimSlash(this.need('identityUrl'));
  }

  get tenantId(): string {
    return this.settings.tenantId ?? this.need('tenantId');
  }

  get gatewayUrl(): string {
    return trimSlash(this.need('gatewayUrl'));
  }

  /** `/subscriptions/…/providers/Microsoft.ApiManagement/service/{name}`: the service's ARM id. */
  get serviceId(): string {
    return (
      `/subscriptions/${seg(this.need('subscriptionId'))}/resourceGroups/${seg(this.need('resourceGroup'))}` +
      `/providers/Microsoft.ApiManagement/service/${seg(this.need('serviceName'))}`
    );
  }

  /** An admin access token for `scope`, fetched once per run. */
  adminToken(scope: string): Promise<string> {
    let token = this.tokens.get(scope);
    if (token === undefined) {
      const clientId = this.settings.clientId ?? this.credentials().admin?.clientId;
      const clientSecret = this.settings.clientSecret ?? this.credentials().admin?.clientSecret;
      if (clientId === undefined || clientSecret === undefined) throw this.missing('admin.clientId and admin.clientSecret');
      token = fetchToken(this.identityUrl, this.tenantId, clientId, clientSecret, scope).then(
        (response) => response.access_token,
        (error: unknown) => {
          if (!(error instanceof CliError) || error.code === undefined) throw error;
          const from = `--admin-client-id/--admin-client-secret, PORTICO_CLIENT_ID/PORTICO_CLIENT_SECRET or ${this.settings.credentialsPath}`;
          throw new CliError(`${error.message}\n(signing in as the admin client ${clientId}, taken from ${from})`, 1, error.code);
        },
      );
      this.tokens.set(scope, token);
    }
    return token;
  }

  /** The admin's token for the management API (to follow absolute nextLinks page by page). */
  managementToken(): Promise<string> {
    return this.adminToken(this.need('managementScope'));
  }

  /** `{svc}{path}?api-version=…` */
  armUrl(path: string): string {
    return withQuery(`${this.managementUrl}${this.serviceId}${path}`, { 'api-version': this.settings.apiVersion });
  }

  async arm(method: string, path: string, options: Omit<SendOptions, 'method' | 'bearer'> = {}): Promise<HttpResponse> {
    const bearer = await this.adminToken(this.need('managementScope'));
    const headers = method === 'PATCH' || method === 'DELETE' ? { 'if-match': '*', ...options.headers } : options.headers;
    try {
      return await request(this.armUrl(path), { ...options, headers, method, bearer });
    } catch (error) {
      throw withNotFoundHint(error, path);
    }
  }

  /** Like arm, but every answer is returned, error or not: the caller reads error bodies itself. */
  async armSend(method: string, path: string, options: Omit<SendOptions, 'method' | 'bearer'> = {}): Promise<HttpResponse> {
    const bearer = await this.adminToken(this.need('managementScope'));
    return send(this.armUrl(path), { ...options, method, bearer });
  }

  /** The resource, or undefined when the server answers ResourceNotFound. */
  async armFind(path: string): Promise<ArmResource | undefined> {
    try {
      return await this.armGet(path);
    } catch (error) {
      if (error instanceof CliError && error.code === 'ResourceNotFound') return undefined;
      throw error;
    }
  }

  async armGet(path: string): Promise<ArmResource> {
    return asRecord((await this.arm('GET', path)).body) ?? {};
  }

  async armList(path: string): Promise<ArmResource[]> {
    const bearer = await this.adminToken(this.need('managementScope'));
    const apiVersion = this.settings.apiVersion;
    // A nextLink should carry api-version already; add it when a server forgets.
    const fix = (link: string): string => (new URL(link).searchParams.has('api-version') ? link : withQuery(link, { 'api-version': apiVersion }));
    try {
      return (await listAll(this.armUrl(path), { bearer }, fix)).map((item) => asRecord(item) ?? {});
    } catch (error) {
      throw withNotFoundHint(error, path);
    }
  }

  /** `{identityUrl}/v1.0{path}` with the Graph token. */
  async graph(method: string, path: string, options: Omit<SendOptions, 'method' | 'bearer'> = {}): Promise<HttpResponse> {
    return request(`${this.identityUrl}/v1.0${path}`, { ...options, method, bearer: await this.adminToken(GRAPH_SCOPE) });
  }

  async graphList(path: string, query: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
    const items = await listAll(withQuery(`${this.identityUrl}/v1.0${path}`, query), { bearer: await this.adminToken(GRAPH_SCOPE) });
    return items.map((item) => asRecord(item) ?? {});
  }

  private credentials(): Partial<Credentials> {
    if (this.file === undefined) {
      let text: string | undefined;
      try {
        text = readFileSync(this.settings.credentialsPath, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw new CliError(`error: cannot read ${this.settings.credentialsPath}: ${(error as Error).message}`);
        }
      }
      this.file = text === undefined ? {} : parseCredentials(text, this.settings.credentialsPath);
      if (this.file.caCertificate !== undefined) trustCaFile(this.file.caCertificate, this.settings.credentialsPath);
    }
    return this.file;
  }

  private need<K extends Exclude<keyof Credentials, 'admin' | 'adminUser'>>(key: K): string {
    const value = this.credentials()[key];
    if (value === undefined) throw this.missing(key);
    return value;
  }

  private missing(what: string): CliError {
    const path = this.settings.credentialsPath;
    const exists = this.file !== undefined && Object.keys(this.file).length > 0;
    return new CliError(
      exists
        ? `error: ${path} has no ${what}. It is written by \`${portico('start')}\`; start Portico again or pass --credentials <file>.`
        : `error: no Portico credentials found at ${path}. Start Portico first (\`${portico('start')}\`), or pass --credentials <file> (or set PORTICO_CREDENTIALS / PORTICO_DATA_DIR).`,
    );
  }
}

/** Appends query parameters with %20 for spaces (some servers do not read `+` in a $filter). */
export function withQuery(url: string, query: Record<string, string>): string {
  const entries = Object.entries(query);
  if (entries.length === 0) return url;
  const encoded = entries.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
  return `${url}${url.includes('?') ? '&' : '?'}${encoded}`;
}

/** The last segment of an ARM id or `/users/{id}` reference. */
export function lastSegment(id: unknown): string {
  if (typeof id !== 'string') return '';
  const parts = id.split('/').filter((part) => part !== '');
  return decodeURIComponentSafe(parts[parts.length - 1] ?? '');
}

export function props(resource: ArmResource): Record<string, unknown> {
  return resource.properties ?? {};
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
