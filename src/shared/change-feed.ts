/**
 * Announces committed writes. Publishing awaits every listener, so when a management call returns,
 * this process's gateway snapshot already reflects it (revocation takes effect on the next request).
 */
export interface ChangeEvent {
  readonly entity: string; // e.g. 'product', 'clientApplication', 'directory'
  readonly id: string;
  readonly version: number; // process-wide, increasing
}

export type ChangeListener = (event: ChangeEvent) => Promise<void> | void;

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private version = 0;

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get currentVersion(): number {
    return this.version;
  }

  async publish(entity: string, id: string): Promise<void> {
    const event: ChangeEvent = { entity, id, version: ++this.version };
    for (const listener of this.listeners) await listener(event);
  }
}
