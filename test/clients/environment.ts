/**
 * The two ways a user runs Portico for real clients, booted for the client tests:
 * - `tls-local`: Portico serves HTTPS itself (`--tls local`); clients trust the CA whose
 *   `export NODE_EXTRA_CA_CERTS=…` / `export REQUESTS_CA_BUNDLE=…` lines Portico printed.
 * - `proxy`: Portico serves plain http behind three TLS-terminating proxies, one per listener, and
 *   advertises the proxies' URLs (PORTICO_PUBLIC_*_URL); clients trust the proxy's CA.
 * Each is seeded like the README's curl flow: Starter with `application-token`, a user and a client
 * application with a secret. Node clients run as child processes (scripts/), because Node reads
 * NODE_EXTRA_CA_CERTS only when a process starts, exactly as a user runs them.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Agent, fetch as undiciFetch } from 'undici';
import { readFile } from 'node:fs/promises';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { makeProxyCertificate, startTlsProxy, type ProxyCertificate, type TlsProxy } from '../helpers/tls-proxy.js';

export type ClientMode = 'tls-local' | 'proxy';
export const CLIENT_MODES: readonly ClientMode[] = ['tls-local', 'proxy'];
export const MODE_TITLES: Readonly<Record<ClientMode, string>> = {
  'tls-local': 'over --tls local',
  proxy: 'behind a TLS-terminating proxy with public URLs',
};

/** The api-version a user of the plain HTTP API picks; the SDK and az choose their own. */
const API_VERSION = '2025-03-01-preview';

export interface ClientEnvironment {
  readonly mode: ClientMode;
  readonly portico: Booted;
  readonly gatewayUrl: string;
  readonly managementUrl: string;
  readonly identityUrl: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly serviceName: string;
  /** The discovery `issuer` of the tenant (also every token's `iss`). */
  readonly issuer: string;
  /** NODE_EXTRA_CA_CERTS for Node clients: the CA the user was told to trust. */
  readonly nodeExtraCaCerts: string;
  /** REQUESTS_CA_BUNDLE for Python (the Azure CLI): the system CAs plus that CA. */
  readonly requestsCaBundle: string;
  readonly admin: { readonly clientId: string; readonly clientSecret: string; readonly scope: string };
  /** A client application registered for Starter (which has `application-token` on). */
  readonly app: { readonly clientId: string; readonly clientSecret: string; readonly audience: string; readonly scope: string };
  /** fetch that trusts the CA above (this test process was not started with it). */
  fetch(url: string, init?: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Headers; json(): Promise<any>; text(): Promise<string> }>;
  /** The management API as the bootstrap admin, on the public URL. */
  manage(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export async function startClientEnvironment(mode: ClientMode): Promise<ClientEnvironment> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    let portico: Booted;
    let nodeExtraCaCerts: string;
    let requestsCaBundle: string;
    if (mode === 'tls-local') {
      const printed: string[] = [];
      portico = await bootPortico({ tls: 'local', printed });
      cleanups.push(() => portico.stop());
      nodeExtraCaCerts = printedExport(printed, 'NODE_EXTRA_CA_CERTS');
      requestsCaBundle = printedExport(printed, 'REQUESTS_CA_BUNDLE');
    } else {
      const certificate: ProxyCertificate = await makeProxyCertificate();
      cleanups.push(() => certificate.drop());
      const proxies: Record<'gateway' | 'management' | 'identity', TlsProxy> = {
        gateway: await startTlsProxy(certificate),
        management: await startTlsProxy(certificate),
        identity: await startTlsProxy(certificate),
      };
      for (const proxy of Object.values(proxies)) cleanups.push(() => proxy.close());
      portico = await bootPortico({ publicUrls: { gateway: proxies.gateway.url, management: proxies.management.url, identity: proxies.identity.url } });
      cleanups.push(() => portico.stop());
      for (const name of ['gateway', 'management', 'identity'] as const) proxies[name].setTarget(portico.running.boundUrls[name]);
      nodeExtraCaCerts = certificate.caPath;
      requestsCaBundle = certificate.bundlePath;
    }

    const agent = new Agent({ connect: { ca: await readFile(nodeExtraCaCerts, 'utf8') } });
    cleanups.push(() => agent.close());
    const trustedFetch: ClientEnvironment['fetch'] = async (url, init = {}) => (await undiciFetch(url, { ...init, dispatcher: agent })) as never;

    const c = portico.credentials;
    const servicePath = `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/Microsoft.ApiManagement/service/${c.serviceName}`;
    const tokenResponse = await trustedFetch(`${c.identityUrl}/${c.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.admin.clientId, client_secret: c.admin.clientSecret, scope: c.managementScope }).toString(),
    });
    if (tokenResponse.status !== 200) throw new Error(`admin token: ${tokenResponse.status} ${await tokenResponse.text()}`);
    const adminToken = ((await tokenResponse.json()) as { access_token: string }).access_token;
    const manage: ClientEnvironment['manage'] = async (method, path, body, headers = {}) => {
      const response = await trustedFetch(`${c.managementUrl}${servicePath}${path}${path.includes('?') ? '&' : '?'}api-version=${API_VERSION}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
    };

    // Every client test calls the gateway with this one application: Starter's 5 calls a minute would
    // refuse some. Limits are test/e2e/product-policies.test.ts's subject; here Starter limits nothing.
    await expectStatus(manage('DELETE', '/products/starter/policies/policy', undefined, { 'if-match': '*' }), 200);
    // The README's seed flow: application-token on Starter, a user, a client application, a secret.
    const starter = await expectStatus(manage('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } }, { 'if-match': '*' }), 200);
    const audience = starter.properties.application.entra.audience as string;
    await expectStatus(manage('PUT', '/users/alice', { properties: { email: 'alice@example.com', firstName: 'Alice', lastName: 'Example' } }), 201);
    const app = await expectStatus(manage('PUT', '/clientApplications/alice-app', { properties: { displayName: 'Alice app', ownerId: '/users/alice', productIds: ['/products/starter'] } }), 201);
    const secret = await expectStatus(manage('POST', '/clientApplications/alice-app/listSecrets'), 200);

    return {
      mode,
      portico,
      gatewayUrl: c.gatewayUrl,
      managementUrl: c.managementUrl,
      identityUrl: c.identityUrl,
      tenantId: c.tenantId,
      subscriptionId: c.subscriptionId,
      resourceGroup: c.resourceGroup,
      serviceName: c.serviceName,
      issuer: `${c.identityUrl}/${c.tenantId}/v2.0`,
      nodeExtraCaCerts,
      requestsCaBundle,
      admin: { clientId: c.admin.clientId, clientSecret: c.admin.clientSecret, scope: c.managementScope },
      app: { clientId: app.properties.entraApplicationId, clientSecret: secret.entra.clientSecret, audience, scope: `api://${audience}/.default` },
      fetch: trustedFetch,
      manage,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function expectStatus(call: Promise<{ status: number; body: any }>, status: number): Promise<any> {
  const response = await call;
  if (response.status !== status) throw new Error(`seeding: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** The value of a printed `export NAME=value` line (a single-quoted shell word unquoted). */
function printedExport(printed: readonly string[], name: string): string {
  const line = printed.map((l) => l.trim()).find((l) => l.startsWith(`export ${name}=`));
  if (line === undefined) throw new Error(`Portico did not print export ${name}=…; it printed:\n${printed.join('\n')}`);
  const value = line.slice(`export ${name}=`.length);
  return value.startsWith("'") ? value.slice(1, -1).replace(/'\\''/g, "'") : value;
}

const SCRIPTS_DIR = fileURLToPath(new URL('./scripts/', import.meta.url));

export interface ScriptResult {
  readonly output: any;
  readonly stderr: string;
}

/**
 * Runs `node scripts/<name>` as a user would: NODE_EXTRA_CA_CERTS set at start, settings in the
 * environment. The script prints one JSON document; a script that fails prints its error as JSON.
 */
export async function runClientScript(environment: ClientEnvironment, name: string, settings: Record<string, string>): Promise<ScriptResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_EXTRA_CA_CERTS: environment.nodeExtraCaCerts,
    ...settings,
  };
  return await new Promise((resolve, reject) => {
    execFile(process.execPath, [`${SCRIPTS_DIR}${name}`], { env, cwd: SCRIPTS_DIR, timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      let output: unknown;
      try {
        output = JSON.parse(stdout);
      } catch {
        reject(new Error(`${name} printed no JSON (${error?.message ?? 'exit 0'}):\n${stdout}\n${stderr}`));
        return;
      }
      resolve({ output, stderr });
    });
  });
}

/** The settings every script reads (the names docs/clients.md uses too). */
export function commonSettings(environment: ClientEnvironment): Record<string, string> {
  return {
    PORTICO_IDENTITY_URL: environment.identityUrl,
    PORTICO_GATEWAY_URL: environment.gatewayUrl,
    PORTICO_MANAGEMENT_URL: environment.managementUrl,
    TENANT_ID: environment.tenantId,
  };
}
