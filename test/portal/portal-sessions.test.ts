/** The session table: developers signing in can never push out an administrator's (or another user's) session. */
import { describe, expect, test } from 'vitest';
import { PortalSessions } from '../../src/portal/portal-sessions.js';

const limits = { idleMs: 60_000, maxMs: 3_600_000 };

describe('PortalSessions eviction', () => {
  test('a full developer table does not evict the admin session', () => {
    const sessions = new PortalSessions(limits);
    const admin = sessions.create('admin', '1', 'c').token;
    for (let i = 0; i < 10_001; i++) sessions.create('developer', `dev-${i}`, 'c');
    expect(sessions.find('admin', admin)?.userId).toBe('1');
  });

  test("one user signing in again and again replaces only their own oldest sessions", () => {
    const sessions = new PortalSessions(limits);
    const other = sessions.create('developer', 'bob', 'c').token;
    const first = sessions.create('developer', 'mallory', 'c').token;
    const tokens = [first];
    for (let i = 0; i < 30; i++) tokens.push(sessions.create('developer', 'mallory', 'c').token);
    expect(sessions.find('developer', other)?.userId).toBe('bob');
    expect(sessions.find('developer', first)).toBeUndefined();
    expect(tokens.filter((t) => sessions.find('developer', t) !== undefined)).toHaveLength(20);
  });

  test('a token finds nothing in the other portal; end and endAllOf reach both', () => {
    const sessions = new PortalSessions(limits);
    const dev = sessions.create('developer', 'u', 'c').token;
    const adm = sessions.create('admin', 'u', 'c').token;
    expect(sessions.find('admin', dev)).toBeUndefined();
    sessions.end(dev);
    expect(sessions.find('developer', dev)).toBeUndefined();
    sessions.endAllOf('u');
    expect(sessions.find('admin', adm)).toBeUndefined();
  });
});
