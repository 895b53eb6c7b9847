import type { TLSSocket } from 'node:tls';
import { GatewayMessages } from '../../errors.js';
import type { PolicyDefinition } from '../definition.js';
import { stripKeyFromQuery } from '../subscription-key/key.js';
import { Refusals } from '../refusals.js';
import type { Rejection } from '../types.js';

const NO_BACKEND: Rejection = { status: 500, message: GatewayMessages.noBackend, reason: Refusals.backendNotConfigured };

/** The last request phase: the proxy answers the caller (the backend's response, or 502/504). */
export const forward: PolicyDefinition = {
  name: 'forward',
  create: (deps) => ({
    name: 'forward',
    phase: 'forward',
    priority: 1000,
    run(call) {
      const api = call.api!;
      if (!api.backend) return NO_BACKEND;
      call.forwardStarted = performance.now();
      // The proxy answers the caller itself (the backend's response, 502 or 504) and never throws.
      deps.proxy.forward({
        req: call.req,
        res: call.res,
        backend: api.backend,
        remainder: call.remainder,
        query: stripKeyFromQuery(call.rawQuery, api.keyQueryName),
        keyHeaderLower: api.keyHeaderLower,
        proto: (call.req.socket as TLSSocket).encrypted ? 'https' : 'http',
        requestId: call.requestId,
        timing: call, // receives backendMs, and the refusal when the backend fails (502/504)
        closeWatched: true, // the gateway server's 'close' listener calls responseClosed (gateway-server.ts)
      });
      return undefined;
    },
  }),
};
