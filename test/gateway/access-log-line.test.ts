import { Writable } from 'node:stream';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { describe, expect, it } from 'vitest';
import { accessLogWriter, ACCESS_LOG_MESSAGE, jsonNumber, recordFields } from '../../src/gateway/policies/access-log/line.js';
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
    const refused: RequestRecord = { reqId: 'r-2', method: 'GET', path: '/a', status: 401, durationMs: 0.4, apiId: 'echo', clientAppId: 'c1', rejectedBy: 'access', reason: 'tokenExpired' };
    accessLogWriter(ours.logger)(refused);
    theirs.logger.info(refused, ACCESS_LOG_MESSAGE);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ours.lines).toEqual(theirs.lines);
  });

  it('lays out every field as JSON.stringify does, escaping only what needs it', () => {
    const every: RequestRecord = {
      reqId: 'a"b\\c',
      method: 'GET',
      path: '/p/\u0001\n\t/\ud800/😀/\u2028/\u007f',
      status: 401,
      durationMs: 0.1,
      backendMs: Number.NaN,
      apiId: 'api',
      operationId: 'op',
      productId: 'prod',
      subscriptionId: 'sub',
      clientAppId: 'app',
      rejectedBy: 'access',
      reason: 'keyUnknown',
      aborted: false,
    };
    const plain: RequestRecord = { reqId: '3f1c0d1e-8d3b-4b8e-9a51-0f6f2b8f4a11', method: 'POST', path: '/echo/resource', status: 200, durationMs: 12.3 };
    for (const record of [every, plain, RECORD]) expect(recordFields(record)).toBe(JSON.stringify(record).slice(1, -1));
  });

  it('writes numbers as JSON.stringify does, durations in tenths included', () => {
    const tenths = Array.from({ length: 20_000 }, (_, i) => Math.round(i * 1.7) / 10);
    const others = [0, -0, 1, 200, 401, 0.05, 1e21, 123456789.1, 99999999.9, 100000000.3, -1.5, 1 / 3, 2 ** 53, Number.NaN, Infinity, -Infinity, 0.30000000000000004];
    for (const value of [...tenths, ...others]) expect(jsonNumber(value)).toBe(JSON.stringify(value));
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
