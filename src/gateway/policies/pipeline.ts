import type { Logger } from 'pino';
import { sendGatewayError } from '../errors.js';
import { PHASES, type GatewayCall, type Outcome, type Phase, type PolicyHandler, type Rejection } from './types.js';

/**
 * The request path as data: every policy's handler, ordered once (by phase, then priority, highest
 * first) into one array for the request phases and one for `log`. Running a request walks the array
 * synchronously and awaits only when a handler returns a promise, so a call whose handlers all
 * answer at once (a cached token, in-memory counters) costs no promise or closure until forwarding.
 */
export class Pipeline {
  /** route → authenticate → authorize → limits → forward, each phase by priority. */
  readonly requestHandlers: readonly PolicyHandler[];
  readonly logHandlers: readonly PolicyHandler[];
  /** The same handlers by phase, in running order (for docs, tests and tools). */
  readonly byPhase: Readonly<Record<Phase, readonly PolicyHandler[]>>;

  constructor(
    handlers: readonly PolicyHandler[],
    private readonly logger: Logger,
  ) {
    const names = new Set<string>();
    for (const handler of handlers) {
      if (names.has(handler.name)) throw new Error(`two gateway policies are named '${handler.name}'`);
      names.add(handler.name);
    }
    const ordered = [...handlers].sort((a, b) => phaseIndex(a.phase) - phaseIndex(b.phase) || b.priority - a.priority);
    this.requestHandlers = ordered.filter((h) => h.phase !== 'log');
    this.logHandlers = ordered.filter((h) => h.phase === 'log');
    this.byPhase = Object.fromEntries(PHASES.map((phase) => [phase, ordered.filter((h) => h.phase === phase)])) as Record<Phase, PolicyHandler[]>;
  }

  /** Runs the request phases; resolves (or returns) when the response has been handed over. */
  run(call: GatewayCall): void | Promise<void> {
    return this.runFrom(call, 0);
  }

  /** The log phase; a failing log handler is logged, never thrown at the request. */
  log(call: GatewayCall): void {
    const handlers = this.logHandlers;
    for (let i = 0; i < handlers.length; i++) {
      try {
        const result = handlers[i]!.run(call);
        if (result !== undefined && isPromise(result)) result.catch((err: unknown) => this.logFailed(handlers[i]!, err));
      } catch (err) {
        this.logFailed(handlers[i]!, err);
      }
    }
  }

  private runFrom(call: GatewayCall, index: number): void | Promise<void> {
    const handlers = this.requestHandlers;
    for (let i = index; i < handlers.length; i++) {
      const handler = handlers[i]!;
      const outcome = handler.run(call);
      if (outcome === undefined) continue;
      if (isPromise(outcome)) return outcome.then((settled) => (settled === undefined ? this.runFrom(call, i + 1) : reject(call, handler, settled)));
      reject(call, handler, outcome);
      return;
    }
  }

  private logFailed(handler: PolicyHandler, err: unknown): void {
    this.logger.error({ err, policy: handler.name }, 'gateway log handler failed');
  }
}

function reject(call: GatewayCall, handler: PolicyHandler, rejection: Rejection): void {
  call.rejectedBy = handler.name;
  if (call.res.headersSent) return;
  sendGatewayError(call.res, rejection.status, rejection.message, rejection.headers);
}

function phaseIndex(phase: Phase): number {
  return PHASES.indexOf(phase);
}

function isPromise(value: Outcome | Promise<Outcome> | void | Promise<void>): value is Promise<Outcome> {
  return typeof (value as Promise<Outcome> | undefined)?.then === 'function';
}
