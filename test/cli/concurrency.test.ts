/** mapConcurrently: the bound, the order of results, and the first failure. */
import { describe, expect, it } from 'vitest';
import { mapConcurrently } from '../../src/cli/concurrency.js';

/** Calls that finish only when the test says so, recording how many run at once. */
function controlledCalls() {
  const pending = new Map<number, { resolve: (value: string) => void; reject: (error: Error) => void }>();
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const fn = (item: number) =>
    new Promise<string>((resolve, reject) => {
      running += 1;
      peak = Math.max(peak, running);
      started.push(item);
      pending.set(item, {
        resolve: (value) => { running -= 1; resolve(value); },
        reject: (error) => { running -= 1; reject(error); },
      });
    });
  const settle = async (): Promise<void> => { for (let i = 0; i < 5; i++) await Promise.resolve(); };
  return { fn, pending, started, settle, get running() { return running; }, get peak() { return peak; } };
}

describe('mapConcurrently', () => {
  it('runs at most `limit` calls at once, starts the next as one finishes, and keeps the input order', async () => {
    const calls = controlledCalls();
    const items = Array.from({ length: 12 }, (_, i) => i);
    const done = mapConcurrently(items, 8, calls.fn);
    await calls.settle();
    expect(calls.started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // Finish out of order: each finished call makes room for exactly one more.
    calls.pending.get(5)!.resolve('five');
    await calls.settle();
    expect(calls.started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(calls.running).toBe(8);
    // The newest first: 9, 10 and 11 start only as room is made.
    for (const item of [8, 9, 10, 11, 7, 6, 4, 3, 2, 1, 0]) {
      expect(calls.pending.has(item)).toBe(true);
      calls.pending.get(item)!.resolve(`#${item}`);
      await calls.settle();
      expect(calls.running).toBeLessThanOrEqual(8);
    }
    expect(await done).toEqual(['#0', '#1', '#2', '#3', '#4', 'five', '#6', '#7', '#8', '#9', '#10', '#11']);
    expect(calls.peak).toBe(8);
  });

  it('with fewer items than the limit, starts them all; with none, answers at once', async () => {
    const calls = controlledCalls();
    const done = mapConcurrently([1, 2, 3], 8, calls.fn);
    await calls.settle();
    expect(calls.started).toEqual([1, 2, 3]);
    for (const item of [1, 2, 3]) calls.pending.get(item)!.resolve(String(item));
    expect(await done).toEqual(['1', '2', '3']);
    expect(await mapConcurrently([], 8, calls.fn)).toEqual([]);
  });

  it('rejects with the first failure and starts no further call', async () => {
    const calls = controlledCalls();
    const done = mapConcurrently([0, 1, 2, 3, 4], 2, calls.fn);
    await calls.settle();
    calls.pending.get(1)!.reject(new Error('ResourceNotFound'));
    await expect(done).rejects.toThrow('ResourceNotFound');
    calls.pending.get(0)!.resolve('late');
    await calls.settle();
    expect(calls.started).toEqual([0, 1]);
  });

  it('refuses a limit below 1', async () => {
    await expect(mapConcurrently([1], 0, async (n) => n)).rejects.toThrow('limit must be a whole number of at least 1, got 0');
  });
});
