import type { Server } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { ROLES, type PorticoConfig, type ListenerName, type PublicListener, type Role } from './config/index.js';
import { bearerToken, constantTimeEqual, createProcessLogger, InProcessChangeFeed, resolveLogFormat, type ChangeFeed, type SecretBox } from './shared/index.js';
import { PorticoMetrics } from './gateway/observability/index.js';
import { openStore, PgChangeFeed, startLeaderElection, withStartupLock, type OpenStoreOptions } from './store/index.js';
import type { Store } from './store/index.js';
import { createIdentity, IdentityUrls, type Identity } from './identity/index.js';
import { buildManagementApp, MANAGEMENT_RESOURCE_URI, reconcileDirectory, serviceResourceId, type ManagementContext, type MetricsEndpoint } from './management/index.js';
import { newAuditScope, RefusalRecorder, runInAuditScope, startAuditRetention, SYSTEM_ACTOR, type AuditActor } from './audit/index.js';
import { createEchoServer, createGateway, type Gateway } from './gateway/index.js';
import { ensureInstance, readInstance, reissueAdminCredentials, ADMIN_USER_EMAIL, type StoredInstance } from './bootstrap/first-start.js';
import { credentialsPath, readCredentials, writeCredentials, type CredentialsFile } from './bootstrap/credentials-file.js';
import { checkInstanceKey, loadInstanceKey } from './bootstrap/instance-key.js';
import { adaptDirectoryClient } from './bootstrap/directory-adapter.js';
import { managementRolesOf } from './bootstrap/management-roles.js';
import { checkPortsFree, defaultPublicUrl, listen, listeningUrl, newServer, pickFreePort, replaceCertificate, type Listening } from './listeners.js';
import { startGatewayWorkers, type GatewayWorkers } from './cluster/index.js';
import { renewLocalCertificatePeriodically, resolveTls } from './tls/index.js';
import { adminGraphOptions, createPortal } from './portal/index.js';
import { AppError } from './errors/index.js';
import { configurationStatus, feedWithinBound, newNodeIdentity, NODE_FORGET_MS, NODE_STALE_MS, readinessOf, serveHealth, startHeartbeat, type Readiness } from './nodes/index.js';
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
  /** This node's id in node_heartbeats. */
  readonly nodeId: string;
  /** What /readyz answers. */
  readiness(): Readiness;
  /** The run-once jobs this node leads now (store/leader-election.ts). */
  leading(): string[];
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

/** Composition root: config → store → feed → services → listeners (only those of this node's roles). */
export async function startPortico(configured: PorticoConfig, options: StartOptions = {}): Promise<RunningPortico> {
  // Decided once here, so gateway workers (which share this stdout) log in the same format.
  const config: PorticoConfig = { ...configured, logFormat: resolveLogFormat(configured.logFormat, process.stdout.isTTY === true) };
  const processLogger = options.logger === undefined ? createProcessLogger(config.logLevel, resolveLogFormat(config.logFormat, false)) : undefined;
  const logger = options.logger ?? processLogger!.logger;
  const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  const roles = new Set<Role>(config.roles);
  const runs = (role: Role): boolean => roles.has(role);
  // The directory, signing keys and token verifier serve the identity listener and the management API alike.
  const needsIdentity = runs('identity') || runs('management');
  const node = newNodeIdentity(config.roles);
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
    // Every port taken is reported at once, before the data directory is made or written.
    await checkPortsFree(config.host, listenersOf(config).map((name) => [name, config.ports[name]] as const));
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    // Before the store and key exist, so a bad certificate file leaves nothing half made behind.
    const tls = await resolveTls(config.tls, config.dataDir, publicHostnames(config));
    warnAboutPublicUrls(config, tls !== undefined, logger);
    const store: Store = await openStore({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      exclusive: true, // SQLite: one process per data directory; PostgreSQL: many nodes
      ...(options.onQuery ? { onQuery: options.onQuery } : {}),
    });
    cleanups.push(() => store.close());
    // A gateway-only node decrypts nothing: it needs no encryption key.
    const instanceKey = needsIdentity ? await loadInstanceKey(config.dataDir, (options.env ?? process.env).PORTICO_ENCRYPTION_KEY) : undefined;
    if (instanceKey) await checkInstanceKey(store, instanceKey.box, instanceKey.source);
    // Starts at the stored version: events carry the version their write's transaction bumped to.
    // With PostgreSQL the feed crosses processes (LISTEN/NOTIFY, docs/events.md).
    const feedLog = logger.child({ component: 'change-feed' });
    const feed: ChangeFeed = config.databaseUrl === undefined
      ? new InProcessChangeFeed(await store.configVersion.current(), feedLog)
      : await PgChangeFeed.start({ databaseUrl: config.databaseUrl, store, log: feedLog });
    if (feed instanceof PgChangeFeed) cleanups.push(() => feed.close());
    const feedCurrent = (): boolean => feedWithinBound(feed, config.maxFeedLagMs);
    // Jobs that must run once per store, whatever the number of nodes (store/leader-election.ts).
    const election = startLeaderElection({ databaseUrl: config.databaseUrl, log: logger.child({ component: 'leader-election' }) });
    cleanups.push(() => election.stop());
    let started = false;
    let gatewayServing: (() => boolean) | undefined;
    const readiness = (): Readiness =>
      readinessOf({ nodeId: node.nodeId, roles: config.roles, feed, maxFeedLagMs: config.maxFeedLagMs, started: () => started, ...(gatewayServing ? { gatewayServing } : {}) });

    // Listen first so every URL (and so the token issuer) is known, even with port 0.
    const servers: Partial<Record<Exclude<ListenerName, 'gateway'>, Server>> = {};
    // The echo backend goes with management: it is the sample backend the first start points the Echo API at.
    if (runs('management')) servers.echo = createEchoServer(logger.child({ listener: 'echo' })); // sets its own limits, as the gateway does; stays http
    if (runs('identity')) servers.identity = newServer(tls);
    if (runs('management')) servers.management = newServer(tls);
    const bound: Partial<Record<ListenerName, Listening>> = {};
    for (const name of ['echo', 'identity', 'management'] as const) {
      const server = servers[name];
      if (!server) continue;
      const listening = await listen(server, name, config.host, config.ports[name]);
      bound[name] = listening;
      cleanups.push(() => listening.close());
    }
    // What Portico advertises: discovery, the issuer, nextLink, credentials.json — never a Host header.
    const publicUrl = (name: PublicListener): string => config.publicUrls[name] ?? (bound[name] ? defaultPublicUrl(bound[name], config.host) : '');

    // Portico's own writes are audited too (actor: none), e.g. the admin secret minted at first start.
    const asSystem = <T>(fn: () => Promise<T>, actor: AuditActor = SYSTEM_ACTOR, service: string | null = null): Promise<T> =>
      runInAuditScope(newAuditScope({ actor, correlationId: null, serviceResourceId: service }), fn);
    // Several nodes may start together on one PostgreSQL: the first start, the issuer setting and
    // the first signing key are made by one at a time.
    const { boot, identity, identityUrl } = await withStartupLock(config.databaseUrl, async () => {
      const boot = runs('management')
        ? await asSystem(() => ensureInstance({ store, secretBox: instanceKey!.box, secretValidityDays: config.secretValidityDays, echoUrl: bound.echo!.url }))
        : { instance: await instanceOf(store), firstStart: false, secrets: undefined };
      if (runs('identity')) await noteIssuerChange(store, publicUrl('identity'), logger);
      const identityUrl = runs('identity') ? publicUrl('identity') : await identityUrlOf(store, config);
      const identity = needsIdentity
        ? await createIdentity({
            config,
            store,
            feed,
            feedCurrent, // the token endpoint fails closed on the gateway's predicate (docs/operations.md)
            logger: logger.child({ listener: 'identity' }),
            secretBox: instanceKey!.box,
            tenantId: boot.instance.tenantId,
            baseUrl: identityUrl,
            ...(servers.identity ? { server: servers.identity } : {}),
            onTokenOutcome: (outcome) => metrics.tokenRequest(outcome), // [metrics hook]
            startKeyRotation: false, // the node leading `signing-keys` runs it (below)
          })
        : undefined;
      // Before the management API serves: remove what a registration killed midway left in the
      // directory (docs/architecture.md), acting — and audited — as the service's managed identity.
      // Only when no other node is live: another node's registration in progress looks the same.
      // (SQLite: the lock makes this the only process, whatever rows a killed one left.)
      if (runs('management') && (store.dialect === 'sqlite' || (await otherLiveNodes(store, node.nodeId)) === 0)) {
        await reconcileAtStart(managementContext(store, feed, instanceKey!.box, boot.instance, identity!), identity!.directory, asSystem, logger);
      }
      return { boot, identity, identityUrl };
    });
    const { instance } = boot;
    if (identity) {
      cleanups.push(() => identity.close());
      election.campaign('signing-keys', () => {
        identity.keyRotation.start();
        return () => identity.keyRotation.pause();
      });
    }
    // Stored events and heartbeat rows of nodes long gone are pruned by one node.
    election.campaign('housekeeping', () => startHousekeeping(store, logger));

    const ctx: ManagementContext | undefined = runs('management') ? managementContext(store, feed, instanceKey!.box, instance, identity!) : undefined;
    // Audit retention: one node deletes what is past retention (docs/audit.md).
    if (runs('management')) {
      election.campaign('audit-retention', async () => {
        const stopRetention = await startAuditRetention({ audit: store.audit, retentionDays: config.auditRetentionDays, logger });
        return async () => stopRetention();
      });
    }
    // Refusals of valid tokens go to the audit log; each gateway node writes its own.
    const refusals = runs('gateway') ? new RefusalRecorder({ audit: store.audit, logger, serviceResourceId: serviceResourceId(instance) }) : undefined;
    if (refusals) {
      refusals.start();
      cleanups.push(() => refusals.stop());
    }

    let gatewayPublicUrl = ''; // known once the gateway listens, after the management app is built
    if (ctx) {
      const relay = await relayDispatcher(tls?.local?.caCertificate);
      if (relay) cleanups.push(() => relay.close());
      const management = await buildManagementApp({
        ctx,
        verifier: identity!.verifier,
        logger: logger.child({ listener: 'management' }),
        server: servers.management!,
        bodyLimit: config.bodyLimitBytes,
        identityUrl,
        publicUrl: publicUrl('management'),
        liveRoles: managementRolesOf(identity!.directory.system, instance.managementAppId),
        metrics: metricsEndpoint(() => scrape(), config.metricsToken),
        nodes: { configurationStatus: (version, timeoutMs) => configurationStatus({ nodes: store.nodes, currentVersion: () => store.configVersion.current() }, version, timeoutMs) },
        portal: createPortal({
          store: store.management,
          sessionLimits: { idleMs: config.portalSessionIdleSeconds * 1000, maxMs: config.portalSessionMaxSeconds * 1000 },
          // Behind a TLS-terminating proxy the listener is http but browsers reach it over https.
          secure: tls !== undefined || publicUrl('management').startsWith('https:'),
          serviceResourceId: serviceResourceId(instance),
          graph: await adminGraphOptions(identity!, instance.adminAppId, store.audit, logger.child({ listener: 'management' })),
          developer: {
            ctx,
            signUpAllowed: config.developerSignUp,
            tokenUrl: () => `${identityUrl}/${instance.tenantId}/oauth2/v2.0/token`,
            gatewayUrl: () => gatewayPublicUrl,
            dispatcher: relay,
            tryItTimeoutMs: config.tryItTimeoutMs,
            logger: logger.child({ listener: 'management', component: 'developer-portal' }),
          },
        }),
      });
      cleanups.push(() => management.close());
    }

    let gatewayServer: Server | undefined;
    let workers: GatewayWorkers | undefined;
    const issuer = new IdentityUrls(identityUrl, instance.tenantId).issuer();
    if (runs('gateway') && config.workers === 0) {
      const gateway: Gateway = await createGateway({
        config, store, feed, logger: logger.child({ listener: 'gateway' }), issuer,
        publicUrl: () => gatewayPublicUrl, ...(tls ? { tls } : {}), metrics,
        onRevoked: (revoked) => refusals!.record(revoked),
        feedCurrent,
      });
      cleanups.push(() => gateway.close());
      gatewayServer = gateway.server;
      gatewayServing = () => gateway.serving;
      serveHealth(gateway.server, readiness);
      const listening = await listen(gateway.server, 'gateway', config.host, config.ports.gateway);
      bound.gateway = listening;
      cleanups.push(() => listening.close());
      gatewayPublicUrl = publicUrl('gateway');
    } else if (runs('gateway')) {
      // --workers N: N gateway processes share the port; this process keeps the store, management and identity.
      const port = config.ports.gateway === 0 ? await pickFreePort(config.host) : config.ports.gateway;
      bound.gateway = { url: listeningUrl(tls ? 'https' : 'http', config.host, port), port, close: async () => undefined };
      gatewayPublicUrl = publicUrl('gateway');
      const started = await startGatewayWorkers({
        count: config.workers,
        settings: {
          config: { ...config, ports: { ...config.ports, gateway: port } },
          issuer,
          publicUrl: gatewayPublicUrl,
          tls: tls ? { cert: tls.cert, key: tls.key } : undefined,
        },
        feed,
        logger: logger.child({ component: 'gateway-workers' }),
        metrics,
        // Workers never write the store: their refusals come here over IPC, to this process's queue.
        onRevoked: (revoked) => refusals!.record(revoked),
        // ...and neither do they write quota counts: they report their calls, this process writes the sums.
        quotaStore: store.quotaCounters,
        feedCurrent,
      });
      workers = started;
      cleanups.push(() => started.stop());
      scrape = () => started.scrape();
    }
    for (const name of ['identity', 'management'] as const) {
      const server = servers[name];
      if (server) serveHealth(server, readiness);
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
      gateway: runs('gateway') ? publicUrl('gateway') : (config.publicUrls.gateway ?? ''),
      management: runs('management') ? publicUrl('management') : (config.publicUrls.management ?? ''),
      identity: identityUrl,
      echo: bound.echo?.url ?? '',
    };

    // The admin credentials file belongs to the nodes that serve the management API.
    const path = credentialsPath(config.dataDir);
    if (runs('management')) {
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
    }

    // Last subscriber of the feed: when it hears an event, every view above has applied it.
    const heartbeat = startHeartbeat({ node, nodes: store.nodes, feed, logger: logger.child({ component: 'heartbeat' }) });
    cleanups.push(() => heartbeat.stop());
    started = true;

    logger.info({ credentialsFile: runs('management') ? path : undefined, firstStart: boot.firstStart, database: store.dialect, node: node.nodeId, roles: config.roles }, runs('management') ? `admin credentials are in ${path}` : 'node started');
    print(`Portico is up (${store.dialect === 'sqlite' ? `SQLite in ${config.dataDir}` : 'PostgreSQL'}, tenant ${instance.tenantId}${roles.size < ROLES.length ? `, only ${config.roles.join(', ')}` : ''}):`);
    if (runs('gateway')) print(`  gateway     ${urls.gateway}`);
    if (runs('management')) print(`  management  ${urls.management}`);
    if (runs('management')) print(`  portals     ${urls.management}/ (admin: sign in with adminUser from credentials.json), ${urls.management}/developer`);
    if (runs('identity')) print(`  identity    ${urls.identity}`);
    if (runs('management')) print(`  echo        ${urls.echo}`);
    if (runs('management')) print(`  credentials ${path}`);
    print(`  node        ${node.nodeId}`);
    if (tls?.local) {
      print(`  local CA    ${tls.local.caCertificate}`);
      print('To trust it, set these in the shell of any client (Node.js, then Python / the Azure CLI):');
      print(`  export NODE_EXTRA_CA_CERTS=${shellQuote(tls.local.caCertificate)}`);
      print(`  export REQUESTS_CA_BUNDLE=${shellQuote(tls.local.caBundle)}`);
    }
    const boundUrls = Object.fromEntries(Object.entries(bound).map(([name, listening]) => [name, listening.url])) as Record<ListenerName, string>;
    return {
      urls, boundUrls, caCertificate: tls?.local?.caCertificate, caBundle: tls?.local?.caBundle, credentialsPath: path, tenantId: instance.tenantId, feed,
      nodeId: node.nodeId, readiness, leading: () => election.leading(), stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function managementContext(store: Store, feed: ChangeFeed, secretBox: SecretBox, instance: StoredInstance, identity: Identity): ManagementContext {
  return {
    store,
    feed,
    secretBox,
    instance,
    directory: adaptDirectoryClient(identity.directory.forPrincipal(instance.managedIdentityPrincipalId), instance.managedIdentityPrincipalId),
  };
}

/** Live nodes on the store other than this one (heartbeats seen in the last few seconds). */
/**
 * Other live nodes that could have a registration in flight: those with the management role, seen
 * lately, leaving out rows of this machine whose process is gone (a node killed and restarted at
 * once left its row, still fresh, and must not skip its own clean-up because of it).
 */
async function otherLiveNodes(store: Store, nodeId: string): Promise<number> {
  const live = await store.nodes.listSeenSince(new Date(Date.now() - NODE_STALE_MS).toISOString());
  const here = hostname();
  return live.filter((node) => node.nodeId !== nodeId && node.roles.includes('management') && !(node.host === here && !processRuns(node.pid))).length;
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // it runs, as another user
  }
}

/** How long a node without the management role waits for a first start to create the instance. */
const INSTANCE_WAIT_MS = 60_000;

/** The instance, made by a node with the management role (waiting for it a while when several nodes start together). */
async function instanceOf(store: Store): Promise<StoredInstance> {
  const deadline = Date.now() + INSTANCE_WAIT_MS;
  for (;;) {
    const instance = await readInstance(store);
    if (instance) return instance;
    if (Date.now() > deadline) {
      throw new AppError('ERR_CONFIG_INVALID', 'This store has no Portico instance yet: start a node with the management role first (`portico start` or `portico start --only management`); it creates one.');
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Where tokens come from when this node does not serve them: PORTICO_PUBLIC_IDENTITY_URL, else what the identity node stored. */
async function identityUrlOf(store: Store, config: PorticoConfig): Promise<string> {
  const url = config.publicUrls.identity ?? (await store.settings.getSetting(ISSUER_BASE_SETTING));
  if (url === undefined) {
    throw new AppError('ERR_CONFIG_INVALID', 'No identity node has started on this store yet, so the token issuer is unknown: start a node with the identity role first, or set PORTICO_PUBLIC_IDENTITY_URL (--public-identity-url).');
  }
  return url;
}

async function reconcileAtStart(
  ctx: ManagementContext,
  directory: { system: { getServicePrincipal(id: string): Promise<{ appId: string } | undefined> } },
  asSystem: <T>(fn: () => Promise<T>, actor?: AuditActor, service?: string | null) => Promise<T>,
  logger: Logger,
): Promise<void> {
  const { instance } = ctx;
  const managedIdentity = await directory.system.getServicePrincipal(instance.managedIdentityPrincipalId);
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
}

/** Stored change events are kept this long for nodes catching up; older ones make them rebuild (ms). */
const CHANGE_LOG_RETENTION_MS = 3_600_000;
const HOUSEKEEPING_INTERVAL_MS = 60_000;

/** Prunes stored change events and the heartbeat rows of nodes long gone; returns its stop. */
function startHousekeeping(store: Store, logger: Logger): () => Promise<void> {
  const run = async (): Promise<void> => {
    try {
      const now = Date.now();
      await store.changeLog.pruneCreatedBefore(new Date(now - CHANGE_LOG_RETENTION_MS).toISOString());
      const forgotten = await store.nodes.removeNotSeenSince(new Date(now - NODE_FORGET_MS).toISOString());
      if (forgotten > 0) logger.info({ forgotten }, 'forgot nodes not seen for an hour');
    } catch (err) {
      logger.warn({ err }, 'housekeeping (stored change events, old heartbeats) failed; retrying at the next run');
    }
  };
  void run();
  const timer = setInterval(() => void run(), HOUSEKEEPING_INTERVAL_MS);
  timer.unref();
  return async () => clearInterval(timer);
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

/** The listeners this node binds, in port order: echo goes with management. */
function listenersOf(config: PorticoConfig): ListenerName[] {
  const roles = new Set<Role>(config.roles);
  return [
    ...(roles.has('gateway') ? (['gateway'] as const) : []),
    ...(roles.has('management') ? (['management'] as const) : []),
    ...(roles.has('identity') ? (['identity'] as const) : []),
    ...(roles.has('management') ? (['echo'] as const) : []),
  ];
}
