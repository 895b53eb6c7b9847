import { tracingChannel } from 'node:diagnostics_channel';
import { symbols, type Logger } from 'pino';
import type { RequestRecord } from '../request-record.js';

export const ACCESS_LOG_MESSAGE = 'gateway request';
const INFO = 30;
/** Every field a RequestRecord may have: a serializer for one of them means pino must format the line. */
const FIELDS: readonly (keyof RequestRecord)[] = ['reqId', 'method', 'path', 'status', 'durationMs', 'backendMs', 'apiId', 'operationId', 'productId', 'subscriptionId', 'clientAppId', 'rejectedBy', 'aborted'];

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
    const fields = JSON.stringify(record);
    const line = `${levelPrefix}${time()}${internals[symbols.chindingsSym] as string},${fields.slice(1, -1)},"msg":"${ACCESS_LOG_MESSAGE}"${internals[symbols.endSym] as string}`;
    stream.write(line);
  };
}
