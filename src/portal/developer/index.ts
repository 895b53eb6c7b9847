/**
 * The developer portal's server side (/developer/api): sign-in and sign-up for APIM users, the
 * data API scoped to the signed-in user, and the Try it relay. docs/portals.md, Developer portal.
 */
import type { FastifyInstance } from 'fastify';
import { readFile } from 'node:fs/promises';
import { Agent, type Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { serviceResourceId, type ManagementContext } from '../../management/index.js';
import { auditRequests } from '../../audit/index.js';
import { registerDeveloperAuth } from './developer-auth.js';
import { registerDeveloperData } from './data-api.js';
import { registerTryIt } from './try-it.js';
import { registerSubscribe } from './subscribe.js';
import type { PortalSessions } from '../portal-sessions.js';
import type { SignInThrottle } from '../sign-in-throttle.js';

export { gatewayTarget } from './try-it.js';
export { describeRelayFailure, type RelayTarget } from './relay-failure.js';
export { DEVELOPER_PORTAL_CLIENT } from './developer-auth.js';

export const DEVELOPER_API_PREFIX = '/developer/api';

/** What main.ts gives the developer portal; the portal foundation (src/portal/index.ts) adds its sessions. */
export interface DeveloperPortalOptions {
  readonly ctx: ManagementContext;
  readonly signUpAllowed: boolean;
  /** This instance's public token endpoint and gateway URLs (read when used: the gateway listens last). */
  readonly tokenUrl: () => string;
  readonly gatewayUrl: () => string;
  /** For the Try it relay (a dispatcher trusting `--tls local`'s CA). */
  readonly dispatcher?: Dispatcher | undefined;
  /** Deadline of one Try it exchange (default 30 s). */
  readonly tryItTimeoutMs?: number;
  readonly logger: Logger;
}

/** Registers the developer API on the management listener's app, under /developer/api. */
export async function registerDeveloperPortal(
  app: FastifyInstance,
  options: DeveloperPortalOptions & { readonly sessions: PortalSessions; readonly throttle: SignInThrottle; readonly secure: boolean },
): Promise<void> {
  await app.register(async (scope) => {
    // Developer writes are audited like the management API's (docs/audit.md): before the routes, whose handlers it wraps.
    auditRequests(scope, {
      audit: options.ctx.store.audit,
      logger: options.logger,
      serviceResourceId: serviceResourceId(options.ctx.instance),
      successRow: 'unless-recorded',
      describe: describeDeveloperWrite,
    });
    const { guard } = registerDeveloperAuth(scope, {
      ctx: options.ctx,
      sessions: options.sessions,
      throttle: options.throttle,
      signUpAllowed: options.signUpAllowed,
      secure: options.secure,
    });
    registerDeveloperData(scope, { ctx: options.ctx, guard, tokenUrl: options.tokenUrl, gatewayUrl: options.gatewayUrl });
    registerSubscribe(scope, { ctx: options.ctx, guard });
    registerTryIt(scope, { ctx: options.ctx, guard, tokenUrl: options.tokenUrl, gatewayUrl: options.gatewayUrl, dispatcher: options.dispatcher, ...(options.tryItTimeoutMs !== undefined ? { timeoutMs: options.tryItTimeoutMs } : {}) });
  }, { prefix: DEVELOPER_API_PREFIX });
}

/**
 * With `--tls local` the relay calls listeners whose certificate the local CA signed: trust it
 * (and only for the relay's requests). Otherwise the default agent and the system's CAs.
 */
export async function relayDispatcher(caCertificateFile: string | undefined): Promise<Dispatcher | undefined> {
  if (caCertificateFile === undefined) return undefined;
  return new Agent({ connect: { ca: await readFile(caCertificateFile, 'utf8') } });
}

/** The management operation each developer write stands for; sign-in, sign-out and Try it change nothing and get no row. */
function describeDeveloperWrite(method: string, route: string, params: Readonly<Record<string, string>>): { operation: string; target: string } | undefined {
  const path = route.slice(DEVELOPER_API_PREFIX.length);
  if (method === 'POST' && path === '/applications/:appId/secrets') return { operation: 'clientApplications.listSecrets', target: `/clientApplications/${params.appId}` };
  // The subscription it makes is recorded by its commit (subscriptions.write); this row says it came from Subscribe, refusals included.
  if (method === 'POST' && path === '/products/:productId/subscriptions') return { operation: 'products.subscribe', target: `/products/${params.productId}` };
  if (method === 'POST' && path === '/subscriptions/:sid/reveal') return { operation: 'subscriptions.listSecrets', target: `/subscriptions/${params.sid}` };
  return undefined;
}
