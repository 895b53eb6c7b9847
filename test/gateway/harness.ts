import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { pino, type Logger } from 'pino';
import { Agent, request } from 'undici';
import { loadConfig } from '../../src/config/index.js';
import { createEchoServer, createGateway, type Gateway } from '../../src/gateway/index.js';
import type { ApplicationRecord } from '../../src/identity/directory/directory-store.js';
import type {
  ApiRecord,
  ClientApplicationRecord,
  OperationRecord,
  ProductRecord,
  SubscriptionRecord,
  UserRecord,
} from '../../src/management/management-store.js';
import { sha256 } from '../../src/shared/crypto.js';
import { InProcessChangeFeed, type ChangeFeed } from '../../src/shared/change-feed.js';
import { openStore, type OpenStoreOptions } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import type { RevokedApplication } from '../../src/gateway/index.js';

export const TENANT_ID = '11111111-1111-1111-1111-111111111111';
export const ISSUER = `https://login.portico.test/${TENANT_ID}/v2.0`;
const NOW = '2026-01-01T00:00:00.000Z';

/** A real store in a temp dir, a real echo backend, a real gateway, all on free ports. */
export interface Harness {
  readonly store: Store;
  readonly feed: ChangeFeed;
  readonly gateway: Gateway;
  readonly gatewayUrl: string;
  readonly echoUrl: string;
  readonly logLines: Record<string, unknown>[];
  readonly signingKey: TestSigningKey;
  readonly agent: Agent;
  /** What the gateway reported as refusals of revoked applications (main sends these to the audit log). */
  readonly revoked: RevokedApplication[];
  call(method: string, path: string, headers?: Record<string, string>, body?: string): Promise<HttpResult>;
  close(): Promise<void>;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json(): any;
}

export interface TestSigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
}

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Opens the harness; `seed` writes records straight into the store before the gateway loads. */
export async function openHarness(
  options: { backendTimeoutMs?: number; seed?: (store: Store, echoUrl: string) => Promise<void>; onQuery?: OpenStoreOptions['onQuery'] } = {},
): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'portico-gw-'));
  const store = await openStore({ dataDir, ...(options.onQuery ? { onQuery: options.onQuery } : {}) });
  const logLines: Record<string, unknown>[] = [];
  const logger: Logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logLines.push(JSON.parse(line));
        done();
      },
    }),
  );
  const echo = createEchoServer(logger);
  const echoUrl = await listen(echo);
  const signingKey = await insertSigningKey(store, 'key-1');
  await options.seed?.(store, echoUrl);

  const config = loadConfig({}, { dataDir, backendTimeoutMs: options.backendTimeoutMs ?? 5_000 });
  const feed = new InProcessChangeFeed();
  let gatewayUrl = '';
  const revoked: RevokedApplication[] = [];
  const gateway = await createGateway({ config, store, feed, logger, issuer: ISSUER, publicUrl: () => gatewayUrl, onRevoked: (r) => revoked.push(r) });
  gatewayUrl = await listen(gateway.server);
  const agent = new Agent();

  return {
    store,
    feed,
    gateway,
    gatewayUrl,
    echoUrl,
    logLines,
    signingKey,
    agent,
    revoked,
    async call(method, path, headers = {}, body) {
      const res = await request(`${gatewayUrl}${path}`, { method: method as 'GET', headers, body, dispatcher: agent });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
    },
    async close() {
      await agent.close();
      await gateway.close();
      await closeServer(gateway.server);
      await closeServer(echo);
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Stands in for the identity provider's key store: a fresh RSA key whose public JWK is stored. */
export async function insertSigningKey(store: Store, kid: string): Promise<TestSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  await store.directory.insertSigningKey({
    kid,
    privateKeyEncrypted: 'not-used-by-the-gateway',
    publicJwk: JSON.stringify({ ...publicJwk, kid, use: 'sig', alg: 'RS256' }),
    createdAt: NOW,
    activatesAt: NOW,
    retiresAt: null,
    certificate: null,
  });
  return { kid, privateKey };
}

/** An Entra v2 app-only access token; `claims` override the defaults, `undefined` removes one. */
export async function signToken(key: TestSigningKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { iss: ISSUER, tid: TENANT_ID, iat: now, nbf: now, exp: now + 3600, ver: '2.0', idtyp: 'app', ...claims };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload as JWTPayload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid, ...header }).sign(key.privateKey);
}

// ---- records ---------------------------------------------------------------------------------

export function user(id: string, state: UserRecord['state'] = 'active'): UserRecord {
  return { id, email: `${id}@example.test`, firstName: id, lastName: 'Test', state, note: null, passwordHash: null, registrationDate: NOW };
}

/**
 * A product's backend application in the directory, holding the one enabled app role the gateway
 * requires in tokens (the management plane creates it when application-token is turned on).
 */
export function backendApp(appId: string, roleValue: string, isEnabled = true): ApplicationRecord {
  return {
    id: `${appId}-object`,
    appId,
    displayName: `APIMProductApplication ${appId}`,
    description: null,
    identifierUris: [],
    appRoles: [{ id: `${appId}-role`, value: roleValue, displayName: roleValue, description: roleValue, allowedMemberTypes: ['Application'], isEnabled }],
    requiredResourceAccess: [],
    requestedAccessTokenVersion: 2,
    createdDateTime: NOW,
  };
}

export function product(id: string, displayName: string, fields: Partial<ProductRecord> = {}): ProductRecord {
  return {
    id,
    displayName,
    description: null,
    terms: null,
    subscriptionRequired: true,
    approvalRequired: false,
    subscriptionsLimit: null,
    state: 'published',
    authenticationType: [],
    entraApplicationId: null,
    entraAudience: null,
    ...fields,
  };
}

export function api(id: string, path: string, serviceUrl: string | null, fields: Partial<ApiRecord> = {}): ApiRecord {
  return {
    id,
    displayName: id,
    description: null,
    path,
    serviceUrl,
    protocols: ['http', 'https'],
    subscriptionRequired: true,
    subscriptionKeyHeaderName: 'Ocp-Apim-Subscription-Key',
    subscriptionKeyQueryName: 'subscription-key',
    apiRevision: '1',
    isCurrent: true,
    ...fields,
  };
}

export function operation(apiId: string, id: string, method: string, urlTemplate: string): OperationRecord {
  return { apiId, id, displayName: id, method, urlTemplate, description: null, templateParameters: [], request: null, responses: [] };
}

/** A subscription whose keys are `${id}-primary` and `${id}-secondary`. */
export function subscription(id: string, scope: string, fields: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return {
    id,
    displayName: id,
    ownerId: null,
    scope,
    state: 'active',
    primaryKeyHash: sha256(`${id}-primary`),
    secondaryKeyHash: sha256(`${id}-secondary`),
    primaryKeyEncrypted: 'x',
    secondaryKeyEncrypted: 'x',
    allowTracing: false,
    stateComment: null,
    createdDate: NOW,
    ...fields,
  };
}

export function clientApp(id: string, entraApplicationId: string, ownerId: string, fields: Partial<ClientApplicationRecord> = {}): ClientApplicationRecord {
  return {
    id,
    displayName: id,
    description: null,
    ownerId,
    state: 'active',
    entraApplicationId,
    entraObjectId: `${id}-object`,
    entraServicePrincipalId: `${id}-sp`,
    createdDate: NOW,
    ...fields,
  };
}

/** A server that accepts connections and never answers, for timeout tests. */
export function silentServer(): Server {
  return createServer(() => undefined);
}

/** Sends bytes as they are (no URL normalisation, unlike HTTP clients) and reads until close. */
export async function rawRequest(baseUrl: string, raw: string): Promise<{ statusLine: string; body: string }> {
  const { port } = new URL(baseUrl);
  const socket = connect(Number(port), '127.0.0.1');
  socket.write(raw);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  return { statusLine: text.slice(0, text.indexOf('\r\n')), body: split === -1 ? '' : text.slice(split + 4) };
}
