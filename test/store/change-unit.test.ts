/** commitChange / oneChange (store/change-unit.ts): the version bump rides the write's transaction; one event per write. */
import { describe, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { useFreshStore } from './harness.js';
import { user } from './records.js';
import { commitChange, oneChange } from '../../src/store/change-unit.js';
import { InProcessChangeFeed, type ChangeEvent } from '../../src/shared/index.js';
import type { Store } from '../../src/store/index.js';
import { DirectoryService } from '../../src/identity/index.js';

describeEachDialect('change unit', (dialect) => {
  const ctx = useFreshStore(dialect);

  const setUp = () => {
    const store = ctx().store;
    const feed = new InProcessChangeFeed();
    const events: ChangeEvent[] = [];
    feed.subscribe((event) => void events.push(event));
    const directory = new DirectoryService({ store, feed, secretValidityDays: 30 }).system;
    return { store, feed, events, directory, target: { store, feed } };
  };

  test('a write that fails rolls its version bump back with it and announces nothing', async () => {
    const { store, events, target } = setUp();
    const before = await store.configVersion.current();
    await expect(commitChange(target, async (tx) => {
      await tx.management.putUser(user({ id: 'rolled-back' }));
      await tx.configVersion.bump();
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await store.configVersion.current()).toBe(before);
    expect(await store.management.getUser('rolled-back')).toBeUndefined();
    expect(events).toEqual([]);
  });

  test('directory steps inside a unit are absorbed: only the unit’s own event is published, with the next version', async () => {
    const { store, feed, events, directory, target } = setUp();
    const before = await store.configVersion.current();
    await oneChange(target, async () => {
      const app = await directory.createApplication({ displayName: 'Unit' });
      await directory.createServicePrincipal({ appId: app.appId });
      await commitChange(target, async (tx) => {
        await tx.management.putUser(user({ id: 'unit-user' }));
        return { result: undefined, event: { type: 'user.created', userId: 'unit-user' } };
      });
    });
    expect(events).toEqual([{ type: 'user.created', userId: 'unit-user', version: before + 1 }]);
    expect(await store.configVersion.current()).toBe(before + 1);
    expect(feed.currentVersion).toBe(before + 1);
  });

  test('a unit that fails after directory steps committed announces them once as directory.changed', async () => {
    const { store, events, directory, target } = setUp();
    const before = await store.configVersion.current();
    let objectId = '';
    await expect(oneChange(target, async () => {
      objectId = (await directory.createApplication({ displayName: 'Half done' })).id;
      throw new Error('the management record could not be written');
    })).rejects.toThrow('the management record could not be written');
    expect(events).toEqual([{ type: 'directory.changed', changedObjectIds: [objectId], version: before + 1 }]);
  });

  test('outside a unit each directory write announces itself', async () => {
    const { store, events, directory } = setUp();
    const before = await store.configVersion.current();
    const app = await directory.createApplication({ displayName: 'Alone' });
    const sp = await directory.createServicePrincipal({ appId: app.appId });
    expect(events).toEqual([
      { type: 'application.created', applicationObjectId: app.id, appId: app.appId, changedObjectIds: [app.id], version: before + 1 },
      { type: 'servicePrincipal.created', servicePrincipalId: sp.id, appId: app.appId, version: before + 2 },
    ]);
  });

  test('inside an outer transaction, the event is published after the outermost commit, and never after a rollback', async () => {
    const { store, feed, events } = setUp();
    const before = await store.configVersion.current();
    await store.transaction(async (tx) => {
      await commitChange({ store: tx, feed }, async (inner) => {
        await inner.management.putUser(user({ id: 'outer-user' }));
        return { result: undefined, event: { type: 'user.created', userId: 'outer-user' } };
      });
      expect(events).toEqual([]); // committed to nobody yet
    });
    expect(events).toEqual([{ type: 'user.created', userId: 'outer-user', version: before + 1 }]);

    await expect(store.transaction(async (tx) => {
      await commitChange({ store: tx, feed }, async (inner) => {
        await inner.management.putUser(user({ id: 'undone-user', email: 'undone@example.com' }));
        return { result: undefined, event: { type: 'user.created', userId: 'undone-user' } };
      });
      throw new Error('the outer write failed');
    })).rejects.toThrow('the outer write failed');
    expect(events).toHaveLength(1);
    expect(await store.configVersion.current()).toBe(before + 1);
  });

  test('when the directory.changed bump fails, the committed steps are still announced (retried), and the error is logged', async () => {
    const { store } = setUp();
    const logged: string[] = [];
    const feed = new InProcessChangeFeed(0, { error: (_context, message) => void logged.push(message) });
    const announced = new Promise<ChangeEvent>((resolve) => feed.subscribe(resolve));
    let failures = 1;
    // The store as the unit sees it: its next version bump fails once (the store just failed the unit).
    const flaky: Store = Object.assign(Object.create(store) as Store, {
      transaction: <T>(fn: (tx: Store) => Promise<T>) =>
        store.transaction((tx) =>
          fn(Object.assign(Object.create(tx) as Store, {
            configVersion: {
              current: () => tx.configVersion.current(),
              bump: () => (failures-- > 0 ? Promise.reject(new Error('store unavailable')) : tx.configVersion.bump()),
            },
          })),
        ),
    });
    const dir = new DirectoryService({ store, feed, secretValidityDays: 30 }).system;
    let objectId = '';
    await expect(oneChange({ store: flaky, feed }, async () => {
      objectId = (await dir.createApplication({ displayName: 'Committed, unannounced' })).id;
      throw new Error('the management record could not be written');
    })).rejects.toThrow('the management record could not be written'); // the step's own error, not the bump's
    expect(logged).toEqual([expect.stringContaining('could not be announced')]);
    const event = await announced;
    expect(event).toEqual({ type: 'directory.changed', changedObjectIds: [objectId], version: await store.configVersion.current() });
  });
});

describe('InProcessChangeFeed', () => {
  test('every listener gets the event even when one throws; the failure is logged and publish resolves', async () => {
    const logged: { context: Record<string, unknown>; message: string }[] = [];
    const feed = new InProcessChangeFeed(0, { error: (context, message) => void logged.push({ context, message }) });
    const seen: string[] = [];
    feed.subscribe(() => void seen.push('first'));
    feed.subscribe(() => {
      throw new Error('listener broke');
    });
    feed.subscribe(async () => {
      await Promise.resolve();
      seen.push('third');
    });
    await feed.publish({ type: 'user.created', userId: 'u', version: 1 });
    expect(seen).toEqual(['first', 'third']);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.message).toContain('a change listener failed');
    expect(logged[0]!.context).toMatchObject({ event: 'user.created', version: 1 });
    expect((logged[0]!.context['err'] as Error).message).toBe('listener broke');
    expect(feed.currentVersion).toBe(1);
  });
});
