import type { Store } from '../../store/store.js';
import { normaliseUri } from '../directory/applications.js';

/** A missed lookup rebuilds the index at most this often (misses can be attacker-driven). */
const REBUILD_ON_MISS_MS = 1_000; // 1 second

/**
 * Identifier URI → appId, kept in memory so the token endpoint does not scan every application per
 * request. Dropped on each directory change event; a miss also triggers a (rate-limited) rebuild,
 * in case a change was made by another process.
 */
export class ResourceIndex {
  private index: Map<string, string> | undefined;
  private builtAt = 0;
  private building: Promise<Map<string, string>> | undefined;

  constructor(private readonly store: Store) {}

  invalidate(): void {
    this.index = undefined;
  }

  async appIdFor(identifierUri: string): Promise<string | undefined> {
    const key = normaliseUri(identifierUri);
    const found = (this.index ?? (await this.build())).get(key);
    if (found !== undefined || Date.now() - this.builtAt < REBUILD_ON_MISS_MS) return found;
    return (await this.build()).get(key);
  }

  private build(): Promise<Map<string, string>> {
    this.building ??= (async () => {
      try {
        const index = new Map<string, string>();
        for (const app of await this.store.directory.listApplications()) {
          for (const uri of app.identifierUris) index.set(normaliseUri(uri), app.appId);
        }
        this.index = index;
        this.builtAt = Date.now();
        return index;
      } finally {
        this.building = undefined;
      }
    })();
    return this.building;
  }
}
