import type { Server } from 'node:http';
import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { PorticoConfig, ListenerName, PublicListener } from './config/index.js';
import { bearerToken, constantTimeEqual, createProcessLogger, InProcessChangeFeed, resolveLogFormat, type ChangeFeed } from './shared/index.js';
import { PorticoMetrics } from './gateway/observability/index.js';
import { openStore, type OpenStoreOptions } from './store/index.js';
import type { Store } from './store/index.js';
import { createIdentity } from './identity/index.js';
import { buildManagementApp, MANAGEMENT_RESOURCE_URI, reconcileDirectory, serviceResourceId, type ManagementContext, type MetricsEndpoint } from './management/index.js';
import { newAuditScope, RefusalRecorder, runInAuditScope, startAuditRetention, SYSTEM_ACTOR, type AuditActor } from './audit/index.js';
import { createEchoServer, createGateway, type Gateway } from './gateway/index.js';
import { ensureInstance, reissueAdminCredentials, ADMIN_USER_EMAIL } from './bootstrap/first-start.js';
import { credentialsPath, readCredentials, writeCredentials, type CredentialsFile } from './bootstrap/credentials-file.js';
import { checkInstanceKey, loadInstanceKey } from './bootstrap/instance-key.js';
import { adaptDirectoryClient } from './bootstrap/directory-adapter.js';
import { managementRolesOf } from './bootstrap/management-roles.js';
import { defaultPublicUrl, listen, listeningUrl, newServer, pickFreePort, replaceCertificate, type Listening } from './listeners.js';
import { startGatewayWorkers, type GatewayWorkers } from './cluster/index.js';
import { renewLocalCertificatePeriodically, resolveTls } from './tls/index.js';
import { createPortal } from './portal/index.js';
import { relayDispatcher } from './portal/developer/index.js';

export interface RunningPortico {
  /** What clients use: the public URLs of gateway, management and identity; the echo backend's bound URL. */
  readonly urls: Readonly<Record<ListenerName, string>>;
  /** Where each listener is bound in this process (differs from `urls` behind a proxy or with localhost). */
  readonly boundUrls: Readonly<Record<ListenerName, string>>;
  /** With `--tls local`: the CA certificate clients must trust (NODE_EXTRA_CA_CERTS). */
  readonly caCertificate: string | undefined;
  /** With `--tls local`: the system's CAs plus Portico's (REQUESTS_CA_BUNDLE). */
  readonly caBundle: string | undefined;
  readonly credentialsPath: string;
  readonly tenantId: string;
  /** This process's change feed: what each committed write announced (docs/events.md). */
  readonly feed: ChangeFeed;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Defaults to the process logger on stdout at config.logLevel, in config.logFormat (JSON lines or pretty). */
  readonly logger?: Logger;
  /** Where the start-up banner (URLs, credentials file, CA lines) goes; defaults to stderr, so stdout carries only the log. */
  readonly print?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
  /** Passed to openStore: sees every statement (tests count queries per request with it). */
  readonly onQuery?: OpenStoreOptions['onQuery'];
  /** This process's metrics registry (default: a new one). */
  readonly metrics?: PorticoMetrics;
}

/** Composition root: config → store → services → listeners. */
export async function startPortico(configured: PorticoConfig, options: StartOptions = {}): Promise<RunningPortico> {
  // Decided once here, so gateway workers (which share this stdout) log in the same format.
  const config: PorticoConfig = { ...configured, logFormat: resolveLogFormat(configured.logFormat, process.stdout.isTTY === true) };
  const processLogger = options.logger === undefined ? createProcessLogger(config.logLevel, resolveLogFormat(config.logFormat, false)) : undefined;
  const logger = options.logger ?? processLogger!.logger;
  const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cleanups: (() => Promise<void>)[] = [];
  if (processLogger) cleanups.push(async () => processLogger.flush()); // runs last: the shutdown lines are written too
  // One registry per process: /metrics on the management listener reads it (docs/gateway.md, Observability).
  const metrics = options.metrics ?? new PorticoMetrics({ snapshotGauges: config.workers === 0 });
  // What /metrics serves: this process's registry, or (with --workers) it merged with every worker's.
  let scrape = async (): Promise<{ contentType: string; body: string }> => ({ contentType: metrics.contentType(), body: await metrics.text() });
  const stop = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((err: unknown) => logger.error({ err }, 'shutdown step failed'));
  };
  try {
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    // Before the store and key exist, so a bad certificate file leaves nothing half made behind.
    const tls = await resolveTls(config.tls, config.dataDir, publicHostnames(config));
    warnAboutPublicUrls(config, tls !== undefined, logger);
    const { box, source } = await loadInstanceKey(config.dataDir, (options.env ?? process.env).PORTICO_ENCRYPTION_KEY);
    const store: Store = await openStore({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      exclusive: true,
      ...(options.onQuery ? { onQuery: options.onQuery } : {}),
      // Without its lock another process could start on the store and miss our revocations: stop.
      onLockLost: (error) => {
        logger.fatal({ err: error }, 'lost the exclusive lock on the store; stopping');
        process.exitCode = 1;
        void stop();
      },
    });
    cleanups.push(() => store.close());
    await checkInstanceKey(store, box, source);
    // Starts at the stored version: events carry the version their write's transaction bumped to.
    const feed = new InProcessChangeFeed(await store.configVersion.current(), logger.child({ component: 'change-feed' }));

    // Listen first so every URL (and so the token issuer) is known, even with port 0.
    const servers: Record<Exclude<ListenerName, 'gateway'>, Server> = {
      echo: createEchoServer(logger.child({ listener: 'echo' })), // sets its own limits, as the gateway does; stays http
      identity: newServer(tls),
      management: newServer(tls),
    };
    const bound = {} as Record<ListenerName, Listening>;
    for (const name of ['echo', 'identity', 'management'] as const) {
      bound[name] = await listen(servers[name], name, config.host, config.ports[name]);
      cleanups.push(() => bound[name].close());
    }
    // What Portico advertises: discovery, the issuer, nextLink, credentials.json — never a Host header.
    const publicUrl = (name: PublicListener): string => config.publicUrls[name] ?? defaultPublicUrl(bound[name], config.host);

    // Portico's own writes are audited too (actor: none), e.g. the admin secret minted at first start.
    const asSystem = <T>(fn: () => Promise<T>, actor: AuditActor = SYSTEM_ACTOR, service: string | null = null): Promise<T> =>
      runInAuditScope(newAuditScope({ actor, correlationId: null, serviceResourceId: service }), fn);
    const boot = await asSystem(() => ensureInstance({ store, secretBox: box, secretValidityDays: config.secretValidityDays, echoUrl: bound.echo.url }));
    const { instance } = boot;
    await noteIssuerChange(store, publicUrl('identity'), logger);
    const identity = await createIdentity({
      config,
      store,
      feed,
      logger: logger.child({ listener: 'identity' }),
      secretBox: box,
      tenantId: instance.tenantId,
      baseUrl: publicUrl('identity'),
      server: servers.identity,
      onTokenOutcome: (outcome) => metrics.tokenRequest(outcome), // [metrics hook]
    });
    cleanups.push(() => identity.close());

    const ctx: ManagementContext = {
      store,
      feed,
      secretBox: box,
      instance,
      directory: adaptDirectoryClient(identity.directory.forPrincipal(instance.managedIdentityPrincipalId), instance.managedIdentityPrincipalId),
    };
    // Before the management API serves: remove what a registration killed midway left in the
    // directory (docs/architecture.md), acting — and audited — as the service's managed identity.
    // This, the audit retention job and the refusal queue run only here, in the primary: gateway
    // workers (--workers, src/cluster/) open the store read-only and never run startPortico.
    const managedIdentity = await identity.directory.system.getServicePrincipal(instance.managedIdentityPrincipalId);
    const reconciled = await asSystem(() => reconcileDirectory(ctx).catch((error: unknown) => {
      logger.error({ err: error }, 'start-up reconciliation could not read the directory; it is retried at the next start');
      return { removedApplications: [], removedClientApplications: [], failures: [] };
    }), { objectId: instance.managedIdentityPrincipalId, appId: managedIdentity?.appId ?? null }, serviceResourceId(instance));
    if (reconciled.removedApplications.length > 0) {
      logger.warn({ removed: reconciled.removedApplications }, 'removed directory applications that an interrupted registration left unreferenced');
    }
    if (reconciled.removedClientApplications.length > 0) {
      logger.warn({ removed: reconciled.removedClientApplications }, 'removed client applications whose directory application an interrupted deletion had already removed');
    }
    for (const failure of reconciled.failures) {
      logger.error({ err: failure.error, objectId: failure.objectId }, 'start-up reconciliation could not finish for this directory object; it is retried at the next start');
    }
    const stopRetention = await startAuditRetention({ audit: store.audit, retentionDays: config.auditRetentionDays, logger });
    cleanups.push(async () => stopRetention());
    const refusals = new RefusalRecorder({ audit: store.audit, logger, serviceResourceId: serviceResourceId(instance) });
    refusals.start();
    cleanups.push(() => refusals.stop());

    const relay = await relayDispatcher(tls?.local?.caCertificate);
    if (relay) cleanups.push(() => relay.close());
    let gatewayPublicUrl = ''; // known once the gateway listens, after the management app is built
    const management = await buildManagementApp({
      ctx,
      verifier: identity.verifier,
      logger: logger.child({ listener: 'management' }),
      server: servers.management,
      bodyLimit: config.bodyLimitBytes,
      identityUrl: publicUrl('identity'),
      publicUrl: publicUrl('management'),
      liveRoles: managementRolesOf(identity.directory.system, instance.managementAppId),
      metrics: metricsEndpoint(() => scrape(), config.metricsToken),
      portal: createPortal({
        store: store.management,
        sessionLimits: { idleMs: config.portalSessionIdleSeconds * 1000, maxMs: config.portalSessionMaxSeconds * 1000 },
        // Behind a TLS-terminating proxy the listener is http but browsers reach it over https.
        secure: tls !== undefined || publicUrl('management').startsWith('https:'),
        serviceResourceId: serviceResourceId(instance),
        developer: {
          ctx,
          signUpAllowed: config.developerSignUp,
          tokenUrl: () => `${publicUrl('identity')}/${instance.tenantId}/oauth2/v2.0/token`,
          gatewayUrl: () => gatewayPublicUrl,
          dispatcher: relay,
          logger: logger.child({ listener: 'management', component: 'developer-portal' }),
        },
      }),
    });
    cleanups.push(() => management.close());

    let gatewayServer: Server | undefined;
    let workers: GatewayWorkers | undefined;
    if (config.workers === 0) {
      const gateway: Gateway = await createGateway({
        config, store, feed, logger: logger.child({ listener: 'gateway' }), issuer: identity.urls.issuer(),
        publicUrl: () => gatewayPublicUrl, ...(tls ? { tls } : {}), metrics,
        onRevoked: (revoked) => refusals.record(revoked),
      });
      cleanups.push(() => gateway.close());
      gatewayServer = gateway.server;
      bound.gateway = await listen(gateway.server, 'gateway', config.host, config.ports.gateway);
      cleanups.push(() => bound.gateway.close());
      gatewayPublicUrl = publicUrl('gateway');
    } else {
      // --workers N: N gateway processes share the port; this process keeps the store, management and identity.
      const port = config.ports.gateway === 0 ? await pickFreePort(config.host) : config.ports.gateway;
      bound.gateway = { url: listeningUrl(tls ? 'https' : 'http', config.host, port), port, close: async () => undefined };
      gatewayPublicUrl = publicUrl('gateway');
      const started = await startGatewayWorkers({
        count: config.workers,
        settings: {
          config: { ...config, ports: { ...config.ports, gateway: port } },
          issuer: identity.urls.issuer(),
          publicUrl: gatewayPublicUrl,
          tls: tls ? { cert: tls.cert, key: tls.key } : undefined,
        },
        feed,
        logger: logger.child({ component: 'gateway-workers' }),
        metrics,
        // Workers never write the store: their refusals come here over IPC, to this process's queue.
        onRevoked: (revoked) => refusals.record(revoked),
      });
      workers = started;
      cleanups.push(() => started.stop());
      scrape = () => started.scrape();
    }

    if (tls?.local) {
      const stopRenewal = renewLocalCertificatePeriodically(config.dataDir, publicHostnames(config), (renewed) => {
        for (const server of [servers.identity, servers.management, gatewayServer]) if (server) replaceCertificate(server, renewed);
        workers?.replaceCertificate(renewed.cert, renewed.key);
        logger.info('renewed the local TLS server certificate');
      }, (err: unknown) => logger.error({ err }, 'renewing the local TLS server certificate failed; retrying later'));
      cleanups.push(async () => stopRenewal());
    }
    const urls: Record<ListenerName, string> = {
      gateway: publicUrl('gateway'),
      management: publicUrl('management'),
      identity: publicUrl('identity'),
      echo: bound.echo.url,
    };

    const path = credentialsPath(config.dataDir);
    await updateCredentialsFile(path, {
      tenantId: instance.tenantId,
      subscriptionId: instance.subscriptionId,
      resourceGroup: instance.resourceGroup,
      serviceName: instance.serviceName,
      gatewayUrl: urls.gateway,
      managementUrl: urls.management,
      identityUrl: urls.identity,
      ...(tls?.local ? { caCertificate: tls.local.caCertificate } : {}),
      managementScope: `${MANAGEMENT_RESOURCE_URI}.default`,
      admin: { clientId: instance.adminAppId, clientSecret: boot.secrets?.adminClientSecret ?? '' },
      adminUser: { email: ADMIN_USER_EMAIL, password: boot.secrets?.adminUserPassword ?? '' },
    }, boot.secrets !== undefined, async () => asSystem(() => reissueAdminCredentials(store, instance, config.secretValidityDays, feed)), logger);

    logger.info({ credentialsFile: path, firstStart: boot.firstStart, database: store.dialect }, `admin credentials are in ${path}`);
    print(`Portico is up (${store.dialect === 'sqlite' ? `SQLite in ${config.dataDir}` : 'PostgreSQL'}, tenant ${instance.tenantId}):`);
    print(`  gateway     ${urls.gateway}`);
    print(`  management  ${urls.management}`);
    print(`  identity    ${urls.identity}`);
    print(`  echo        ${urls.echo}`);
    print(`  credentials ${path}`);
    if (tls?.local) {
      print(`  local CA    ${tls.local.caCertificate}`);
      print('To trust it, set these in the shell of any client (Node.js, then Python / the Azure CLI):');
      print(`  export NODE_EXTRA_CA_CERTS=${shellQuote(tls.local.caCertificate)}`);
      print(`  export REQUESTS_CA_BUNDLE=${shellQuote(tls.local.caBundle)}`);
    }
    const boundUrls = Object.fromEntries(Object.entries(bound).map(([name, listening]) => [name, listening.url])) as Record<ListenerName, string>;
    return { urls, boundUrls, caCertificate: tls?.local?.caCertificate, caBundle: tls?.local?.caBundle, credentialsPath: path, tenantId: instance.tenantId, feed, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** GET /metrics: this process's registry; with PORTICO_METRICS_TOKEN, only for callers sending it as a bearer token. */
function metricsEndpoint(scrape: MetricsEndpoint['scrape'], token: string | undefined): MetricsEndpoint {
  return {
    scrape,
    ...(token === undefined ? {} : { authorize: (authorization: string | undefined) => constantTimeEqual(bearerToken(authorization) ?? '', token) }),
  };
}

/** Settings that start but that clients will trip over: said once, at start. */
function warnAboutPublicUrls(config: PorticoConfig, servesHttps: boolean, logger: Logger): void {
  const identity = config.publicUrls.identity;
  if (identity !== undefined && new URL(identity).pathname !== '/') {
    logger.warn({ publicIdentityUrl: identity }, 'PORTICO_PUBLIC_IDENTITY_URL has a path: MSAL and @azure/identity take the first path segment of an authority as the tenant, so they cannot use it; serve the identity provider at the root of its own host or port');
  }
  for (const [name, url] of Object.entries(config.publicUrls)) {
    if (servesHttps && url.startsWith('http://')) {
      logger.warn({ listener: name, publicUrl: url }, `the ${name} listener serves HTTPS but PORTICO_PUBLIC_${name.toUpperCase()}_URL advertises http://; clients will be sent to an address that does not answer plain http`);
    }
  }
}

const ISSUER_BASE_SETTING = 'identity.publicUrl';

/** Tokens carry the identity URL in `iss`: when it changes, earlier tokens stop working, so say it. */
async function noteIssuerChange(store: Store, identityUrl: string, logger: Logger): Promise<void> {
  const previous = await store.settings.getSetting(ISSUER_BASE_SETTING);
  if (previous === identityUrl) return;
  if (previous !== undefined) {
    logger.warn({ previous, current: identityUrl }, `the public identity URL changed from ${previous} to ${identityUrl}: tokens issued before carry the old issuer and are refused; clients must get new tokens (and use the new authority)`);
  }
  await store.settings.putSetting(ISSUER_BASE_SETTING, identityUrl);
}

/** Hosts of the configured public URLs, which a local certificate must name too. */
function publicHostnames(config: PorticoConfig): string[] {
  return Object.values(config.publicUrls).map((url) => new URL(url).hostname.replace(/^\[|\]$/g, ''));
}

/** A path as one shell word, quoted only when it needs to be. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Secrets are written only when they were just made. Later starts refresh the URLs (ports may
 * differ) and keep the secrets; a lost file gets newly issued admin credentials.
 */
async function updateCredentialsFile(
  path: string,
  current: CredentialsFile,
  hasFreshSecrets: boolean,
  reissue: () => Promise<{ adminClientSecret: string; adminUserPassword: string }>,
  logger: Logger,
): Promise<void> {
  if (hasFreshSecrets) return writeCredentials(path, current);
  const existing = await readCredentials(path);
  if (existing === undefined || existing.tenantId !== current.tenantId) {
    const secrets = await reissue();
    logger.warn({ credentialsFile: path }, 'credentials.json was missing or belonged to another instance; issued a new admin client secret and admin password');
    return writeCredentials(path, { ...current, admin: { ...current.admin, clientSecret: secrets.adminClientSecret }, adminUser: { ...current.adminUser, password: secrets.adminUserPassword } });
  }
  const refreshed: CredentialsFile = { ...current, admin: existing.admin, adminUser: existing.adminUser };
  if (JSON.stringify(refreshed) !== JSON.stringify(existing)) await writeCredentials(path, refreshed);
}
