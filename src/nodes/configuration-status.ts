/**
 * "Has config version N reached every live node?" (GET …/configurationStatus, a Portico
 * extension; `portico status --wait-version N`). Reads the heartbeat rows, waiting up to a timeout
 * for every live node to report N.
 */
import type { NodeHeartbeat, NodeHeartbeatStore } from '../store/index.js';
import { NODE_STALE_MS } from './heartbeat.js';

export interface NodeStatus extends NodeHeartbeat {
  /** appliedVersion ≥ the version asked about. */
  readonly applied: boolean;
}

export interface ConfigurationStatus {
  /** The version asked about. */
  readonly version: number;
  /** The store's config version now. */
  readonly currentVersion: number;
  /** Every live node has applied `version` (false when no node is live). */
  readonly complete: boolean;
  /** Live nodes (seen in the last few seconds), by node id. */
  readonly nodes: readonly NodeStatus[];
}

const POLL_MS = 50;
/** Longest wait a caller may ask for (ms). */
export const MAX_STATUS_WAIT_MS = 60_000;

export async function configurationStatus(
  source: { readonly nodes: NodeHeartbeatStore; currentVersion(): Promise<number> },
  version: number | undefined,
  timeoutMs: number,
): Promise<ConfigurationStatus> {
  const deadline = Date.now() + Math.min(timeoutMs, MAX_STATUS_WAIT_MS);
  for (;;) {
    const currentVersion = await source.currentVersion();
    const wanted = version ?? currentVersion;
    const live = await source.nodes.listSeenSince(new Date(Date.now() - NODE_STALE_MS).toISOString());
    const nodes = live.map((node) => ({ ...node, applied: node.appliedVersion >= wanted }));
    const complete = nodes.length > 0 && nodes.every((node) => node.applied);
    if (complete || Date.now() >= deadline) return { version: wanted, currentVersion, complete, nodes };
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(1, deadline - Date.now()))));
  }
}
