import { createServer, type Server } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerFactoryHandler } from 'fastify';
import type { Logger } from 'pino';
import type { PorticoConfig } from '../config/index.js';
import { AppError } from '../errors/index.js';
import type { ChangeFeed, SecretBox } from '../shared/index.js';
import type { Store } from '../store/store.js';
import { DirectoryService } from './directory/directory-service.js';
import { registerGraphRoutes } from './graph/graph-routes.js';
import { PathOnlyLogController, REQUEST_ID_OPTIONS, returnRequestId } from '../shared/request-log.js';
import { IdentityUrls } from './identity-urls.js';
import { registerDiscoveryRoutes } from './keys/discovery-routes.js';
import { registerErrorPage } from './http/error-page.js';
import { RotationSchedule } from './keys/rotation-schedule.js';
import { rotationPolicy } from './keys/rotation-policy.js';
import { registerSigningKeyRoutes } from './keys/signing-key-routes.js';
import { SigningKeys } from './keys/signing-keys.js';
import { AccessTokenVerifier } from './token/access-token-verifier.js';
import { InMemoryReplayCache } from './token/client-auth/replay-cache.js';
import { IncrementalTokenView } from './token/token-view.js';
import { createTokenHttpHandler } from './token/token-http.js';
import { createClientThrottle } from './token/client-auth/client-throttle.js';

export interface IdentityDeps {
  readonly config: PorticoConfig;
  readonly store: Store;
  readonly feed: ChangeFeed;
  /**
   * Whether the feed is within PORTICO_MAX_FEED_LAG_MS (main.ts's feedCurrent, which the gateway
   * uses too). While it is not, the token endpoint refuses (503): its in-memory directory may miss
   * another node's deletion of an application or a secret. Discovery and JWKS keep answering.
   */
  readonly feedCurrent: () => boolean;
  /** Used as is (give it a child with `listener: 'identity'`); never sees secrets. */
  readonly logger: Logger;
  /** Seals signing keys at rest. */
  readonly secretBox: SecretBox;
  readonly tenantId: string;
  /**
   * Public base URL of the identity listener, e.g. `https://localhost:8082`; a function when it
   * is only known after listen (port 0). Issuer, discovery and JWKS URLs derive from it.
   */
  readonly baseUrl: string | (() => string);
  /** Clock, replaceable in tests. */
  readonly now?: () => Date;
  /** An http(s).Server to attach to (it may already listen); without it Fastify makes its own. */
  readonly server?: Server;
  /** Metrics hook: called once per token endpoint answer with `issued` or the OAuth error code. */
  readonly onTokenOutcome?: (outcome: string) => void;
  /**
   * false: the automatic key rotation waits for `keyRotation.start()` — the node that leads the
   * `signing-keys` job starts it (store/leader-election.ts). Default true.
   */
  readonly startKeyRotation?: boolean;
}

/** The identity provider: its directory, keys, verifier and the identity listener's Fastify app. */
export interface Identity {
  readonly directory: DirectoryService;
  readonly keys: SigningKeys;
  /** The automatic key rotation (config.signingKeyRotationDays); running until close(). */
  readonly keyRotation: RotationSchedule;
  /** Also used by the management API to check its callers' tokens. */
  readonly verifier: AccessTokenVerifier;
  readonly urls: IdentityUrls;
  /**
   * Ready; attached to `deps.server` when one was given, otherwise call `app.listen`. The token
   * endpoint is answered on the server before Fastify, so `inject` does not reach it.
   */
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * Builds the directory, the signing keys (creating the first key if none is active), the token
 * verifier and the HTTP app serving the token endpoint, discovery, JWKS and the Graph-shaped API.
 */
export async function createIdentity(deps: IdentityDeps): Promise<Identity> {
  const now = deps.now ?? (() => new Date());
  const urls = new IdentityUrls(deps.baseUrl, deps.tenantId);
  const directory = new DirectoryService({ store: deps.store, feed: deps.feed, secretValidityDays: deps.config.secretValidityDays, now });
  const policy = rotationPolicy({ rotationDays: deps.config.signingKeyRotationDays, tokenLifetimeSeconds: deps.config.tokenLifetimeSeconds });
  const keys = new SigningKeys({ store: deps.store, secretBox: deps.secretBox, issuer: () => urls.issuer(), now, feed: deps.feed, policy });
  const verifier = new AccessTokenVerifier({ keys, issuer: () => urls.issuer(), tenantId: urls.tenantId, now });
  // The token endpoint reads the directory from memory; each write's event is applied to that view
  // (re-reading only the rows it names) before the write answers.
  const tokenView = new IncrementalTokenView(deps.store, { logger: deps.logger });
  let lastVersion = deps.feed.currentVersion;
  const unsubscribe = deps.feed.subscribe((event) => {
    // A version gap (a node that missed events: docs/events.md) may hide a signing-key change too.
    if (event.type.startsWith('signingKey.') || event.version > lastVersion + 1) keys.invalidate();
    lastVersion = Math.max(lastVersion, event.version);
    return tokenView.changed(event);
  });
  await keys.ensureCurrentKey();
  await tokenView.current(); // the one full load, at start

  // The token endpoint is served on node:http in front of Fastify (token/token-http.ts); the rest goes to Fastify.
  const serveToken = createTokenHttpHandler({
    keys, urls, view: tokenView, viewCurrent: deps.feedCurrent, tokenLifetimeSeconds: deps.config.tokenLifetimeSeconds, now, throttle: createClientThrottle(),
    assertionReplay: new InMemoryReplayCache(),
  }, { logger: deps.logger as FastifyBaseLogger, bodyLimit: deps.config.bodyLimitBytes, onOutcome: deps.onTokenOutcome });
  const server = deps.server ?? createServer();
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.bodyLimitBytes,
    // x-request-id in (when sane, else a new GUID) and out, `reqId` in the log; doubles as Entra's trace_id and Graph's request-id.
    ...REQUEST_ID_OPTIONS,
    logController: new PathOnlyLogController(),
    // The Azure CLI builds URLs by concatenation and may double a slash.
    routerOptions: { ignoreDuplicateSlashes: true },
    serverFactory: (handler: FastifyServerFactoryHandler) => server.on('request', (req, res) => {
      if (!serveToken(req, res)) handler(req, res);
    }),
  }) as unknown as FastifyInstance;
  returnRequestId(app);
  // Graph-shaped writes answer with the config version this node had applied, as management writes do (docs/operations.md).
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') void reply.header('x-portico-config-version', String(deps.feed.currentVersion));
    return payload;
  });
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof AppError && error.expose) return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
    request.log.error({ err: error }, 'identity request failed');
    return reply.code(500).send({ error: { code: 'InternalServerError', message: 'An unexpected error occurred. The server log has the details.' } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'NotFound', message: `No route matches ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 256)}.` } }));

  await app.register(async (scope) => registerDiscoveryRoutes(scope, { urls, keys, now }));
  await app.register(async (scope) => registerErrorPage(scope));
  await app.register(async (scope) => {
    await registerGraphRoutes(scope, { directory, verifier, urls, now, audit: deps.store.audit, logger: deps.logger });
    registerSigningKeyRoutes(scope, { keys, directory }); // a Portico extension under the Graph-shaped auth
  }, { prefix: '/v1.0' });
  await app.ready();
  const keyRotation = new RotationSchedule(keys, deps.logger, now);
  if (deps.startKeyRotation !== false) keyRotation.start();
  return {
    directory, keys, keyRotation, verifier, urls, app,
    close: async () => {
      await keyRotation.stop();
      unsubscribe();
      await app.close();
    },
  };
}
