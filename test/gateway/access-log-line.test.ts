import { Writable } from 'node:stream';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { describe, expect, it } from 'vitest';
import { accessLogWriter, ACCESS_LOG_MESSAGE } from '../../src/gateway/policies/access-log/line.js';
import type { RequestRecord } from '../../src/gateway/policies/request-record.js';

function capture(options: LoggerOptions): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino(
    { timestamp: () => ',"time":1700000000000', ...options },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  );
  return { logger, lines };
}

const RECORD: RequestRecord = {
  reqId: 'r-1',
  method: 'GET',
  path: '/echo/"quoted"\\x/é\u2028',
  status: 200,
  durationMs: 1.2,
  backendMs: 0.7,
  apiId: 'echo',
  operationId: 'get',
  productId: 'starter',
  subscriptionId: 'sub-1',
  rejectedBy: 'access',
  aborted: true,
};

describe('access-log line', () => {
  it('writes exactly the line pino writes for the record, bindings of a child logger included', async () => {
    const ours = capture({ base: { service: 'portico' } });
    const theirs = capture({ base: { service: 'portico' } });
    accessLogWriter(ours.logger.child({ component: 'gateway' }))(RECORD);
    theirs.logger.child({ component: 'gateway' }).info(RECORD, ACCESS_LOG_MESSAGE);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ours.lines).toHaveLength(1);
    expect(ours.lines).toEqual(theirs.lines);
    expect(JSON.parse(ours.lines[0]!)).toMatchObject({ level: 30, service: 'portico', component: 'gateway', path: RECORD.path, msg: ACCESS_LOG_MESSAGE });
  });

  it('leaves the line to pino when the logger shapes it (serializer, redaction, mixin, formatter)', async () => {
    const shaped: LoggerOptions[] = [
      { serializers: { path: () => '[path]' } },
      { redact: ['subscriptionId'] },
      { mixin: () => ({ extra: 1 }) },
      { formatters: { log: (o: Record<string, unknown>) => ({ ...o, formatted: true }) } },
      { messageKey: 'message' },
    ];
    for (const options of shaped) {
      const ours = capture(options);
      const theirs = capture(options);
      accessLogWriter(ours.logger)(RECORD);
      theirs.logger.info(RECORD, ACCESS_LOG_MESSAGE);
      await new Promise((resolve) => setImmediate(resolve));
      expect(ours.lines).toEqual(theirs.lines);
    }
  });
});
