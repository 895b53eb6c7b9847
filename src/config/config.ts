import { resolve } from 'node:path';
import { AppError } from '../errors/index.js';

/** Everything Portico reads from its environment, validated once and frozen. */
export interface PorticoConfig {
  /** Directory for the SQLite file, credentials.json and the encryption key. */
  readonly dataDir: string;
  /** `postgres://…` to use PostgreSQL instead of the embedded SQLite file. */
  readonly databaseUrl: string | undefined;
  /** Interface every listener binds to. */
  readonly host: string;
  readonly ports: Readonly<Record<ListenerName, number>>;
  /** Access-token lifetime in seconds. */
  readonly tokenLifetimeSeconds: number;
  /** Client-secret validity in days (Entra/APIM default: one year). */
  readonly secretValidityDays: number;
  /** Upstream timeout for proxied requests, in milliseconds. */
  readonly backendTimeoutMs: number;
  /** Deadline of the developer portal's whole Try it exchange (token request and gateway call), in milliseconds. */
  readonly tryItTimeoutMs: number;
  /** Largest request body the management and identity APIs accept, in bytes. */
  readonly bodyLimitBytes: number;
  /** pino level: fatal, error, warn, info, debug, trace, silent. */
  readonly logLevel: string;
  /** `json`: JSON lines; `pretty`: human-readable lines; `auto`: pretty when stdout is a terminal, else JSON. */
  readonly logFormat: LogFormat;
  /** HTTPS for the gateway, management and identity listeners (the echo backend stays http). */
  readonly tls: TlsSetting;
  /**
   * What Portico advertises for each listener (discovery, the tokens' issuer, nextLink,
   * credentials.json). Unset: the scheme it serves + `localhost` (or the bound host) + the port.
   */
  readonly publicUrls: Readonly<Partial<Record<PublicListener, string>>>;
  /** Days a token-signing key signs before the automatic schedule rotates it (fractions allowed). */
  readonly signingKeyRotationDays: number;
  /** Days audit events are kept; older ones are deleted at start and every hour after. */
  readonly auditRetentionDays: number;
  /**
   * Gateway processes (node:cluster) sharing the gateway port; 0 = the gateway runs in the main
   * process with everything else (the default).
   */
  readonly workers: number;
  /** When set, GET /metrics needs `Authorization: Bearer <this>`; unset, /metrics is open (env only: never a flag). */
  readonly metricsToken: string | undefined;
  /** Whether anyone who reaches the developer portal may create an APIM user account (PORTICO_DEVELOPER_SIGNUP). */
  readonly developerSignUp: boolean;
  /** Portal sessions end after this many seconds unused (PORTICO_PORTAL_SESSION_IDLE_MINUTES). */
  readonly portalSessionIdleSeconds: number;
  /** …and this many seconds after sign-in, however busy (PORTICO_PORTAL_SESSION_MAX_HOURS). */
  readonly portalSessionMaxSeconds: number;
  /**
   * `redis://` or `rediss://` URL of the Redis that holds rate-limit and quota counters shared by every
   * gateway process; unset: each process counts in memory (env only: it may carry a password).
   */
  readonly redisUrl: string | undefined;
  /** How long one Redis counter command may take before the product's fail mode applies, in ms. */
  readonly redisCommandTimeoutMs: number;
  /**
   * Without Redis: how many gateway nodes share the load, so each counts limit / nodes (env only).
   * Unset: the live gateway nodes the store knows of, else 1.
   */
  readonly gatewayNodes: number | undefined;
  /**
   * Which listeners this process runs (`--only`, PORTICO_ONLY): any of gateway, management,
   * identity; all three by default. The echo backend runs with management (it is the sample
   * backend the first start points the Echo API at).
   */
  readonly roles: readonly Role[];
  /**
   * How long this node may have lost its change feed (PostgreSQL LISTEN connection) before it
   * refuses token and key decisions that could be stale and fails readiness, in ms.
   */
  readonly maxFeedLagMs: number;
}

export type Role = 'gateway' | 'management' | 'identity';
export const ROLES: readonly Role[] = ['gateway', 'management', 'identity'];

export type LogFormat = 'json' | 'pretty' | 'auto';
const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty', 'auto'];

/** `off`: plain http; `files`: a certificate and key the operator gives; `local`: a CA Portico makes in the data directory. */
export type TlsSetting =
  | { readonly mode: 'off' }
  | { readonly mode: 'files'; readonly certFile: string; readonly keyFile: string }
  | { readonly mode: 'local' };

/** The listeners clients reach; the echo backend is an internal sample and advertises nothing. */
export type PublicListener = 'gateway' | 'management' | 'identity';
export const PUBLIC_LISTENERS: readonly PublicListener[] = ['gateway', 'management', 'identity'];

export type ListenerName = 'gateway' | 'management' | 'identity' | 'echo';
export const LISTENERS: readonly ListenerName[] = ['gateway', 'management', 'identity', 'echo'];

export const DEFAULTS = Object.freeze({
  dataDir: './.portico',
  host: '127.0.0.1',
  ports: Object.freeze({ gateway: 8080, management: 8081, identity: 8082, echo: 8083 }),
  tokenLifetimeSeconds: 3599, // just under an hour, like Entra's `expires_in`
  secretValidityDays: 365, // one year, as the seed page states
  backendTimeoutMs: 30_000, // 30 seconds before the gateway answers 504
  tryItTimeoutMs: 30_000, // 30 seconds for Try it's token request and gateway call together
  bodyLimitBytes: 1_048_576, // 1 MiB
  logLevel: 'info',
  logFormat: 'auto' as LogFormat,
  // Entra rolls its keys "on a periodic basis" with "no set or guaranteed time" between rolls. Six
  // weeks: often enough that rotation is routine and exercised, far beyond any cache or token lifetime.
  signingKeyRotationDays: 42,
  auditRetentionDays: 90, // a quarter of a year: Entra keeps its audit logs 30 days (P1/P2), Azure's activity log 90
  workers: 0, // the gateway in the main process
  // On, as APIM's developer portal offers sign-up by default and the local quick start wants it;
  // an instance reachable by strangers turns it off (PORTICO_DEVELOPER_SIGNUP=off).
  developerSignUp: true,
  portalSessionIdleMinutes: 30, // Azure's portal signs out idle users after an hour at most; half that for an admin tool
  portalSessionMaxHours: 12, // a working day: sign in once in the morning
  // Redis answers a counter script in well under a millisecond on a LAN; 20 ms is far past that and
  // still short enough that a hung Redis adds little to a call before the fail mode decides it.
  redisCommandTimeoutMs: 20,
  roles: ROLES,
  maxFeedLagMs: 3_000, // 3 seconds: a few missed heartbeats of the connection, well under a token's life
});

/** More gateway nodes than this is a typo (each would count a tiny share of every limit). */
export const MAX_GATEWAY_NODES = 1024;

/** More gateway processes than this is a typo, not a plan (each holds a full snapshot). */
export const MAX_WORKERS = 64;

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export type ConfigInput = Partial<{
  dataDir: string;
  databaseUrl: string;
  host: string;
  ports: Partial<Record<ListenerName, number>>;
  tokenLifetimeSeconds: number;
  secretValidityDays: number;
  backendTimeoutMs: number;
  tryItTimeoutMs: number;
  bodyLimitBytes: number;
  logLevel: string;
  logFormat: string;
  /** `local`, `off`, or the certificate and key files. */
  tls: 'local' | 'off' | { certFile: string; keyFile: string };
  publicUrls: Partial<Record<PublicListener, string>>;
  signingKeyRotationDays: number;
  auditRetentionDays: number;
  workers: number;
  developerSignUp: boolean;
  /** Seconds (not minutes): tests end sessions quickly. */
  portalSessionIdleSeconds: number;
  portalSessionMaxSeconds: number;
  redisUrl: string;
  redisCommandTimeoutMs: number;
  gatewayNodes: number;
  /** Comma list or array of gateway, management, identity. */
  roles: string | readonly string[];
  maxFeedLagMs: number;
}>;

/** Reads PORTICO_* variables; explicit overrides (flags, tests) win. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigInput = {}): PorticoConfig {
  const port = (name: ListenerName): number =>
    overrides.ports?.[name] ?? parsePort(`PORTICO_${name.toUpperCase()}_PORT`, env[`PORTICO_${name.toUpperCase()}_PORT`], DEFAULTS.ports[name]);
  const databaseUrl = overrides.databaseUrl ?? emptyToUndefined(env.PORTICO_DATABASE_URL);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw configError('PORTICO_DATABASE_URL', 'must start with postgres:// or postgresql://');
  }
  const logLevel = overrides.logLevel ?? env.PORTICO_LOG_LEVEL ?? DEFAULTS.logLevel;
  if (!LOG_LEVELS.has(logLevel)) {
    throw configError('PORTICO_LOG_LEVEL', `must be one of ${[...LOG_LEVELS].join(', ')}`);
  }
  const logFormat = (overrides.logFormat ?? emptyToUndefined(env.PORTICO_LOG_FORMAT) ?? DEFAULTS.logFormat).toLowerCase() as LogFormat;
  if (!LOG_FORMATS.includes(logFormat)) {
    throw configError('PORTICO_LOG_FORMAT', `must be json, pretty or auto (pretty on a terminal, else json), got "${overrides.logFormat ?? env.PORTICO_LOG_FORMAT}"`);
  }
  const host = overrides.host ?? emptyToUndefined(env.PORTICO_HOST) ?? DEFAULTS.host;
  const config: PorticoConfig = {
    dataDir: resolve(overrides.dataDir ?? emptyToUndefined(env.PORTICO_DATA_DIR) ?? DEFAULTS.dataDir),
    databaseUrl,
    host,
    ports: Object.freeze({ gateway: port('gateway'), management: port('management'), identity: port('identity'), echo: port('echo') }),
    tokenLifetimeSeconds: overrides.tokenLifetimeSeconds ?? DEFAULTS.tokenLifetimeSeconds,
    secretValidityDays: overrides.secretValidityDays ?? DEFAULTS.secretValidityDays,
    backendTimeoutMs: overrides.backendTimeoutMs ?? DEFAULTS.backendTimeoutMs,
    tryItTimeoutMs: overrides.tryItTimeoutMs ?? DEFAULTS.tryItTimeoutMs,
    bodyLimitBytes: overrides.bodyLimitBytes ?? DEFAULTS.bodyLimitBytes,
    logLevel,
    logFormat,
    tls: tlsSetting(env, overrides.tls),
    publicUrls: Object.freeze(publicUrls(env, overrides.publicUrls ?? {})),
    workers: parseWorkers(overrides.workers !== undefined ? String(overrides.workers) : env.PORTICO_WORKERS),
    metricsToken: parseMetricsToken(env.PORTICO_METRICS_TOKEN),
    redisUrl: parseRedisUrl(overrides.redisUrl ?? env.PORTICO_REDIS_URL),
    redisCommandTimeoutMs: parseRedisCommandTimeout(overrides.redisCommandTimeoutMs !== undefined ? String(overrides.redisCommandTimeoutMs) : env.PORTICO_REDIS_COMMAND_TIMEOUT_MS),
    gatewayNodes: parseGatewayNodes(overrides.gatewayNodes !== undefined ? String(overrides.gatewayNodes) : env.PORTICO_GATEWAY_NODES),
    developerSignUp: overrides.developerSignUp ?? parseOnOff('PORTICO_DEVELOPER_SIGNUP', env.PORTICO_DEVELOPER_SIGNUP, DEFAULTS.developerSignUp),
    signingKeyRotationDays: parseRotationDays(overrides.signingKeyRotationDays !== undefined ? String(overrides.signingKeyRotationDays) : env.PORTICO_SIGNING_KEY_ROTATION_DAYS),
    auditRetentionDays: parseRetentionDays(overrides.auditRetentionDays !== undefined ? String(overrides.auditRetentionDays) : env.PORTICO_AUDIT_RETENTION_DAYS),
    portalSessionIdleSeconds: overrides.portalSessionIdleSeconds ?? 60 * parseWholeNumber('PORTICO_PORTAL_SESSION_IDLE_MINUTES', env.PORTICO_PORTAL_SESSION_IDLE_MINUTES, DEFAULTS.portalSessionIdleMinutes, 1, 1440),
    portalSessionMaxSeconds: overrides.portalSessionMaxSeconds ?? 3600 * parseWholeNumber('PORTICO_PORTAL_SESSION_MAX_HOURS', env.PORTICO_PORTAL_SESSION_MAX_HOURS, DEFAULTS.portalSessionMaxHours, 1, 168),
    roles: parseRoles(overrides.roles ?? emptyToUndefined(env.PORTICO_ONLY)),
    maxFeedLagMs: parseMaxFeedLag(overrides.maxFeedLagMs !== undefined ? String(overrides.maxFeedLagMs) : env.PORTICO_MAX_FEED_LAG_MS),
  };
  return Object.freeze(config);
}

function tlsSetting(env: NodeJS.ProcessEnv, override: ConfigInput['tls']): TlsSetting {
  if (override === 'local' || override === 'off') return { mode: override };
  if (override !== undefined) return { mode: 'files', certFile: resolve(override.certFile), keyFile: resolve(override.keyFile) };
  const mode = emptyToUndefined(env.PORTICO_TLS)?.toLowerCase();
  const certFile = emptyToUndefined(env.PORTICO_TLS_CERT);
  const keyFile = emptyToUndefined(env.PORTICO_TLS_KEY);
  if (mode !== undefined && mode !== 'local' && mode !== 'off') throw configError('PORTICO_TLS', `must be "local" (a certificate Portico makes) or "off", got "${mode}"; for your own certificate set PORTICO_TLS_CERT and PORTICO_TLS_KEY`);
  if (mode === 'local' && (certFile !== undefined || keyFile !== undefined)) {
    throw configError('PORTICO_TLS', 'is "local", which makes its own certificate; unset PORTICO_TLS_CERT and PORTICO_TLS_KEY, or unset PORTICO_TLS to use them');
  }
  if (mode === 'local') return { mode: 'local' };
  if (certFile === undefined && keyFile === undefined) return { mode: 'off' };
  if (certFile === undefined) throw configError('PORTICO_TLS_CERT', 'is needed with PORTICO_TLS_KEY: give the PEM certificate (chain) file too');
  if (keyFile === undefined) throw configError('PORTICO_TLS_KEY', 'is needed with PORTICO_TLS_CERT: give the PEM private key file too');
  return { mode: 'files', certFile: resolve(certFile), keyFile: resolve(keyFile) };
}

function publicUrls(env: NodeJS.ProcessEnv, overrides: Partial<Record<PublicListener, string>>): Partial<Record<PublicListener, string>> {
  const result: Partial<Record<PublicListener, string>> = {};
  for (const name of PUBLIC_LISTENERS) {
    const variable = `PORTICO_PUBLIC_${name.toUpperCase()}_URL`;
    const raw = overrides[name] ?? emptyToUndefined(env[variable]);
    if (raw !== undefined) result[name] = parsePublicUrl(variable, raw);
  }
  return result;
}

/** An absolute http(s) URL without query, fragment or credentials; a path prefix is kept, the trailing slash dropped. */
function parsePublicUrl(variable: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw configError(variable, `must be an absolute URL such as https://api.example.com, got "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw configError(variable, `must start with https:// or http://, got "${raw}"`);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw configError(variable, `must not carry a query, a fragment or credentials, got "${raw}"`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function parsePort(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw configError(name, `must be a whole number from 0 to 65535 (0 picks a free port), got "${raw}"`);
  }
  return value;
}

function parseRotationDays(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULTS.signingKeyRotationDays;
  const days = Number(raw);
  if (!Number.isFinite(days) || days <= 0 || days > 365) {
    throw configError('PORTICO_SIGNING_KEY_ROTATION_DAYS', `must be a number of days greater than 0 and at most 365 (fractions allowed), got "${raw}"`);
  }
  return days;
}

function parseWholeNumber(variable: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  // Environment only (no flag), so the message names just the variable.
  if (!Number.isInteger(value) || value < min || value > max) throw new AppError('ERR_CONFIG_INVALID', `${variable} must be a whole number from ${min} to ${max}, got "${raw}".`);
  return value;
}

function parseRetentionDays(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULTS.auditRetentionDays;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw configError('PORTICO_AUDIT_RETENTION_DAYS', `must be a whole number of days from 1 to 3650, got "${raw}"`);
  }
  return days;
}

function parseWorkers(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULTS.workers;
  const workers = Number(raw);
  if (!Number.isInteger(workers) || workers < 0 || workers > MAX_WORKERS) {
    throw configError('PORTICO_WORKERS', `must be a whole number from 0 (the gateway in the main process) to ${MAX_WORKERS}, got "${raw}"`);
  }
  return workers;
}

/** `gateway,identity` or ['gateway', 'identity'] (a repeated flag); each at most once, in any order. */
function parseRoles(raw: string | readonly string[] | undefined): readonly Role[] {
  if (raw === undefined) return DEFAULTS.roles;
  const names = (typeof raw === 'string' ? [raw] : raw).flatMap((part) => part.split(',')).map((part) => part.trim().toLowerCase()).filter((part) => part !== '');
  if (names.length === 0) throw configError('PORTICO_ONLY', `needs at least one of ${ROLES.join(', ')}`);
  for (const name of names) {
    if (!(ROLES as readonly string[]).includes(name)) throw configError('PORTICO_ONLY', `takes ${ROLES.join(', ')} (a comma list, or the flag repeated), got "${name}"`);
  }
  return Object.freeze(ROLES.filter((role) => names.includes(role)));
}

function parseMaxFeedLag(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULTS.maxFeedLagMs;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 100 || ms > 600_000) {
    throw configError('PORTICO_MAX_FEED_LAG_MS', `must be a whole number of milliseconds from 100 to 600000, got "${raw}"`);
  }
  return ms;
}

/** A bearer token Prometheus sends: long enough not to be guessed, and a valid header value. */
function parseMetricsToken(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 16 || !/^[\x21-\x7e]+$/.test(raw)) {
    throw new AppError('ERR_CONFIG_INVALID', 'PORTICO_METRICS_TOKEN must be at least 16 printable ASCII characters without spaces (e.g. the output of `openssl rand -hex 32`).');
  }
  return raw;
}

/** A Redis URL; its password never appears in the error (nor anywhere else). */
function parseRedisUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    throw new AppError('ERR_CONFIG_INVALID', 'PORTICO_REDIS_URL must be a redis:// or rediss:// URL with a host, such as redis://127.0.0.1:6379/0 (a password goes in redis://:password@host:6379).');
  }
  return raw;
}

function parseRedisCommandTimeout(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULTS.redisCommandTimeoutMs;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1 || ms > 10_000) {
    throw new AppError('ERR_CONFIG_INVALID', `PORTICO_REDIS_COMMAND_TIMEOUT_MS must be a whole number of milliseconds from 1 to 10000, got "${raw}".`);
  }
  return ms;
}

function parseGatewayNodes(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const nodes = Number(raw);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_GATEWAY_NODES) {
    throw new AppError('ERR_CONFIG_INVALID', `PORTICO_GATEWAY_NODES must be a whole number from 1 to ${MAX_GATEWAY_NODES} (the gateway nodes that split each limit when there is no Redis), got "${raw}".`);
  }
  return nodes;
}

function parseOnOff(variable: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  const value = raw.toLowerCase();
  if (value === 'on' || value === 'true' || value === '1') return true;
  if (value === 'off' || value === 'false' || value === '0') return false;
  // Environment only (no flag), so the message names just the variable.
  throw new AppError('ERR_CONFIG_INVALID', `${variable} must be on or off, got "${raw}".`);
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Names both spellings of a setting, since it may have come from the environment or a flag. */
function configError(variable: string, rule: string): AppError {
  const flag = `--${variable.replace(/^PORTICO_/, '').toLowerCase().replace(/_/g, '-')}`;
  return new AppError('ERR_CONFIG_INVALID', `${variable} (${flag}) ${rule}.`);
}
