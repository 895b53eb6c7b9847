import type { ChangeEvent } from './change-events.js';

export type { ChangeEvent, ChangeEventBody, ChangeEventType } from './change-events.js';

export type ChangeListener = (event: ChangeEvent) => Promise<void> | void;

/**
 * Announces committed writes, one event per write (store/change-unit.ts). Publishing awaits every
 * listener of this process, so when a management call returns, this process's gateway snapshot and
 * token view already reflect it (revocation takes effect on the next request). The in-process
 * implementation is below; one that spans processes (PostgreSQL LISTEN/NOTIFY) can follow.
 */
export interface ChangeFeed {
  subscribe(listener: ChangeListener): () => void;
  /** The highest config version this process has seen published (or started at). */
  readonly currentVersion: number;
  /** Called after the write's transaction committed; event.version is the version it bumped to. */
  publish(event: ChangeEvent): Promise<void>;
}

/** Listeners in this process only. Start it at the store's version (store.configVersion.current()). */
export class InProcessChangeFeed implements ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private version: number;

  constructor(startVersion = 0) {
    this.version = startVersion;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get currentVersion(): number {
    return this.version;
  }

  async publish(event: ChangeEvent): Promise<void> {
    if (event.version > this.version) this.version = event.version;
    for (const listener of this.listeners) await listener(event);
  }
}
