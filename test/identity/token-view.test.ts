import { describe, expect, it } from 'vitest';
import { RebuildingTokenView, type TokenDirectory } from '../../src/identity/token/token-view.js';
import type { ChangeEvent } from '../../src/shared/index.js';

/** A loader the test completes by hand, so the order of loads and events is exact. */
function controlledLoads() {
  const pending: { resolve: (d: TokenDirectory) => void; reject: (e: unknown) => void }[] = [];
  const load = () => new Promise<TokenDirectory>((resolve, reject) => pending.push({ resolve, reject }));
  return { load, pending };
}
const directory = (name: string): TokenDirectory => ({
  application: () => undefined,
  servicePrincipal: () => undefined,
  passwordCredentials: () => [],
  keyCredentials: () => [],
  appRoleAssignments: () => [],
  appIdForIdentifierUri: () => name,
});
const event = (kind: 'product' | 'directory'): ChangeEvent =>
  kind === 'product'
    ? { type: 'subscription.keyRegenerated', subscriptionId: 'x', key: 'primary', version: 1 }
    : { type: 'application.credentialAdded', applicationObjectId: 'x', keyIds: ['k'], version: 1 };

describe('RebuildingTokenView', () => {
  it('loads once for concurrent requests, then answers from memory until a directory event', async () => {
    const { load, pending } = controlledLoads();
    const view = new RebuildingTokenView(load);
    const a = view.current();
    const b = view.current();
    expect(pending).toHaveLength(1);
    pending[0]!.resolve(directory('first'));
    expect((await a).appIdForIdentifierUri('')).toBe('first');
    expect(await b).toBe(await a);
    expect(view.current()).toBe(await a); // synchronous from now on
    view.changed(event('product'));
    expect(view.current()).toBe(await a); // only events that touch the directory matter
    view.changed(event('directory'));
    expect(view.current()).toBeInstanceOf(Promise);
    expect(pending).toHaveLength(2);
  });

  it('never installs a load that was running when a directory event came; requests after the event wait for a fresh one', async () => {
    const { load, pending } = controlledLoads();
    const view = new RebuildingTokenView(load);
    const before = view.current(); // load 1 starts (may read the store before the write commits)
    view.changed(event('directory')); // the write's event
    const after = view.current(); // must not join load 1
    expect(pending).toHaveLength(2);
    pending[0]!.resolve(directory('stale'));
    expect((await before).appIdForIdentifierUri('')).toBe('stale'); // it asked before the write answered
    pending[1]!.resolve(directory('fresh'));
    expect((await after).appIdForIdentifierUri('')).toBe('fresh');
    expect((view.current() as TokenDirectory).appIdForIdentifierUri('')).toBe('fresh');
  });

  it('a failed load fails its requests and the next request loads again', async () => {
    const { load, pending } = controlledLoads();
    const view = new RebuildingTokenView(load);
    const failing = view.current();
    pending[0]!.reject(new Error('store down'));
    await expect(failing).rejects.toThrow('store down');
    const retry = view.current();
    expect(pending).toHaveLength(2);
    pending[1]!.resolve(directory('back'));
    expect((await retry).appIdForIdentifierUri('')).toBe('back');
  });
});
