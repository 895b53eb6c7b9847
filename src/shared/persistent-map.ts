/**
 * An immutable map from strings to values whose updates share structure: a hash array mapped trie
 * (32-way branches chosen by 5 bits of the key's hash at a time, at most 7 levels).
 *
 * Why this and not a copied `Map` or an overlay: the gateway's snapshot holds up to millions of
 * subscriptions and client applications and must be replaced, never mutated, on every change event
 * (a request that awaits in the middle still sees one consistent snapshot). Copying a `Map` costs
 * O(entries) per event; an overlay on a shared `Map` needs a periodic O(entries) compaction and
 * slows every lookup as it grows. Here an update copies only the path to the changed key
 * (≤ 7 nodes of ≤ 32 slots), so it costs O(changed keys) whatever the size, old snapshots stay
 * valid, and a lookup walks at most 7 nodes (4 or 5 for a million keys). A full build uses `from`,
 * which sorts the entries by hash and builds every node once.
 */
export class PersistentMap<V> {
  private constructor(
    private readonly root: Node<V> | undefined,
    readonly size: number,
  ) {}

  static empty<V>(): PersistentMap<V> {
    return new PersistentMap<V>(undefined, 0);
  }

  /**
   * Builds a map from entries (a later duplicate key wins) in one pass: entries are sorted by their
   * hash's 5-bit chunks, root chunk first, so each branch is one contiguous run, built bottom-up
   * without the path copies of one `set` per entry.
   */
  static from<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    const keys: string[] = [];
    const values: V[] = [];
    for (const [key, value] of entries) {
      keys.push(key);
      values.push(value);
    }
    const n = keys.length;
    if (n === 0) return PersistentMap.empty();
    const hashes = new Int32Array(n);
    const sortKeys = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      hashes[i] = hashOf(keys[i]!);
      sortKeys[i] = chunksRootFirst(hashes[i]!);
    }
    const order = radixSortIndexes(sortKeys);
    let size = 0;
    const build = (lo: number, hi: number, shift: number): Node<V> => {
      const first = hashes[order[lo]!]!;
      if (hi - lo === 1) {
        size++;
        return new Leaf(first, keys[order[lo]!]!, values[order[lo]!]!);
      }
      if (first === hashes[order[hi - 1]!]) {
        // One hash (sorted, so all between agree): a leaf, or a collision of distinct keys, later ones winning.
        const byKey = new Map<string, Leaf<V>>();
        for (let i = lo; i < hi; i++) {
          const at = order[i]!;
          byKey.delete(keys[at]!);
          byKey.set(keys[at]!, new Leaf(first, keys[at]!, values[at]!));
        }
        size += byKey.size;
        const leaves = [...byKey.values()];
        return leaves.length === 1 ? leaves[0]! : new Collision(first, leaves);
      }
      let bitmap = 0;
      const children: Node<V>[] = [];
      let start = lo;
      while (start < hi) {
        const chunk = (hashes[order[start]!]! >>> shift) & 31;
        let end = start + 1;
        while (end < hi && ((hashes[order[end]!]! >>> shift) & 31) === chunk) end++;
        bitmap |= 1 << chunk;
        children.push(build(start, end, shift + 5));
        start = end;
      }
      return new Branch(bitmap, children);
    };
    return new PersistentMap(build(0, n, 0), size);
  }

  get(key: string): V | undefined {
    const hash = hashOf(key);
    let node = this.root;
    let shift = 0;
    while (node !== undefined) {
      if (node instanceof Leaf) return node.hash === hash && node.key === key ? node.value : undefined;
      if (node instanceof Collision) {
        if (node.hash !== hash) return undefined;
        for (const leaf of node.leaves) if (leaf.key === key) return leaf.value;
        return undefined;
      }
      const bit = 1 << ((hash >>> shift) & 31);
      if ((node.bitmap & bit) === 0) return undefined;
      node = node.children[popcount(node.bitmap & (bit - 1))];
      shift += 5;
    }
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Every entry, in no particular order. */
  *entries(): IterableIterator<[string, V]> {
    const stack: Node<V>[] = this.root === undefined ? [] : [this.root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node instanceof Leaf) yield [node.key, node.value];
      else if (node instanceof Collision) for (const leaf of node.leaves) yield [leaf.key, leaf.value];
      else stack.push(...node.children);
    }
  }

  /** A new map with `key` set; this one is unchanged. */
  set(key: string, value: V): PersistentMap<V> {
    const counter = { added: 0 };
    const root = assoc(this.root, 0, hashOf(key), key, value, counter);
    return root === this.root ? this : new PersistentMap(root, this.size + counter.added);
  }

  /** A new map without `key` (this one when it was absent). */
  delete(key: string): PersistentMap<V> {
    if (this.root === undefined) return this;
    const root = dissoc(this.root, 0, hashOf(key), key);
    return root === this.root ? this : new PersistentMap(root, this.size - 1);
  }
}

class Leaf<V> {
  constructor(
    readonly hash: number,
    readonly key: string,
    readonly value: V,
  ) {}
}

/** Keys whose 32-bit hashes are equal (rare): compared one by one. */
class Collision<V> {
  constructor(
    readonly hash: number,
    readonly leaves: Leaf<V>[],
  ) {}
}

class Branch<V> {
  constructor(
    readonly bitmap: number,
    readonly children: Node<V>[],
  ) {}
}

type Node<V> = Leaf<V> | Collision<V> | Branch<V>;

function assoc<V>(node: Node<V> | undefined, shift: number, hash: number, key: string, value: V, counter: { added: number }): Node<V> {
  if (node === undefined) {
    counter.added++;
    return new Leaf(hash, key, value);
  }
  if (node instanceof Leaf) {
    if (node.hash === hash) {
      if (node.key === key) return node.value === value ? node : new Leaf(hash, key, value);
      counter.added++;
      return new Collision(hash, [node, new Leaf(hash, key, value)]);
    }
    return assoc(split(node, shift), shift, hash, key, value, counter);
  }
  if (node instanceof Collision) {
    if (node.hash === hash) {
      const at = node.leaves.findIndex((l) => l.key === key);
      const leaves = node.leaves.slice();
      if (at >= 0) leaves[at] = new Leaf(hash, key, value);
      else {
        leaves.push(new Leaf(hash, key, value));
        counter.added++;
      }
      return new Collision(hash, leaves);
    }
    return assoc(split(node, shift), shift, hash, key, value, counter);
  }
  const bit = 1 << ((hash >>> shift) & 31);
  const index = popcount(node.bitmap & (bit - 1));
  if ((node.bitmap & bit) === 0) {
    counter.added++;
    const children = node.children.slice();
    children.splice(index, 0, new Leaf(hash, key, value));
    return new Branch(node.bitmap | bit, children);
  }
  const child = node.children[index]!;
  const next = assoc(child, shift + 5, hash, key, value, counter);
  if (next === child) return node;
  const children = node.children.slice();
  children[index] = next;
  return new Branch(node.bitmap, children);
}

/** A branch holding one leaf (or collision), so a key with another hash can sit beside it. */
function split<V>(node: Leaf<V> | Collision<V>, shift: number): Branch<V> {
  return new Branch(1 << ((node.hash >>> shift) & 31), [node]);
}

function dissoc<V>(node: Node<V>, shift: number, hash: number, key: string): Node<V> | undefined {
  if (node instanceof Leaf) return node.hash === hash && node.key === key ? undefined : node;
  if (node instanceof Collision) {
    if (node.hash !== hash) return node;
    const leaves = node.leaves.filter((l) => l.key !== key);
    if (leaves.length === node.leaves.length) return node;
    return leaves.length === 1 ? leaves[0] : new Collision(hash, leaves);
  }
  const bit = 1 << ((hash >>> shift) & 31);
  if ((node.bitmap & bit) === 0) return node;
  const index = popcount(node.bitmap & (bit - 1));
  const child = node.children[index]!;
  const next = dissoc(child, shift + 5, hash, key);
  if (next === child) return node;
  if (next === undefined) {
    if (node.children.length === 1) return undefined;
    const children = node.children.slice();
    children.splice(index, 1);
    // A branch left with one leaf collapses into it: leaves carry their whole hash.
    if (children.length === 1 && !(children[0] instanceof Branch)) return children[0];
    return new Branch(node.bitmap & ~bit, children);
  }
  if (node.children.length === 1 && !(next instanceof Branch)) return next;
  const children = node.children.slice();
  children[index] = next;
  return new Branch(node.bitmap, children);
}

/**
 * Two UTF-16 code units per step, each step mixed by a multiply, then murmur3's final avalanche:
 * half the steps of FNV-1a on 64-character digests, and as few collisions as a random 32-bit hash.
 * Signed 32-bit, so V8 keeps it as a small integer in each leaf (an unsigned one above 2^31 would be
 * a separately allocated number: 16 more bytes for half the leaves).
 */
export function hashOf(key: string): number {
  let h = 0x811c9dc5 ^ key.length;
  let i = 0;
  for (; i + 1 < key.length; i += 2) {
    h ^= key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  }
  if (i < key.length) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** The hash with its 5-bit chunks reversed (the root's chunk on top), so sorting groups each branch's keys. */
function chunksRootFirst(hash: number): number {
  let out = 0;
  for (let shift = 0; shift < 30; shift += 5) out = (out << 5) | ((hash >>> shift) & 31);
  return ((out << 2) | (hash >>> 30)) >>> 0;
}

/** Indexes 0..n-1 ordered by sortKeys, stable (equal keys keep their input order): 4 passes of 8 bits. */
function radixSortIndexes(sortKeys: Uint32Array): Uint32Array {
  const n = sortKeys.length;
  let from = new Uint32Array(n);
  let to = new Uint32Array(n);
  for (let i = 0; i < n; i++) from[i] = i;
  for (let pass = 0; pass < 32; pass += 8) {
    const counts = new Uint32Array(257);
    for (let i = 0; i < n; i++) counts[((sortKeys[from[i]!]! >>> pass) & 255) + 1]!++;
    for (let b = 0; b < 256; b++) counts[b + 1]! += counts[b]!;
    for (let i = 0; i < n; i++) to[counts[(sortKeys[from[i]!]! >>> pass) & 255]!++] = from[i]!;
    [from, to] = [to, from];
  }
  return from;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
