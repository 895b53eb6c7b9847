/**
 * An immutable string-keyed map (a hash array mapped trie): `set` and `delete` return a new map that
 * shares every node but the path to the key, so an update costs O(log32 n) — at most a handful of
 * 32-slot arrays copied, whatever the size — and every earlier map stays valid and unchanged.
 *
 * Why this and not a copy-on-write `Map`: the token view applies one change event by replacing a few
 * entries, and copying a Map of 100k applications per event would make each write O(data) again.
 * Why not mutate in place behind a version number: a token request holds one directory across
 * `await`s, and it must not see half of a later event; with structural sharing it never can.
 */

const BITS = 5;
const MASK = (1 << BITS) - 1;
/** Buckets split into a branch above this many entries, while hash bits remain. */
const BUCKET_LIMIT = 8;
const MAX_SHIFT = 30;

interface Entry<V> {
  readonly key: string;
  readonly hash: number;
  readonly value: V;
}
interface Bucket<V> {
  readonly branch: false;
  readonly entries: Entry<V>[];
}
interface Branch<V> {
  readonly branch: true;
  readonly children: (TrieNode<V> | undefined)[];
}
type TrieNode<V> = Bucket<V> | Branch<V>;

/** FNV-1a over UTF-16 code units. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Inserts or replaces. `inPlace` is used only while building a map from scratch (no node is shared
 * yet), so a full load does not copy paths it just made.
 */
function insert<V>(node: TrieNode<V> | undefined, entry: Entry<V>, shift: number, inPlace: boolean): TrieNode<V> {
  if (node === undefined) return { branch: false, entries: [entry] };
  if (node.branch) {
    const index = (entry.hash >>> shift) & MASK;
    const child = node.children[index];
    const updated = insert(child, entry, shift + BITS, inPlace);
    if (updated === child) return node;
    const children = inPlace ? node.children : node.children.slice();
    children[index] = updated;
    return inPlace ? node : { branch: true, children };
  }
  const at = node.entries.findIndex((e) => e.key === entry.key);
  if (at >= 0) {
    if (node.entries[at]!.value === entry.value) return node;
    const entries = inPlace ? node.entries : node.entries.slice();
    entries[at] = entry;
    return inPlace ? node : { branch: false, entries };
  }
  if (node.entries.length < BUCKET_LIMIT || shift > MAX_SHIFT) {
    if (inPlace) {
      node.entries.push(entry);
      return node;
    }
    return { branch: false, entries: [...node.entries, entry] };
  }
  // Split the full bucket: a fresh branch, filled in place (none of its nodes is shared yet).
  let branch: TrieNode<V> = { branch: true, children: new Array<TrieNode<V> | undefined>(1 << BITS) };
  for (const e of node.entries) branch = insert(branch, e, shift, true);
  return insert(branch, entry, shift, true);
}

function remove<V>(node: TrieNode<V> | undefined, key: string, hash: number, shift: number): TrieNode<V> | undefined {
  if (node === undefined) return undefined;
  if (node.branch) {
    const index = (hash >>> shift) & MASK;
    const child = node.children[index];
    const updated = remove(child, key, hash, shift + BITS);
    if (updated === child) return node;
    const children = node.children.slice();
    children[index] = updated;
    return children.some((c) => c !== undefined) ? { branch: true, children } : undefined;
  }
  const at = node.entries.findIndex((e) => e.key === key);
  if (at < 0) return node;
  if (node.entries.length === 1) return undefined;
  return { branch: false, entries: node.entries.filter((_, i) => i !== at) };
}

export class PersistentMap<V> {
  private static readonly EMPTY = new PersistentMap<never>(undefined, 0);

  private constructor(
    private readonly root: TrieNode<V> | undefined,
    readonly size: number,
  ) {}

  static empty<V>(): PersistentMap<V> {
    return PersistentMap.EMPTY as PersistentMap<V>;
  }

  /** Builds a map in one pass (later entries win), without copying paths. */
  static from<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    let root: TrieNode<V> | undefined;
    const keys = new Set<string>();
    for (const [key, value] of entries) {
      root = insert(root, { key, hash: hashOf(key), value }, 0, true);
      keys.add(key);
    }
    return new PersistentMap(root, keys.size);
  }

  get(key: string): V | undefined {
    const hash = hashOf(key);
    let node = this.root;
    let shift = 0;
    while (node?.branch) {
      node = node.children[(hash >>> shift) & MASK];
      shift += BITS;
    }
    return node?.entries.find((e) => e.key === key)?.value;
  }

  /** Every entry, in no particular order. */
  *entries(): IterableIterator<[string, V]> {
    const stack: (TrieNode<V> | undefined)[] = [this.root];
    while (stack.length > 0) {
      const node = stack.pop();
      if (node === undefined) continue;
      if (node.branch) stack.push(...node.children);
      else for (const e of node.entries) yield [e.key, e.value];
    }
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: V): PersistentMap<V> {
    const root = insert(this.root, { key, hash: hashOf(key), value }, 0, false);
    if (root === this.root) return this;
    return new PersistentMap(root, this.has(key) ? this.size : this.size + 1);
  }

  delete(key: string): PersistentMap<V> {
    const root = remove(this.root, key, hashOf(key), 0);
    return root === this.root ? this : new PersistentMap(root, this.size - 1);
  }
}
