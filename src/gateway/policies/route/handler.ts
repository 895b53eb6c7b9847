import { GatewayMessages } from '../../errors.js';
import { matchRoute } from '../../router.js';
import type { PolicyDefinition } from '../definition.js';
import type { Rejection } from '../types.js';

const NOT_FOUND: Rejection = { status: 404, message: GatewayMessages.notFound };

export const route: PolicyDefinition = {
  name: 'route',
  create: () => ({
    name: 'route',
    phase: 'route',
    priority: 1000,
    run(call) {
      const match = matchRoute(call.snapshot.apis, call.method, call.pathname);
      if (match === undefined) return NOT_FOUND;
      call.api = match.api;
      call.operation = match.operation;
      call.remainder = match.remainder;
      return undefined;
    },
  }),
};
