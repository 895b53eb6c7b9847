/**
 * This node's heartbeat row (node_heartbeats, migration 0015): its roles and the config version
 * every view of it has applied, written about every second and again as soon as a change event
 * has been applied (so a revocation's confirmation waits for no timer). docs/operations.md, Nodes.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { ChangeFeed } from '../shared/index.js';
import type { NodeHeartbeatStore } from '../store/index.js';

/** How often a node writes its row when nothing changes (ms). */
export const HEARTBEAT_INTERVAL_MS = 1_000;
/** A node whose row is older than this is not live: configurationStatus leaves it out (ms). */
export const NODE_STALE_MS = 5_000;
/** Rows older than this are deleted by the node that leads the `housekeeping` job (ms). */
export const NODE_FORGET_MS = 3_600_000;

export interface NodeIdentity {
  readonly nodeId: string;
  readonly roles: readonly string[];
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
}

/** `host:pid:random`: unique even when a pid is reused or two containers share a hostname. */
export function newNodeIdentity(roles: readonly string[]): NodeIdentity {
  const host = hostname();
  return { nodeId: `${host}:${process.pid}:${randomBytes(4).toString('hex')}`, roles, host, pid: process.pid, startedAt: new Date().toISOString() };
}

export interface HeartbeatWriter {
  stop(): Promise<void>;
}

/**
 * Subscribe it after every other listener of the feed: when it hears an event, the views before it
 * (gateway snapshot, token view, the relay to --workers processes) have applied it.
 */
export function startHeartbeat(options: { readonly node: NodeIdentity; readonly nodes: NodeHeartbeatStore; readonly feed: ChangeFeed; readonly logger: Logger }): HeartbeatWriter {
  const { node, nodes, feed, logger } = options;
  let applied = feed.currentVersion;
  let writing: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let failing = false;

  const write = (): void => {
    if (stopped) return;
    if (writing) {
      again = true;
      return;
    }
    const health = feed.health();
    writing = nodes
      .beat({ ...node, appliedVersion: Math.max(applied, health.appliedVersion), feedConnected: health.connected, lastSeenAt: new Date().toISOString() })
      .then(
        () => {
          if (failing) logger.info('node heartbeat written again');
          failing = false;
        },
        (err: unknown) => {
          if (!failing) logger.warn({ err }, 'could not write this node’s heartbeat; other nodes will see it as not live until it can');
          failing = true;
        },
      )
      .finally(() => {
        writing = undefined;
        if (again) {
          again = false;
          write();
        }
      });
  };

  const unsubscribe = feed.subscribe((event) => {
    if (event.version > applied) applied = event.version;
    write();
  });
  const timer = setInterval(write, HEARTBEAT_INTERVAL_MS);
  timer.unref();
  write();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      unsubscribe();
      await writing;
      // Gone, not stale: configurationStatus stops waiting for it at once.
      await nodes.remove(node.nodeId).catch(() => undefined);
    },
  };
}
