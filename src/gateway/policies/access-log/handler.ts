import type { PolicyDefinition } from '../definition.js';
import { requestRecord } from '../request-record.js';

/** Log phase: the access log line, from the request's record (the fields every log handler sees). */
export const accessLog: PolicyDefinition = {
  name: 'access-log',
  create: (deps) => ({
    name: 'access-log',
    phase: 'log',
    priority: 1000,
    run(call) {
      // The record is made only when the line will be written (a warn-level gateway skips it).
      if (deps.logger.isLevelEnabled('info')) deps.logger.info(requestRecord(call, performance.now()), 'gateway request');
      return undefined;
    },
  }),
};
