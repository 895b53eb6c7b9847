import type { FastifyRequest } from 'fastify';
import type { DirectoryClient } from '../directory/directory-client.js';
import type { DirectoryService } from '../directory/directory-service.js';
import type { IdentityUrls } from '../identity-urls.js';
import type { AccessTokenVerifier } from '../token/access-token-verifier.js';
import type { Logger } from 'pino';
import type { AuditStore } from '../../audit/index.js';

export interface GraphDeps {
  readonly directory: DirectoryService;
  readonly verifier: AccessTokenVerifier;
  readonly urls: IdentityUrls;
  readonly now: () => Date;
  /** Where the directory API's refused and failed writes are audited (successful ones are, in their transaction). */
  readonly audit: AuditStore;
  readonly logger: Logger;
}

/** The authenticated caller: its directory client and its service principal id, set by the auth hook for each request. */
const callers = new WeakMap<FastifyRequest, { client: DirectoryClient; principalId: string }>();

export function setCaller(request: FastifyRequest, client: DirectoryClient, principalId: string): void {
  callers.set(request, { client, principalId });
}

export function callerOf(request: FastifyRequest): DirectoryClient {
  return caller(request).client;
}

/** The caller's service principal object id (the token's `oid`). */
export function callerIdOf(request: FastifyRequest): string {
  return caller(request).principalId;
}

function caller(request: FastifyRequest): { client: DirectoryClient; principalId: string } {
  const found = callers.get(request);
  if (!found) throw new Error('directory API route reached without authentication');
  return found;
}

/** `{ "@odata.context": …, value: [...] }` as Graph lists look. */
export function odataList(urls: IdentityUrls, context: string, value: readonly unknown[]) {
  return { '@odata.context': `${urls.graphBase()}/$metadata#${context}`, value };
}

export function odataEntity<T extends object>(urls: IdentityUrls, context: string, entity: T) {
  return { '@odata.context': `${urls.graphBase()}/$metadata#${context}/$entity`, ...entity };
}
