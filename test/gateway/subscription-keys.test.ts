import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/shared/crypto.js';
import { SubscriptionKeys, SubscriptionTableBuilder, type SubscriptionEntry } from '../../src/gateway/subscription-keys.js';
import type { SubscriptionKeyRow } from '../../src/store/scan-store.js';

// The gateway's subscriptions by key digest: a packed base table from the full build, and a
// persistent overlay for what events changed since. Compared here with a plain Map model.

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
}

const STATES = ['active', 'suspended', 'cancelled'] as const;

/** A stored row, with the expiry the view works out from it (the view's rows carry both). */
function row(id: string, generation: number, next: () => number): SubscriptionKeyRow & { expiresAt: number } {
  const expirationDate = next() % 5 === 0 ? new Date(Date.UTC(2027, 0, 1 + (next() % 30))).toISOString() : null;
  return {
    id,
    scope: `/products/p${next() % 3}`,
    state: STATES[next() % STATES.length]!,
    ownerId: next() % 4 === 0 ? null : `user-${next() % 20}`,
    expirationDate,
    expiresAt: expirationDate === null ? Number.POSITIVE_INFINITY : Date.parse(expirationDate),
    primaryKeyHash: sha256(`${id}-primary-${generation}`),
    secondaryKeyHash: sha256(`${id}-secondary-${generation}`),
  };
}

function build(rows: readonly SubscriptionKeyRow[], expected = rows.length): SubscriptionKeys {
  const builder = new SubscriptionTableBuilder(expected);
  for (const r of rows) builder.add(r);
  return builder.finish();
}

const entryOf = (r: SubscriptionEntry) => ({ id: r.id, scope: r.scope, state: r.state, ownerId: r.ownerId, expiresAt: r.expiresAt });

/** Every digest ever used answers as the model says; ids are found in any case; rows() lists the model. */
function expectSame(keys: SubscriptionKeys, model: ReadonlyMap<string, SubscriptionKeyRow>, digests: readonly string[]): void {
  const byDigest = new Map<string, SubscriptionKeyRow>();
  for (const r of model.values()) byDigest.set(r.primaryKeyHash, r).set(r.secondaryKeyHash, r);
  for (const digest of digests) {
    const want = byDigest.get(digest);
    const got = keys.get(digest);
    expect(got === undefined ? undefined : entryOf(got)).toEqual(want && entryOf(want as SubscriptionKeyRow & SubscriptionEntry));
  }
  for (const [id, r] of model) {
    expect(keys.find(id.toUpperCase())).toEqual(r);
  }
  const listed = [...keys.rows()].sort((a, b) => (a.id < b.id ? -1 : 1));
  expect(listed).toEqual([...model.values()].sort((a, b) => (a.id < b.id ? -1 : 1)));
}

describe('SubscriptionKeys', () => {
  it('finds every subscription of a full build by either key, and by id in any case', () => {
    const next = lcg(7);
    const rows = Array.from({ length: 2_000 }, (_, i) => row(i % 7 === 0 ? `Süb-✓-${i}` : `Sub-${i}`, 0, next)); // ids are kept as UTF-8 bytes
    const keys = build(rows);
    expectSame(keys, new Map(rows.map((r) => [r.id, r])), rows.flatMap((r) => [r.primaryKeyHash, r.secondaryKeyHash, sha256(`${r.id}-other`)]));
    expect(keys.find('no-such-subscription')).toBeUndefined();
  });

  it('behaves like a Map under random changes, and leaves earlier versions untouched', () => {
    const next = lcg(42);
    const ids = Array.from({ length: 300 }, (_, i) => `sub-${i}`);
    const initial = ids.filter(() => next() % 2 === 0).map((id) => row(id, 0, next));
    let keys = build(initial, 10); // grows past a low expected count
    const model = new Map(initial.map((r) => [r.id, r]));
    const digests = initial.flatMap((r) => [r.primaryKeyHash, r.secondaryKeyHash]);
    const history: [SubscriptionKeys, Map<string, SubscriptionKeyRow>][] = [];
    for (let step = 1; step <= 2_000; step++) {
      const id = ids[next() % ids.length]!;
      if (next() % 3 === 0) {
        keys = keys.with(id.toUpperCase(), undefined);
        model.delete(id);
      } else {
        const changed = row(id, next() % 2 === 0 ? step : 0, next); // a new key, or the same keys with another state
        keys = keys.with(id, changed);
        model.set(id, changed);
        digests.push(changed.primaryKeyHash, changed.secondaryKeyHash);
      }
      if (step % 400 === 0) history.push([keys, new Map(model)]);
    }
    expectSame(keys, model, digests);
    for (const [old, oldModel] of history) expectSame(old, oldModel, digests);
  });

  it('answers only the exact digest: no other case, padding, length or alphabet', () => {
    const r = row('exact', 0, lcg(1));
    const keys = build([r]);
    const digest = r.primaryKeyHash;
    expect(keys.get(digest)?.id).toBe('exact');
    const last = digest.at(-1)!;
    const variants = [
      `${digest}=`,
      digest.slice(0, -1),
      `${digest.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`,
      digest.toUpperCase() === digest ? digest.toLowerCase() : digest.toUpperCase(),
      `${digest.slice(0, 10)}+${digest.slice(11)}`,
      Buffer.from(digest, 'base64url').toString('hex'),
      '',
    ];
    for (const variant of variants) if (variant !== digest) expect(keys.get(variant)).toBeUndefined();
  });

  it('keeps rows whose digests are not canonical base64url, in the overlay, exactly as stored', () => {
    const odd: SubscriptionKeyRow = { id: 'odd', scope: '/apis/a', state: 'active', ownerId: null, expirationDate: null, primaryKeyHash: 'ABCDEF', secondaryKeyHash: 'not base64!' };
    const plain = row('plain', 0, lcg(2));
    let keys = build([odd, plain]);
    expect(keys.get('ABCDEF')?.id).toBe('odd');
    expect(keys.get('not base64!')?.id).toBe('odd');
    expect(keys.get(plain.secondaryKeyHash)?.id).toBe('plain');
    keys = keys.with('odd', undefined);
    expect(keys.get('ABCDEF')).toBeUndefined();
    expect([...keys.rows()].map((r) => r.id)).toEqual(['plain']);
  });

  it('starts empty', () => {
    const keys = SubscriptionKeys.empty();
    expect(keys.get(sha256('x'))).toBeUndefined();
    const r = row('new', 0, lcg(3));
    expect(keys.with('new', r).get(r.primaryKeyHash)).toEqual(r);
  });
});
