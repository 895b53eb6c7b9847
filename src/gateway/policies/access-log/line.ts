import { tracingChannel } from 'node:diagnostics_channel';
import { symbols, type Logger } from 'pino';
import type { RequestRecord } from '../request-record.js';

export const ACCESS_LOG_MESSAGE = 'gateway request';
const INFO = 30;
/** Every field a RequestRecord may have: a serializer for one of them means pino must format the line. */
const FIELDS: readonly (keyof RequestRecord)[] = ['reqId', 'method', 'path', 'status', 'durationMs', 'backendMs', 'apiId', 'operationId', 'productId', 'subscriptionId', 'clientAppId', 'rejectedBy', 'reason', 'aborted'];

/** Not in pino's type declarations, though exported with the others. */
const MSG_PREFIX = (symbols as unknown as Record<string, symbol | undefined>)['msgPrefixSym'];

type PinoInternals = Record<symbol, unknown>;
interface Hooks {
  logMethod?: unknown;
  streamWrite?: unknown;
}
interface Stream {
  write(line: string): unknown;
}

/**
 * Writes the access-log line of a request (at `info`, whose check stays with the caller).
 *
 * pino formats a logged object by walking its keys in JavaScript (`asJson`: 5 % of a CPU profile of
 * the gateway under load, its largest single cost after the socket writes). The record is a flat
 * object of strings, numbers and booleans, so `JSON.stringify` (native) makes the same fields; this
 * writer puts them between the logger's own level, time and bindings and its `msg`, exactly as pino
 * lays a line out, and hands the line to the logger's destination. It does that only for a logger
 * whose line nothing else shapes — no serializer for these fields, redaction, mixin, log formatter,
 * hooks, message prefix, nested key, other message key, destination needing metadata (multistream)
 * or tracing subscriber; for any other logger it calls `logger.info(record, msg)`.
 */
export function accessLogWriter(logger: Logger): (record: RequestRecord) => void {
  const internals = logger as unknown as PinoInternals;
  const viaPino = (record: RequestRecord): void => logger.info(record, ACCESS_LOG_MESSAGE);
  const levelPrefix = (internals[symbols.lsCacheSym] as Record<number, string> | undefined)?.[INFO];
  const stream = internals[symbols.streamSym] as (Stream & PinoInternals) | undefined;
  const serializers = (internals[symbols.serializersSym] ?? {}) as Record<string, unknown>;
  const hooks = (internals[symbols.hooksSym] ?? {}) as Hooks;
  const formatters = (internals[symbols.formattersSym] ?? {}) as { log?: unknown };
  const plain =
    typeof levelPrefix === 'string' &&
    stream !== undefined &&
    typeof stream.write === 'function' &&
    stream[symbols.needsMetadataGsym] !== true &&
    internals[symbols.messageKeySym] === 'msg' &&
    !internals[symbols.nestedKeySym] &&
    (MSG_PREFIX === undefined || typeof internals[MSG_PREFIX] !== 'string') &&
    !internals[symbols.mixinSym] &&
    formatters.log === undefined &&
    hooks.logMethod === undefined &&
    hooks.streamWrite === undefined &&
    Object.keys((internals[symbols.stringifiersSym] ?? {}) as object).length === 0 &&
    FIELDS.every((field) => serializers[field] === undefined);
  if (!plain) return viaPino;
  const time = internals[symbols.timeSym] as () => string;
  const traced = tracingChannel('pino_asJson');
  return (record) => {
    // Read per line: a child's bindings are fixed, but the time function and end are the logger's.
    if (traced.hasSubscribers) return viaPino(record);
    const line = `${levelPrefix}${time()}${internals[symbols.chindingsSym] as string},${recordFields(record)},"msg":"${ACCESS_LOG_MESSAGE}"${internals[symbols.endSym] as string}`;
    stream.write(line);
  };
}

/** A string JSON.stringify would write as it is between quotes: no quote, backslash, control character or surrogate. */
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

function jsonString(value: string): string {
  return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
}

/**
 * The record's fields as JSON.stringify writes them, without the braces: the same keys in the same
 * order, each string escaped only when it needs it (most are ids, a method and a plain path). Built
 * by hand because `JSON.stringify(record).slice(1, -1)` was the access log's largest cost (a generic
 * walk of the object, then a copy of the whole text to drop the braces).
 */
export function recordFields(record: RequestRecord): string {
  let fields = `"reqId":${jsonString(record.reqId)},"method":${jsonString(record.method)},"path":${jsonString(record.path)},"status":${jsonNumber(record.status)},"durationMs":${jsonNumber(record.durationMs)}`;
  if (record.backendMs !== undefined) fields += `,"backendMs":${jsonNumber(record.backendMs)}`;
  if (record.apiId !== undefined) fields += `,"apiId":${jsonString(record.apiId)}`;
  if (record.operationId !== undefined) fields += `,"operationId":${jsonString(record.operationId)}`;
  if (record.productId !== undefined) fields += `,"productId":${jsonString(record.productId)}`;
  if (record.subscriptionId !== undefined) fields += `,"subscriptionId":${jsonString(record.subscriptionId)}`;
  if (record.clientAppId !== undefined) fields += `,"clientAppId":${jsonString(record.clientAppId)}`;
  if (record.rejectedBy !== undefined) fields += `,"rejectedBy":${jsonString(record.rejectedBy)}`;
  if (record.reason !== undefined) fields += `,"reason":${jsonString(record.reason)}`;
  if (record.aborted !== undefined) fields += `,"aborted":${record.aborted}`;
  return fields;
}

/**
 * As JSON.stringify writes a number (null for NaN and the infinities). The durations are rounded to
 * tenths of a millisecond, and such a value is written from two small integers ("12.3"), which is
 * the shortest text that reads back as that number (what JSON.stringify prints) without the general
 * double-to-text conversion, the costliest step of the line.
 */
export function jsonNumber(value: number): string {
  const tenths = Math.round(value * 10);
  if (tenths >= 0 && tenths < 1e9 && tenths / 10 === value) {
    const whole = (tenths - (tenths % 10)) / 10;
    return tenths % 10 === 0 ? String(whole) : `${whole}.${tenths % 10}`;
  }
  return Number.isFinite(value) ? String(value) : 'null';
}
