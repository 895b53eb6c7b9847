import { describe, expect, it } from 'vitest';
import { coalesce } from '../../src/gateway/gateway.js';

describe('coalesce (snapshot reloads)', () => {
  it('runs once more after the current run, however many calls arrive meanwhile', async () => {
    let runs = 0;
    let release!: () => void;
    const task = coalesce(async () => {
      runs++;
      if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const first = task();
    const waiting = [task(), task(), task(), task()];
    expect(runs).toBe(1);
    release();
    await Promise.all([first, ...waiting]);
    expect(runs).toBe(2);
    await task();
    expect(runs).toBe(3);
  });

  it('still runs the follow-up when the current run fails', async () => {
    let runs = 0;
    const task = coalesce(async () => {
      runs++;
      if (runs === 1) throw new Error('store hiccup');
    });
    const first = task();
    const second = task();
    await expect(first).rejects.toThrow('store hiccup');
    await expect(second).resolves.toBeUndefined();
    expect(runs).toBe(2);
  });
});
