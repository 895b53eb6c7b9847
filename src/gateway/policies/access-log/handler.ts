import type { PolicyDefinition } from '../definition.js';
import { requestRecord } from '../request-record.js';
import { accessLogWriter } from './line.js';

/** Log phase: the access log line, from the request's record (the fields every log handler sees). */
export const accessLog: PolicyDefinition = {
  name: 'access-log',
  create: (deps) => {
    let write: ReturnType<typeof accessLogWriter> | undefined; // made with the first line, from the logger as it is then
    return {
      name: 'access-log',
      phase: 'log',
      priority: 1000,
      run(call) {
        // The record is made only when the line will be written (a warn-level gateway skips it).
        if (deps.logger.isLevelEnabled('info')) (write ??= accessLogWriter(deps.logger))(requestRecord(call, performance.now()));
        return undefined;
      },
    };
  },
};
