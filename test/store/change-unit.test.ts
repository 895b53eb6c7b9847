/** commitChange / oneChange (store/change-unit.ts): the version bump rides the write's transaction; one event per write. */
import { expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { useFreshStore } from './harness.js';
import { user } from './records.js';
import { commitChange, oneChange } from '../../src/store/change-unit.js';
import { InProcessChangeFeed, type ChangeEvent } from '../../src/shared/index.js';
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
});
