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
 * valid, and a lookup walks at most 7 nodes. A full build uses `from`, which fills the nodes in
 * place before anyone can see them.
 */
export class PersistentMap<V> {
  private constructor(
    private readonly root: Node<V> | undefined,
    readonly size: number,
  ) {}

  static empty<V>(): PersistentMap<V> {
    return new PersistentMap<V>(undefined, 0);
  }

  /** Builds a map from entries (a later duplicate key wins), mutating nodes nobody else sees yet. */
  static from<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    const edit = {};
    let root: Node<V> | undefined;
    const counter = { added: 0 };
    for (const [key, value] of entries) root = assoc(root, 0, hashOf(key), key, value, edit, counter);
    return new PersistentMap(root, counter.added);
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

  /** A new map with `key` set; this one is unchanged. */
  set(key: string, value: V): PersistentMap<V> {
    const counter = { added: 0 };
    const root = assoc(this.root, 0, hashOf(key), key, value, undefined, counter);
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
    public bitmap: number,
    readonly children: Node<V>[],
    /** The build that may still mutate this node (PersistentMap.from); undefined once shared. */
    readonly edit: object | undefined,
  ) {}
}

type Node<V> = Leaf<V> | Collision<V> | Branch<V>;

function assoc<V>(node: Node<V> | undefined, shift: number, hash: number, key: string, value: V, edit: object | undefined, counter: { added: number }): Node<V> {
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
    return assoc(split(node, shift, edit), shift, hash, key, value, edit, counter);
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
    return assoc(split(node, shift, edit), shift, hash, key, value, edit, counter);
  }
  const bit = 1 << ((hash >>> shift) & 31);
  const index = popcount(node.bitmap & (bit - 1));
  if ((node.bitmap & bit) === 0) {
    counter.added++;
    const leaf = new Leaf(hash, key, value);
    if (edit !== undefined && node.edit === edit) {
      node.children.splice(index, 0, leaf);
      node.bitmap |= bit;
      return node;
    }
    const children = node.children.slice();
    children.splice(index, 0, leaf);
    return new Branch(node.bitmap | bit, children, edit);
  }
  const child = node.children[index]!;
  const next = assoc(child, shift + 5, hash, key, value, edit, counter);
  if (next === child) return node;
  if (edit !== undefined && node.edit === edit) {
    node.children[index] = next;
    return node;
  }
  const children = node.children.slice();
  children[index] = next;
  return new Branch(node.bitmap, children, edit);
}

/** A branch holding one leaf (or collision), so a key with another hash can sit beside it. */
function split<V>(node: Leaf<V> | Collision<V>, shift: number, edit: object | undefined): Branch<V> {
  return new Branch(1 << ((node.hash >>> shift) & 31), [node], edit);
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
    return new Branch(node.bitmap & ~bit, children, undefined);
  }
  if (node.children.length === 1 && !(next instanceof Branch)) return next;
  const children = node.children.slice();
  children[index] = next;
  return new Branch(node.bitmap, children, undefined);
}

/** FNV-1a over UTF-16 code units: cheap, and spreads hex digests and GUIDs well. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
