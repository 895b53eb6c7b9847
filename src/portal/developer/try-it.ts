import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { request as httpRequest, type Dispatcher } from 'undici';
import { AppError } from '../../errors/index.js';
import { linkGrantsAccess, type ManagementContext } from '../../management/index.js';
import { ownApplication } from './data-api.js';
import { scopeOf } from './views.js';
import { developerOf } from './developer-auth.js';
import { describeRelayFailure, type RelayTarget } from './relay-failure.js';

export interface TryItOptions {
  readonly ctx: ManagementContext;
  readonly guard: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** This instance's token endpoint and gateway (public URLs from the configuration): the only hosts the relay calls. */
  readonly tokenUrl: () => string;
  readonly gatewayUrl: () => string;
  /** Trusts the local CA (`--tls local`); undefined: the default agent. */
  readonly dispatcher?: Dispatcher | undefined;
  /** Deadline of the whole exchange, token request and gateway call together (default 30 s). */
  readonly timeoutMs?: number;
}

/** Request and response bodies the console shows, at most (the rest is cut and said so). */
const MAX_SHOWN_BODY = 256 * 1024;
const TIMEOUT_MS = 30_000;
/** Try it calls one developer may have in flight at once: the relay is not a way to hold many connections open. */
const MAX_IN_FLIGHT_PER_USER = 4;
/** Headers the console may not set: the relay sets the credentials, and transport headers are its business. */
const REFUSED_HEADERS = new Set(['authorization', 'host', 'cookie', 'content-length', 'connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'keep-alive', 'proxy-authorization', 'expect']);
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;

const nameValue = { type: 'object', additionalProperties: false, required: ['name', 'value'], properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, value: { type: 'string', maxLength: 4096 } } } as const;
const tryItBody = {
  type: 'object',
  additionalProperties: false,
  required: ['applicationId', 'clientSecret', 'productId', 'apiId', 'operationId'],
  properties: {
    applicationId: { type: 'string', minLength: 1, maxLength: 256 },
    clientSecret: { type: 'string', minLength: 1, maxLength: 512 },
    productId: { type: 'string', minLength: 1, maxLength: 256 },
    apiId: { type: 'string', minLength: 1, maxLength: 256 },
    operationId: { type: 'string', minLength: 1, maxLength: 256 },
    templateParameters: { type: 'object', additionalProperties: { type: 'string', maxLength: 1024 }, maxProperties: 50 },
    query: { type: 'array', items: nameValue, maxItems: 50 },
    headers: { type: 'array', items: nameValue, maxItems: 50 },
    body: { type: 'string', maxLength: 65536 },
  },
} as const;

interface TryItBody {
  applicationId: string;
  clientSecret: string;
  productId: string;
  apiId: string;
  operationId: string;
  templateParameters?: Record<string, string>;
  query?: { name: string; value: string }[];
  headers?: { name: string; value: string }[];
  body?: string;
}

/**
 * "Try it": a relay on the server, because the page cannot call the identity and gateway
 * listeners (other origins, no CORS there). It is not an open proxy: the hosts are this
 * instance's configured token endpoint and gateway, never the caller's choice; the application
 * must be the caller's own and linked to the product; the product must be published and hold the
 * API; only the operation's path (template values percent-encoded), query and a few headers come
 * from the caller. The client secret is used for one token request and kept nowhere.
 */
export function registerTryIt(app: FastifyInstance, options: TryItOptions): void {
  const { ctx } = options;
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const inFlight = new Map<string, number>();
  app.post('/try-it', { onRequest: options.guard, schema: { body: tryItBody } }, async (request, reply) => {
    const userId = developerOf(request).user.id;
    const running = inFlight.get(userId) ?? 0;
    if (running >= MAX_IN_FLIGHT_PER_USER) {
      throw new AppError('TooManyTryItCalls', `You already have ${MAX_IN_FLIGHT_PER_USER} Try it calls waiting for an answer. Wait for one to finish, then send again.`);
    }
    inFlight.set(userId, running + 1);
    try {
      return await relay(request, reply, AbortSignal.timeout(timeoutMs));
    } catch (error) {
      if (error instanceof DeadlinePassed) {
        throw new AppError('TryItTimedOut', `Try it gave up after ${Math.round(timeoutMs / 1000)} seconds without a complete answer from the token endpoint or the gateway. Check that the API's backend answers, then try again.`);
      }
      throw error;
    } finally {
      const left = (inFlight.get(userId) ?? 1) - 1;
      if (left === 0) inFlight.delete(userId);
      else inFlight.set(userId, left);
    }
  });

  /** One exchange: checks, the token, the gateway call; every request shares the deadline's signal. */
  const relay = async (request: FastifyRequest, reply: FastifyReply, signal: AbortSignal) => {
    const body = request.body as TryItBody;
    const own = await ownApplication(ctx, request, body.applicationId);
    const product = await ctx.store.management.getProduct(body.productId);
    if (!product || product.state !== 'published') throw new AppError('ResourceNotFound', 'Product not found.');
    const link = (await ctx.store.management.listProductLinks({ clientApplicationId: own.id })).find((l) => l.productId === product.id);
    const scope = scopeOf(product);
    if (!link || !linkGrantsAccess(link.state) || scope === null || !product.authenticationType.includes('application-token')) {
      throw new AppError('ValidationError', `Application '${own.displayName}' has no access to product '${product.displayName}' with an OAuth 2.0 token. Pick a product listed on the application, or ask an administrator to add it.`, [
        { code: 'ValidationError', target: 'productId', message: 'names a product this application cannot get a token for.' },
      ]);
    }
    const inProduct = (await ctx.store.management.listProductApis({ productId: product.id, apiId: body.apiId })).length > 0;
    const api = inProduct ? await ctx.store.management.getApi(body.apiId) : undefined;
    if (!api) throw new AppError('ResourceNotFound', 'API not found in this product.');
    const operation = await ctx.store.management.getOperation(api.id, body.operationId);
    if (!operation) throw new AppError('ResourceNotFound', 'Operation not found.');

    const target = gatewayTarget(options.gatewayUrl(), api.path, operation.urlTemplate, body.templateParameters ?? {}, body.query ?? []);
    const headers = requestHeaders(body.headers ?? []);

    // 1. The token, as the seed page's script gets it: client credentials with the exact scope.
    const token = await post(options, signal, 'the token endpoint', options.tokenUrl(), {
      'content-type': 'application/x-www-form-urlencoded',
    }, new URLSearchParams({ grant_type: 'client_credentials', client_id: own.entraApplicationId, client_secret: body.clientSecret, scope }).toString());
    const tokenAnswer = parseJson(token.body);
    const tokenStep = { url: options.tokenUrl(), clientId: own.entraApplicationId, scope, status: token.status };
    const accessToken = typeof tokenAnswer?.access_token === 'string' ? tokenAnswer.access_token : undefined;
    if (token.status !== 200 || accessToken === undefined) {
      // The identity provider's own error (no secret in it): what to fix, in Entra's words.
      return reply.header('Cache-Control', 'no-store').send({ token: { ...tokenStep, error: tokenAnswer?.error ?? 'invalid_response', errorDescription: tokenAnswer?.error_description ?? 'The token endpoint gave no token.' } });
    }

    // 2. The call through the gateway with the token.
    const method = operation.method.toUpperCase();
    const sendsBody = method !== 'GET' && method !== 'HEAD' && body.body !== undefined;
    const sent: Record<string, string> = { ...headers, authorization: `Bearer ${accessToken}` };
    if (sendsBody && !Object.keys(sent).includes('content-type')) sent['content-type'] = 'application/json';
    const answer = await send(options, signal, 'the gateway', method, target, sent, sendsBody ? body.body! : undefined);
    return reply.header('Cache-Control', 'no-store').send({
      token: { ...tokenStep, expiresIn: tokenAnswer?.expires_in ?? null },
      request: {
        method,
        url: target,
        // The token is shown shortened: the console proves it was sent without putting it on the screen.
        headers: { ...sent, authorization: `Bearer ${accessToken.slice(0, 12)}… (${accessToken.length} characters)` },
        body: sendsBody ? body.body! : null,
      },
      response: answer,
    });
  };
}

/** The exchange's deadline passed (AbortSignal.timeout fired). */
class DeadlinePassed extends Error {}

/** The gateway URL of the operation: fixed host, the API's path, the template filled with encoded values, then the query. */
export function gatewayTarget(gateway: string, apiPath: string, template: string, values: Record<string, string>, query: readonly { name: string; value: string }[]): string {
  const [templatePath, templateQuery] = template.split('?', 2) as [string, string | undefined];
  const path = templatePath.replace(/\{([^}]+)\}/g, (_whole, name: string) => {
    // `{*rest}` takes the rest of the path: its value may hold '/', so each segment is encoded alone.
    const rest = name.startsWith('*');
    const value = values[name] ?? (rest ? values[name.slice(1)] : undefined);
    if (value === undefined || value === '') throw new AppError('ValidationError', `The operation needs a value for the template parameter '${name}'.`, [{ code: 'ValidationError', target: `templateParameters.${name}`, message: 'is required.' }]);
    const segments = rest ? value.split('/') : [value];
    // Percent-encoded, and never a dot or empty segment: a value cannot leave the operation's path.
    for (const segment of segments) {
      if (segment === '.' || segment === '..') throw new AppError('ValidationError', `The value of '${name}' cannot be '.' or '..'${rest ? ' or hold such a segment' : ''}.`, [{ code: 'ValidationError', target: `templateParameters.${name}`, message: "cannot be '.' or '..'." }]);
      if (segment === '') throw new AppError('ValidationError', `The value of '${name}' cannot hold an empty segment (a leading, trailing or doubled '/').`, [{ code: 'ValidationError', target: `templateParameters.${name}`, message: 'cannot hold an empty segment.' }]);
    }
    return segments.map(encodeURIComponent).join('/');
  });
  const search = new URLSearchParams();
  for (const pair of (templateQuery ?? '').split('&').filter((p) => p !== '' && !p.includes('{'))) {
    const [name, value = ''] = pair.split('=', 2) as [string, string | undefined];
    search.append(name, value);
  }
  for (const { name, value } of query) search.append(name, value);
  const base = gateway.replace(/\/+$/, '');
  const prefix = apiPath === '' ? '' : `/${apiPath}`;
  const qs = search.toString();
  return `${base}${prefix}${path}${qs ? `?${qs}` : ''}`;
}

function requestHeaders(list: readonly { name: string; value: string }[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { name, value } of list) {
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name) || REFUSED_HEADERS.has(lower) || /[\r\n\0]/.test(value)) {
      throw new AppError('ValidationError', `The header '${name.slice(0, 100)}' cannot be set here: the console sends Authorization itself, and transport headers are its own.`, [{ code: 'ValidationError', target: 'headers', message: `'${name.slice(0, 100)}' is not allowed.` }]);
    }
    headers[lower] = value;
  }
  return headers;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function post(options: TryItOptions, signal: AbortSignal, what: RelayTarget['what'], url: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  const answer = await send(options, signal, what, 'POST', url, headers, body);
  return { status: answer.status, body: answer.body };
}

/**
 * One request, no redirects followed. A failure is a 502 that says in words which listener failed
 * and how (Node's message, with its internal addresses, goes to the server log only).
 */
async function send(options: TryItOptions, signal: AbortSignal, what: RelayTarget['what'], method: string, url: string, headers: Record<string, string>, body: string | undefined): Promise<{ status: number; headers: Record<string, string>; body: string; truncated: boolean }> {
  const target: RelayTarget = { what, origin: new URL(url).origin };
  let response: Dispatcher.ResponseData;
  try {
    response = await httpRequest(url, {
      method: method as Dispatcher.HttpMethod,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
  } catch (error) {
    if (signal.aborted) throw new DeadlinePassed('deadline', { cause: error });
    throw new AppError('BadGateway', describeRelayFailure(error, target, 'connect'), [], { cause: error });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      if (size + chunk.length > MAX_SHOWN_BODY) {
        chunks.push(chunk.subarray(0, MAX_SHOWN_BODY - size));
        truncated = true;
        response.body.destroy();
        break;
      }
      chunks.push(chunk);
      size += chunk.length;
    }
  } catch (error) {
    // The signal also ends a body that trickles in: the deadline covers the whole answer.
    if (signal.aborted) throw new DeadlinePassed('deadline', { cause: error });
    throw new AppError('BadGateway', describeRelayFailure(error, target, 'answer'), [], { cause: error });
  }
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) shown[name] = Array.isArray(value) ? value.join(', ') : value;
  return { status: response.statusCode, headers: shown, body: Buffer.concat(chunks).toString('utf8'), truncated };
}
