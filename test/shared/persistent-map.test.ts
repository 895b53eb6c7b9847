import { describe, expect, it } from 'vitest';
import { PersistentMap } from '../../src/shared/persistent-map.js';

// Deterministic pseudo-random sequence, so a failure can be replayed.
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
}

function expectSame(map: PersistentMap<number>, model: ReadonlyMap<string, number>, universe: readonly string[]): void {
  expect(map.size).toBe(model.size);
  for (const key of universe) expect(map.get(key)).toBe(model.get(key));
}

describe('PersistentMap', () => {
  it('behaves like a Map under random sets and deletes, and leaves earlier versions untouched', () => {
    const next = lcg(42);
    const universe = Array.from({ length: 600 }, (_, i) => `key-${i}`);
    let map = PersistentMap.empty<number>();
    const model = new Map<string, number>();
    const history: [PersistentMap<number>, Map<string, number>][] = [];
    for (let step = 0; step < 4_000; step++) {
      const key = universe[next() % universe.length]!;
      if (next() % 3 === 0) {
        map = map.delete(key);
        model.delete(key);
      } else {
        const value = next() % 1000;
        map = map.set(key, value);
        model.set(key, value);
      }
      if (step % 500 === 0) history.push([map, new Map(model)]);
    }
    expectSame(map, model, universe);
    for (const [old, oldModel] of history) expectSame(old, oldModel, universe);
  });

  it('builds from entries like a Map (later duplicates win), and a built map updates persistently', () => {
    const entries = Array.from({ length: 5_000 }, (_, i) => [`k${i % 4_000}`, i] as const);
    const built = PersistentMap.from(entries);
    const model = new Map(entries);
    const universe = Array.from({ length: 4_100 }, (_, i) => `k${i}`);
    expectSame(built, model, universe);
    const changed = built.set('k1', -1).delete('k2').set('new', 7);
    expect([changed.get('k1'), changed.get('k2'), changed.get('new'), changed.size]).toEqual([-1, undefined, 7, 4_000]);
    expectSame(built, model, universe);
  });

  it('keeps keys whose hashes collide apart', () => {
    // 'k176179' and 'k733024' have the same 32-bit hash (hashOf).
    let map = PersistentMap.from<number>([['k176179', 1], ['k733024', 2], ['other', 3]]);
    expect([map.get('k176179'), map.get('k733024'), map.get('other'), map.size]).toEqual([1, 2, 3, 3]);
    map = map.set('k733024', 20);
    expect([map.get('k176179'), map.get('k733024')]).toEqual([1, 20]);
    map = map.delete('k176179');
    expect([map.get('k176179'), map.get('k733024'), map.get('other'), map.size]).toEqual([undefined, 20, 3, 2]);
    map = map.set('k176179', 10);
    expect([map.get('k176179'), map.get('k733024'), map.size]).toEqual([10, 20, 3]);
  });

  it('returns itself for a no-op', () => {
    const map = PersistentMap.from([['a', 1] as const]);
    expect(map.set('a', 1)).toBe(map);
    expect(map.delete('b')).toBe(map);
    expect(PersistentMap.empty<number>().delete('a').size).toBe(0);
  });
});
