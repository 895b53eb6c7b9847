import type { FastifyBaseLogger } from 'fastify';
import type { IdentityUrls } from '../identity-urls.js';
import type { SigningKeys } from '../keys/signing-keys.js';
import type { AssertionReplayCache } from './client-auth/replay-cache.js';
import type { Grant } from './grants/grant.js';
import type { FailureThrottle } from './failure-throttle.js';
import type { TokenApplication, TokenDirectory, TokenServicePrincipal, TokenView } from './token-view.js';

/** What the token endpoint needs; built once per listener. */
export interface TokenDeps {
  readonly keys: SigningKeys;
  readonly urls: IdentityUrls;
  /** The directory as the token endpoint reads it: in memory, current with the change feed. */
  readonly view: TokenView;
  /**
   * Whether the view can be trusted: false while this node's change feed has been lost or behind
   * for longer than PORTICO_MAX_FEED_LAG_MS (main.ts's feedCurrent, the gateway's predicate too).
   */
  readonly viewCurrent: () => boolean;
  readonly tokenLifetimeSeconds: number;
  readonly now: () => Date;
  /** jti of client assertions already used (private_key_jwt). */
  readonly assertionReplay: AssertionReplayCache;
  /** Failed client authentications per (client, address); see client-auth/client-throttle.ts. */
  readonly throttle: FailureThrottle;
}

/** The raw request, as the route handler hands it over. */
export interface TokenRequest {
  readonly tenant: string;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  readonly body: Buffer | undefined;
  /** The caller's address (Fastify's request.ip): half of the failure throttle's key, and logged. */
  readonly clientAddress: string;
  readonly log: FastifyBaseLogger;
}

export interface AuthenticatedClient {
  readonly app: TokenApplication;
  readonly servicePrincipal: TokenServicePrincipal;
  /** keyId of the credential that matched; logged, the secret never is. */
  readonly credentialKeyId: string;
  /** Entra's azpacr: '1' = client secret, '2' = certificate. */
  readonly authMethod: '1' | '2';
  /** How it authenticated (logged). */
  readonly method: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
}

export interface ResolvedResource {
  /** The identifier as requested, without '/.default' (used in messages). */
  readonly identifier: string;
  readonly app: TokenApplication;
  readonly servicePrincipal: TokenServicePrincipal;
}

export interface TokenResponse {
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly ext_expires_in: number;
  readonly access_token: string;
}

/**
 * Filled in step by step. Each step reads what earlier steps set; `need` turns a missing value
 * (a step-order bug, not a client error) into an exception instead of an undefined deep inside.
 */
export class TokenContext {
  params = new Map<string, string>();
  tenantId: string | undefined;
  /** One state of the directory for the whole request. */
  directory: TokenDirectory | undefined;
  grant: Grant | undefined;
  client: AuthenticatedClient | undefined;
  /** Distinct resources the scope names (one, unless spelled several ways). */
  resourceIdentifiers: readonly string[] | undefined;
  resource: ResolvedResource | undefined;
  roles: readonly string[] = [];
  response: TokenResponse | undefined;

  constructor(readonly request: TokenRequest) {}

  param(name: string): string | undefined {
    return this.params.get(name);
  }
}

export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`token endpoint step order: ${what} is not set yet`);
  return value;
}

export type TokenStep = (ctx: TokenContext, deps: TokenDeps) => Promise<void> | void;
