/**
 * The identity provider on a real store and real HTTP (port 0), with helpers that set up
 * directory objects the way an administrator would. One harness per test file.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config/index.js';
import { InProcessChangeFeed, SecretBox, newGuid, type ChangeFeed } from '../../src/shared/index.js';
import { announceTestWrite } from '../helpers/change-events.js';
import { openStore } from '../../src/store/index.js';
import { feedWithinBound } from '../../src/nodes/index.js';
import type { Store } from '../../src/store/store.js';
import {
  GRAPH_APP_ID,
  GRAPH_RESOURCE_URIS,
  ROLE_IDS,
  createIdentity,
  type Identity,
} from '../../src/identity/index.js';
import type { ApplicationRecord, ServicePrincipalRecord } from '../../src/identity/directory/directory-store.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from '../helpers/databases.js';

export interface TestClient {
  readonly app: ApplicationRecord;
  readonly sp: ServicePrincipalRecord;
  readonly secret: string;
  readonly keyId: string;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
  readonly text: string;
}

export class IdentityHarness {
  private constructor(
    /** Every log line written so far (JSON text), for "no secret in the log" checks. */
    readonly logLines: string[],
    readonly store: Store,
    readonly feed: ChangeFeed,
    readonly identity: Identity,
    readonly tenantId: string,
    readonly url: string,
    private readonly database: TestDatabase,
  ) {}

  static async start(dialect: TestDialect, options: { tokenLifetimeSeconds?: number } = {}): Promise<IdentityHarness> {
    const database = await createTestDatabase(dialect);
    const store = await openStore({ dataDir: database.dataDir, databaseUrl: database.databaseUrl });
    const feed = new InProcessChangeFeed();
    const logLines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(...String(chunk).split('\n').filter((line) => line !== ''));
        done();
      },
    });
    const tenantId = newGuid();
    let base = '';
    const config = loadConfig({}, { dataDir: database.dataDir, tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599 });
    const identity = await createIdentity({
      config, store, feed, tenantId,
      feedCurrent: () => feedWithinBound(feed, config.maxFeedLagMs),
      logger: pino({ level: 'debug' }, sink),
      secretBox: new SecretBox(randomBytes(32)),
      baseUrl: () => base,
    });
    base = await identity.app.listen({ port: 0, host: '127.0.0.1' });
    const harness = new IdentityHarness(logLines, store, feed, identity, tenantId, base, database);
    await harness.ensureGraph();
    return harness;
  }

  async stop(): Promise<void> {
    await this.identity.close();
    await this.store.close().catch(() => undefined); // a test may have closed it already
    await this.database.drop();
  }

  /**
   * After a test writes the store directly (to make states the API cannot, e.g. an expired secret),
   * announces it as every directory write does, so the token endpoint's in-memory view follows.
   */
  async announceDirectoryWrite(id = 'written-by-test'): Promise<void> {
    await announceTestWrite(this, { type: 'directory.changed', changedObjectIds: [id] });
  }

  get system() {
    return this.identity.directory.system;
  }

  /** An app + service principal + one secret, optionally holding directory roles. */
  async createClient(displayName = `client-${newGuid().slice(0, 8)}`, options: { directoryRoles?: string[] } = {}): Promise<TestClient> {
    const app = await this.system.createApplication({ displayName });
    const sp = await this.system.createServicePrincipal({ appId: app.appId });
    const { secretText, keyId } = await this.system.addPassword(app.id);
    for (const roleDefinitionId of options.directoryRoles ?? []) {
      await this.system.assignDirectoryRole({ principalId: sp.id, roleDefinitionId });
    }
    return { app, sp, secret: secretText, keyId };
  }

  /** A resource API with app roles; its service principal may require assignment. */
  async createResource(options: { identifierUris?: string[]; roles?: string[]; assignmentRequired?: boolean; displayName?: string } = {}) {
    const app = await this.system.createApplication({
      displayName: options.displayName ?? `api-${newGuid().slice(0, 8)}`,
      ...(options.identifierUris ? { identifierUris: options.identifierUris } : {}),
      appRoles: (options.roles ?? []).map((value) => ({ value, displayName: value, description: `Role ${value}` })),
    });
    const sp = await this.system.createServicePrincipal({ appId: app.appId, appRoleAssignmentRequired: options.assignmentRequired ?? false });
    return { app, sp };
  }

  roleId(app: ApplicationRecord, value: string): string {
    const role = app.appRoles.find((r) => r.value === value);
    if (!role) throw new Error(`no role ${value}`);
    return role.id;
  }

  tokenUrl(tenant = this.tenantId): string {
    return `${this.url}/${tenant}/oauth2/v2.0/token`;
  }

  /** POSTs a form (given as pairs, so repeats are possible) to the token endpoint. */
  async postToken(form: Record<string, string> | [string, string][], init: { headers?: Record<string, string>; tenant?: string; query?: string } = {}): Promise<HttpResult> {
    const pairs = Array.isArray(form) ? form : Object.entries(form);
    const body = new URLSearchParams(pairs).toString();
    return this.fetch(`${this.tokenUrl(init.tenant)}${init.query ?? ''}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...init.headers },
      body,
    });
  }

  async token(client: TestClient, scope: string): Promise<string> {
    const result = await this.postToken({ grant_type: 'client_credentials', client_id: client.app.appId, client_secret: client.secret, scope });
    if (result.status !== 200) throw new Error(`token request failed: ${result.status} ${result.text}`);
    return result.body.access_token as string;
  }

  /** A client holding the given directory roles, and a Graph token for it. */
  async graphCaller(directoryRoles: string[] = [ROLE_IDS.applicationAdministrator]): Promise<{ client: TestClient; token: string }> {
    const client = await this.createClient(undefined, { directoryRoles });
    return { client, token: await this.token(client, `${GRAPH_RESOURCE_URIS[0]}/.default`) };
  }

  async graph(method: string, path: string, token: string | undefined, body?: unknown): Promise<HttpResult> {
    return this.fetch(`${this.url}/v1.0${path}`, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async fetch(url: string, init: RequestInit = {}): Promise<HttpResult> {
    const response = await fetch(url, init);
    const text = await response.text();
    let body: any;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, body, text };
  }

  private async ensureGraph(): Promise<void> {
    if (await this.system.getApplicationByAppId(GRAPH_APP_ID)) return;
    await this.system.createApplication({ appId: GRAPH_APP_ID, displayName: 'Microsoft Graph', identifierUris: [...GRAPH_RESOURCE_URIS] });
    await this.system.createServicePrincipal({ appId: GRAPH_APP_ID });
  }
}

/** The parts of an Entra error body every test checks. */
export function expectEntraError(result: HttpResult, status: number, error: string, code: number, descriptionStart?: string): void {
  const body = result.body;
  if (result.status !== status || body?.error !== error || JSON.stringify(body?.error_codes) !== JSON.stringify([code])) {
    throw new Error(`expected ${status} ${error} AADSTS${code}, got ${result.status} ${result.text}`);
  }
  const prefix = `AADSTS${code}: ${descriptionStart ?? ''}`;
  if (!String(body.error_description).startsWith(prefix)) {
    throw new Error(`error_description does not start with "${prefix}": ${body.error_description}`);
  }
}
