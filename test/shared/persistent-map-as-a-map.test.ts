import { describe, expect, it } from 'vitest';
import { PersistentMap } from '../../src/shared/persistent-map.js';

const sorted = <V>(map: PersistentMap<V>) => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe('PersistentMap', () => {
  it('behaves as a Map under random sets and deletes, across bucket splits', () => {
    let map = PersistentMap.empty<number>();
    const model = new Map<string, number>();
    let seed = 42;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 20_000; i++) {
      const key = `k${Math.floor(random() * 3000)}`;
      if (random() < 0.3) {
        map = map.delete(key);
        model.delete(key);
      } else {
        map = map.set(key, i);
        model.set(key, i);
      }
    }
    expect(map.size).toBe(model.size);
    for (const [key, value] of model) expect(map.get(key)).toBe(value);
    expect(map.get('absent')).toBeUndefined();
    expect(sorted(map)).toEqual([...model].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('leaves every earlier map unchanged and shares it when nothing changes', () => {
    const base = PersistentMap.from(Array.from({ length: 1000 }, (_, i) => [`key-${i}`, i] as const));
    const changed = base.set('key-5', -5).delete('key-6').set('new', 1);
    expect([base.get('key-5'), base.get('key-6'), base.get('new'), base.size]).toEqual([5, 6, undefined, 1000]);
    expect([changed.get('key-5'), changed.get('key-6'), changed.get('new'), changed.size]).toEqual([-5, undefined, 1, 1000]);
    expect(base.set('key-7', 7)).toBe(base);
    expect(base.delete('absent')).toBe(base);
  });

  it('from: later entries win', () => {
    const map = PersistentMap.from([['a', 1], ['b', 2], ['a', 3]]);
    expect([map.get('a'), map.get('b'), map.size]).toEqual([3, 2, 2]);
  });
});
