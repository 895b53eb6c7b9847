import type { FastifyRequest } from 'fastify';
import type { DirectoryClient } from '../directory/directory-client.js';
import type { DirectoryService } from '../directory/directory-service.js';
import type { IdentityUrls } from '../identity-urls.js';
import type { AccessTokenVerifier } from '../token/access-token-verifier.js';

export interface GraphDeps {
  readonly directory: DirectoryService;
  readonly verifier: AccessTokenVerifier;
  readonly urls: IdentityUrls;
  readonly now: () => Date;
}

/** The authenticated caller's directory client, set by the auth hook for each request. */
const callers = new WeakMap<FastifyRequest, DirectoryClient>();

export function setCaller(request: FastifyRequest, client: DirectoryClient): void {
  callers.set(request, client);
}

export function callerOf(request: FastifyRequest): DirectoryClient {
  const client = callers.get(request);
  if (!client) throw new Error('directory API route reached without authentication');
  return client;
}

/** `{ "@odata.context": …, value: [...] }` as Graph lists look. */
export function odataList(urls: IdentityUrls, context: string, value: readonly unknown[]) {
  return { '@odata.context': `${urls.graphBase()}/$metadata#${context}`, value };
}

export function odataEntity<T extends object>(urls: IdentityUrls, context: string, entity: T) {
  return { '@odata.context': `${urls.graphBase()}/$metadata#${context}/$entity`, ...entity };
}
