import { describe, expect, it } from 'vitest';
import { FailureThrottle } from '../../src/identity/token/failure-throttle.js';

/** limit 3 per 60 s window, room for 4 keys, a clock the test moves. */
function throttle() {
  let now = 1_000_000;
  const t = new FailureThrottle(3, 60_000, () => now, 4);
  const fail = (key: string, times = 1) => {
    for (let i = 0; i < times; i++) t.recordFailure(key);
  };
  return { t, fail, advance: (ms: number) => (now += ms) };
}

describe('FailureThrottle', () => {
  it('throttles a key at the limit until its window ends', () => {
    const { t, fail, advance } = throttle();
    fail('a', 2);
    expect(t.retryAfter('a')).toBeUndefined();
    fail('a');
    expect(t.retryAfter('a')).toBe(60);
    advance(45_000);
    expect(t.retryAfter('a')).toBe(15);
    advance(15_000);
    expect(t.retryAfter('a')).toBeUndefined();
  });

  it('drops a key whose failures are all forgiven', () => {
    const { t, fail } = throttle();
    fail('a');
    t.forgive('a');
    expect(t.size).toBe(0);
  });

  it('makes room from ended windows first, then from keys under the limit, never from throttled ones', () => {
    const { t, fail, advance } = throttle();
    fail('throttled', 3);
    fail('old-under-limit');
    advance(1_000);
    fail('under-limit');
    fail('also-throttled', 3);
    fail('newcomer'); // full: the oldest key under the limit goes
    expect(t.size).toBe(4);
    expect(t.retryAfter('throttled')).toBe(59);
    fail('old-under-limit', 2); // counted afresh: its earlier failure was dropped
    expect(t.retryAfter('old-under-limit')).toBeUndefined();
  });

  it('records nothing for a new key while every slot is throttled, and makes room once a window ends', () => {
    const { t, fail, advance } = throttle();
    for (const key of ['a', 'b', 'c', 'd']) fail(key, 3);
    for (let i = 0; i < 100; i++) fail(`flood-${i}`, 3);
    for (const key of ['a', 'b', 'c', 'd']) expect(t.retryAfter(key)).toBe(60);
    expect(t.retryAfter('flood-0')).toBeUndefined();
    advance(60_000);
    fail('late', 3);
    expect(t.retryAfter('late')).toBe(60);
  });
});
