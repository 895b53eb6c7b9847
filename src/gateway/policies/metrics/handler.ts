import type { PolicyDefinition } from '../definition.js';

/** Log phase: the request in the process's metrics (plain counters, read when /metrics is scraped). */
export const metrics: PolicyDefinition = {
  name: 'metrics',
  create: (deps) => {
    const registry = deps.metrics;
    return {
      name: 'metrics',
      phase: 'log',
      priority: 2000,
      run(call) {
        if (registry === undefined) return undefined;
        const totalSeconds = (performance.now() - call.started) / 1000;
        const backendSeconds = call.backendMs === undefined ? undefined : call.backendMs / 1000;
        registry.gatewayRequest(call.api?.id ?? '', call.operation?.id ?? '', call.product?.id ?? '', call.res.statusCode, totalSeconds, backendSeconds);
        return undefined;
      },
    };
  },
};
