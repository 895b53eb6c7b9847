import type { SubscriptionState } from '../management/management-store.js';
import { lowerCased } from '../shared/interning.js';
import { hashOf, PersistentMap } from '../shared/persistent-map.js';
import type { SubscriptionKeyRow } from '../store/scan-store.js';

/** What a key lookup answers (the request path reads these). */
export interface SubscriptionEntry {
  readonly id: string;
  readonly scope: string;
  readonly state: SubscriptionState;
  readonly ownerId: string | null;
  /** expirationDate in ms since the epoch; Infinity when the subscription does not expire. */
  readonly expiresAt: number;
}

/** A stored row as the view keeps it: the row and its expiry as a number, worked out once. */
type ViewRow = SubscriptionKeyRow & { readonly expiresAt: number };

/** Marks, in the overlay, a key or id of the base table that is gone. */
const REMOVED = 0 as const;
type Overlaid = ViewRow | typeof REMOVED;

/** expirationDate → ms since the epoch; none: Infinity; unreadable: 0 (refused, never valid forever). */
export function expiryOf(expirationDate: string | null): number {
  if (expirationDate === null) return Number.POSITIVE_INFINITY;
  const ms = Date.parse(expirationDate);
  return Number.isNaN(ms) ? 0 : ms;
}

function viewRow(row: SubscriptionKeyRow): ViewRow {
  return { ...row, expiresAt: expiryOf(row.expirationDate) };
}

/**
 * Every subscription by both of its key digests (SHA-256, base64url as shared/crypto's sha256
 * writes them), and by id for applying events; immutable, so a request keeps the state it started
 * with.
 *
 * Two layers. The base is what the last full build read, packed into a few flat arrays: the
 * digests as bytes in one buffer, the ids as UTF-8 bytes in another, scope / state / owner as
 * codes into one table of distinct strings, and two open-addressing hash tables of row numbers (by
 * digest, by lower-cased id): about 120 bytes a subscription, mostly outside the JS heap, where one
 * object per subscription with its strings and map entries took over 500. The overlay holds what changed since, as persistent maps (PersistentMap) from
 * digest and from id to the subscription as re-read, or to REMOVED for a base entry that is gone;
 * an event changes only the overlay, in O(changed keys), and shares everything else. The overlay is
 * dropped at the next full build.
 */
export class SubscriptionKeys {
  private constructor(
    private readonly base: SubscriptionTable,
    private readonly byKey: PersistentMap<Overlaid>,
    private readonly byId: PersistentMap<Overlaid>,
  ) {}

  static empty(): SubscriptionKeys {
    return new SubscriptionTableBuilder(0).finish();
  }

  /** The subscription one of whose keys has this digest (sha256 of the key). */
  get(keyHash: string): SubscriptionEntry | undefined {
    if (this.byKey.size > 0) {
      const overlaid = this.byKey.get(keyHash);
      if (overlaid !== undefined) return overlaid === REMOVED ? undefined : overlaid;
    }
    const slot = this.base.findKey(keyHash);
    return slot < 0 ? undefined : this.base.entry(slot >>> 1);
  }

  /** The subscription as this view holds it, by id in any case, with its key digests. */
  find(id: string): ViewRow | undefined {
    const key = lowerCased(id);
    const overlaid = this.byId.get(key);
    if (overlaid !== undefined) return overlaid === REMOVED ? undefined : overlaid;
    const row = this.base.findId(key);
    return row < 0 ? undefined : this.base.row(row);
  }

  /** A new view in which the subscription `id` is `row` (as just re-read), or is gone (undefined). */
  with(id: string, row: SubscriptionKeyRow | undefined): SubscriptionKeys {
    const key = lowerCased(id);
    let byKey = this.byKey;
    const before = this.find(key);
    if (before) {
      for (const hash of [before.primaryKeyHash, before.secondaryKeyHash]) {
        byKey = this.base.findKey(hash) >= 0 ? byKey.set(hash, REMOVED) : byKey.delete(hash);
      }
    }
    let byId: PersistentMap<Overlaid>;
    if (row) {
      const kept = viewRow(row);
      byKey = byKey.set(row.primaryKeyHash, kept).set(row.secondaryKeyHash, kept);
      byId = this.byId.set(key, kept);
    } else {
      byId = this.base.findId(key) >= 0 ? this.byId.set(key, REMOVED) : this.byId.delete(key);
    }
    return new SubscriptionKeys(this.base, byKey, byId);
  }

  /** Every subscription, in no particular order (tests compare views with it). */
  *rows(): IterableIterator<ViewRow> {
    for (let i = 0; i < this.base.count; i++) {
      const row = this.base.row(i);
      if (!this.byId.has(lowerCased(row.id))) yield row;
    }
    for (const [, row] of this.byId.entries()) if (row !== REMOVED) yield row;
  }

  /** Used by SubscriptionTableBuilder only. */
  static fromTable(table: SubscriptionTable, odd: readonly SubscriptionKeyRow[]): SubscriptionKeys {
    let keys = new SubscriptionKeys(table, PersistentMap.empty(), PersistentMap.empty());
    for (const row of odd) keys = keys.with(row.id, row);
    return keys;
  }
}

/**
 * Collects the rows of a full build, page by page, into the base table's flat arrays. `expected`
 * (a count read just before) sizes them; more rows than that (written meanwhile) grow them.
 */
export class SubscriptionTableBuilder {
  private count = 0;
  private capacity: number;
  private readonly ids: IdBytes;
  private scopes: Uint32Array;
  private states: Uint32Array;
  private owners: Uint32Array;
  private expirations: Uint32Array;
  private expiries: Float64Array;
  private digests: Buffer;
  private readonly strings = new StringCodes();
  /** Rows whose digests are not canonical 43-character base64url (none, as the code writes them): kept in the overlay. */
  private readonly odd: SubscriptionKeyRow[] = [];

  constructor(expected: number) {
    this.capacity = Math.max(16, expected);
    this.scopes = new Uint32Array(this.capacity);
    this.states = new Uint32Array(this.capacity);
    this.owners = new Uint32Array(this.capacity);
    this.expirations = new Uint32Array(this.capacity);
    this.expiries = new Float64Array(this.capacity);
    this.digests = Buffer.alloc(this.capacity * ROW_DIGEST_BYTES);
    this.ids = new IdBytes(this.capacity);
  }

  get added(): number {
    return this.count + this.odd.length;
  }

  add(row: SubscriptionKeyRow): void {
    if (this.count === this.capacity) this.grow();
    const i = this.count;
    const at = i * ROW_DIGEST_BYTES;
    if (!decodeDigest(row.primaryKeyHash, this.digests, at) || !decodeDigest(row.secondaryKeyHash, this.digests, at + DIGEST_BYTES)) {
      this.odd.push(row);
      return;
    }
    this.count++;
    this.ids.add(row.id);
    this.scopes[i] = this.strings.code(row.scope, 0);
    this.states[i] = this.strings.code(row.state, 1);
    this.owners[i] = row.ownerId === null ? NULL_CODE : this.strings.code(row.ownerId, 2);
    // Most subscriptions never expire: code 0 and Infinity, nothing parsed.
    this.expirations[i] = row.expirationDate === null ? NULL_CODE : this.strings.code(row.expirationDate, 3);
    this.expiries[i] = expiryOf(row.expirationDate);
  }

  finish(): SubscriptionKeys {
    const n = this.count;
    // Trimmed to size: a copy only when the count was not known exactly.
    const table = new SubscriptionTable(
      n,
      this.ids.finish(),
      n === this.capacity ? this.scopes : this.scopes.slice(0, n),
      n === this.capacity ? this.states : this.states.slice(0, n),
      n === this.capacity ? this.owners : this.owners.slice(0, n),
      n === this.capacity ? this.expirations : this.expirations.slice(0, n),
      n === this.capacity ? this.expiries : this.expiries.slice(0, n),
      n === this.capacity ? this.digests : Buffer.from(this.digests.subarray(0, n * ROW_DIGEST_BYTES)),
      this.strings.table(),
    );
    return SubscriptionKeys.fromTable(table, this.odd);
  }

  private grow(): void {
    this.capacity *= 2;
    const widen = (a: Uint32Array): Uint32Array => {
      const b = new Uint32Array(this.capacity);
      b.set(a);
      return b;
    };
    this.scopes = widen(this.scopes);
    this.states = widen(this.states);
    this.owners = widen(this.owners);
    this.expirations = widen(this.expirations);
    const expiries = new Float64Array(this.capacity);
    expiries.set(this.expiries);
    this.expiries = expiries;
    const digests = Buffer.alloc(this.capacity * ROW_DIGEST_BYTES);
    this.digests.copy(digests);
    this.digests = digests;
  }
}

const DIGEST_BYTES = 32;
const ROW_DIGEST_BYTES = 2 * DIGEST_BYTES;
const DIGEST_CHARS = 43; // 32 bytes in unpadded base64url
const NULL_CODE = 0;
/** Char code → value of a base64url character, -1 for anything else. */
const BASE64URL = new Int8Array(65536).fill(-1);
for (let c = 0; c < 64; c++) BASE64URL['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.charCodeAt(c)] = c;
/** One digest decoded by findKey (synchronous, so one scratch buffer serves every call). */
const scratch = new Uint8Array(DIGEST_BYTES);

/**
 * Decodes a SHA-256 digest in canonical unpadded base64url (what digest('base64url') writes) into
 * `out` at `at`; false, with `out` partly written, for anything else (wrong length, a character
 * outside the alphabet, non-zero padding bits), so two different strings never decode alike.
 */
function decodeDigest(text: string, out: Uint8Array, at: number): boolean {
  if (text.length !== DIGEST_CHARS) return false;
  let o = at;
  for (let i = 0; i < 40; i += 4) {
    const a = BASE64URL[text.charCodeAt(i)]!;
    const b = BASE64URL[text.charCodeAt(i + 1)]!;
    const c = BASE64URL[text.charCodeAt(i + 2)]!;
    const d = BASE64URL[text.charCodeAt(i + 3)]!;
    if ((a | b | c | d) < 0) return false;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 255;
    out[o++] = n & 255;
  }
  const a = BASE64URL[text.charCodeAt(40)]!;
  const b = BASE64URL[text.charCodeAt(41)]!;
  const c = BASE64URL[text.charCodeAt(42)]!;
  if ((a | b | c) < 0 || (c & 3) !== 0) return false;
  const n = (a << 12) | (b << 6) | c; // 16 bits of digest and 2 zero bits
  out[o++] = n >>> 10;
  out[o] = (n >>> 2) & 255;
  return true;
}

/** Distinct strings → small codes; code 0 stands for null. */
class StringCodes {
  private readonly codes = new Map<string, number>();
  private readonly strings: (string | null)[] = [null];
  // The last value looked up per column: consecutive rows mostly repeat a scope and a state, and
  // comparing with the last one is cheaper than hashing a fresh string for the map.
  private readonly last: (string | undefined)[] = [];
  private readonly lastCodes: number[] = [];

  /** The code of `value`; `column` names the column it came from (0, 1, …), for the one-value cache. */
  code(value: string, column: number): number {
    if (this.last[column] === value) return this.lastCodes[column]!;
    const code = this.lookUp(value);
    this.last[column] = value;
    this.lastCodes[column] = code;
    return code;
  }

  private lookUp(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.strings.length;
      this.strings.push(value);
      this.codes.set(value, code);
    }
    return code;
  }

  table(): readonly (string | null)[] {
    return this.strings;
  }
}

/**
 * Subscription ids as UTF-8 bytes in one buffer, row i at bytes starts[i]..starts[i + 1]: outside
 * the JS heap (a million id strings are 40 MB of heap that every major collection walks), and a
 * lookup makes the one string it returns.
 */
interface PackedIds {
  at(row: number): string;
}

class IdBytes {
  private bytes: Buffer;
  private starts: Uint32Array;
  private count = 0;

  constructor(expected: number) {
    this.bytes = Buffer.alloc(16 * expected);
    this.starts = new Uint32Array(expected + 1);
  }

  add(id: string): void {
    const at = this.starts[this.count]!;
    const length = Buffer.byteLength(id, 'utf8');
    if (at + length > this.bytes.length) {
      const bytes = Buffer.alloc(Math.max(2 * this.bytes.length, at + length));
      this.bytes.copy(bytes, 0, 0, at);
      this.bytes = bytes;
    }
    if (this.count + 2 > this.starts.length) {
      const starts = new Uint32Array(2 * this.starts.length);
      starts.set(this.starts);
      this.starts = starts;
    }
    this.bytes.write(id, at, length, 'utf8');
    this.starts[++this.count] = at + length;
  }

  finish(): PackedIds {
    const end = this.starts[this.count]!;
    const bytes = Buffer.from(this.bytes.subarray(0, end)); // trimmed copies: the growth slack goes
    const starts = this.starts.slice(0, this.count + 1);
    return { at: (row) => bytes.toString('utf8', starts[row]!, starts[row + 1]!) };
  }
}

/** The base layer: flat arrays, never changed after the build. */
class SubscriptionTable {
  /** Slot → 1 + (row × 2 + which key), 0 when empty; at most half full. */
  private readonly keySlots: Uint32Array;
  /** Slot → 1 + row, by the hash of the lower-cased id. */
  private readonly idSlots: Uint32Array;

  constructor(
    readonly count: number,
    private readonly ids: PackedIds,
    private readonly scopes: Uint32Array,
    private readonly states: Uint32Array,
    private readonly owners: Uint32Array,
    private readonly expirations: Uint32Array,
    private readonly expiries: Float64Array,
    private readonly digests: Buffer,
    private readonly strings: readonly (string | null)[],
  ) {
    this.keySlots = new Uint32Array(tableSize(2 * count));
    const keyMask = this.keySlots.length - 1;
    for (let k = 0; k < 2 * count; k++) {
      let slot = this.digests.readUInt32BE(k * DIGEST_BYTES) & keyMask;
      while (this.keySlots[slot] !== 0) slot = (slot + 1) & keyMask;
      this.keySlots[slot] = k + 1;
    }
    this.idSlots = new Uint32Array(tableSize(count));
    const idMask = this.idSlots.length - 1;
    for (let row = 0; row < count; row++) {
      let slot = hashOf(lowerCased(ids.at(row))) & idMask;
      while (this.idSlots[slot] !== 0) slot = (slot + 1) & idMask;
      this.idSlots[slot] = row + 1;
    }
  }

  /** The key number (row × 2 + 0 primary / 1 secondary) whose digest is this one, or -1. */
  findKey(digest: string): number {
    if (this.count === 0 || !decodeDigest(digest, scratch, 0)) return -1;
    const mask = this.keySlots.length - 1;
    let slot = ((scratch[0]! << 24) | (scratch[1]! << 16) | (scratch[2]! << 8) | scratch[3]!) & mask;
    for (let k = this.keySlots[slot]!; k !== 0; slot = (slot + 1) & mask, k = this.keySlots[slot]!) {
      if (this.digestEquals(k - 1)) return k - 1;
    }
    return -1;
  }

  /** The row of the lower-cased id, or -1. */
  findId(lowerId: string): number {
    if (this.count === 0) return -1;
    const mask = this.idSlots.length - 1;
    let slot = hashOf(lowerId) & mask;
    for (let r = this.idSlots[slot]!; r !== 0; slot = (slot + 1) & mask, r = this.idSlots[slot]!) {
      if (lowerCased(this.ids.at(r - 1)) === lowerId) return r - 1;
    }
    return -1;
  }

  entry(row: number): SubscriptionEntry {
    return {
      id: this.ids.at(row),
      scope: this.strings[this.scopes[row]!]!,
      state: this.strings[this.states[row]!] as SubscriptionState,
      ownerId: this.strings[this.owners[row]!] ?? null,
      expiresAt: this.expiries[row]!,
    };
  }

  row(row: number): ViewRow {
    return {
      ...this.entry(row),
      expirationDate: this.strings[this.expirations[row]!] ?? null,
      primaryKeyHash: this.digests.toString('base64url', row * ROW_DIGEST_BYTES, row * ROW_DIGEST_BYTES + DIGEST_BYTES),
      secondaryKeyHash: this.digests.toString('base64url', row * ROW_DIGEST_BYTES + DIGEST_BYTES, (row + 1) * ROW_DIGEST_BYTES),
    };
  }

  /** Whether key number `key` has the digest decoded into `scratch`. */
  private digestEquals(key: number): boolean {
    const at = key * DIGEST_BYTES;
    for (let i = 0; i < DIGEST_BYTES; i++) if (this.digests[at + i] !== scratch[i]) return false;
    return true;
  }
}

/** A power of two at least twice `entries` (open addressing stays short when at most half full). */
function tableSize(entries: number): number {
  let size = 16;
  while (size < 2 * entries) size *= 2;
  return size;
}
