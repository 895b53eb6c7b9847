/** SettingsStore and Store.transaction, on every dialect. */
import { expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { useFreshStore } from './harness.js';
import { application, product, subscription, user } from './records.js';

describeEachDialect('Store settings and transactions', (dialect) => {
  const ctx = useFreshStore(dialect);
  const store = () => ctx().store;

  test('the store reports its dialect', () => {
    expect(store().dialect).toBe(dialect);
  });

  test('settings: missing is undefined, put inserts then overwrites', async () => {
    expect(await store().settings.getSetting('instance')).toBeUndefined();
    await store().settings.putSetting('instance', 'one');
    await store().settings.putSetting('other', '');
    await store().settings.putSetting('instance', 'two');
    expect(await store().settings.getSetting('instance')).toBe('two');
    expect(await store().settings.getSetting('other')).toBe('');
  });

  test('a transaction commits writes of every repository together and returns fn’s value', async () => {
    const result = await store().transaction(async (tx) => {
      expect(tx.dialect).toBe(dialect);
      await tx.directory.insertApplication(application());
      await tx.management.putUser(user());
      await tx.settings.putSetting('k', 'v');
      // Reads inside the transaction see its own writes.
      expect(await tx.management.getUser('u1')).toBeDefined();
      return 42;
    });
    expect(result).toBe(42);
    expect(await store().directory.getApplication('a1')).toBeDefined();
    expect(await store().management.getUser('u1')).toBeDefined();
    expect(await store().settings.getSetting('k')).toBe('v');
  });

  test('a throw rolls back everything the transaction wrote and rethrows the same error', async () => {
    await store().settings.putSetting('k', 'before');
    const failure = new Error('boom');
    await expect(
      store().transaction(async (tx) => {
        await tx.directory.insertApplication(application());
        await tx.management.putUser(user());
        await tx.settings.putSetting('k', 'after');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await store().directory.listApplications()).toEqual([]);
    expect(await store().management.listUsers()).toEqual([]);
    expect(await store().settings.getSetting('k')).toBe('before');
  });

  test('a conflict inside a transaction surfaces as STORE_CONFLICT and rolls back earlier writes', async () => {
    await store().management.putUser(user({ id: 'u1', email: 'taken@example.com' }));
    await expect(
      store().transaction(async (tx) => {
        await tx.settings.putSetting('k', 'v');
        await tx.management.putUser(user({ id: 'u2', email: 'TAKEN@example.com' }));
      }),
    ).rejects.toMatchObject({ name: 'StoreError', code: 'STORE_CONFLICT' });
    expect(await store().settings.getSetting('k')).toBeUndefined();
    expect((await store().management.listUsers()).map((u) => u.id)).toEqual(['u1']);
  });

  test('after a failed statement the transaction refuses further statements and cannot commit, on every dialect', async () => {
    await store().management.putUser(user({ id: 'u1', email: 'taken@example.com' }));
    let afterwards: unknown;
    await expect(
      store().transaction(async (tx) => {
        await tx.settings.putSetting('k', 'v');
        await tx.management.putUser(user({ id: 'u2', email: 'taken@example.com' })).catch(() => undefined);
        afterwards = await tx.settings.putSetting('k2', 'v2').catch((e: unknown) => e);
      }),
    ).rejects.toThrow('the transaction was aborted by a failed statement');
    expect((afterwards as Error).message).toMatch(/^the transaction was aborted by a failed statement/);
    expect(await store().settings.getSetting('k')).toBeUndefined();
    expect(await store().settings.getSetting('k2')).toBeUndefined();
    // The connection is usable again once the transaction has ended.
    await store().transaction((tx) => tx.settings.putSetting('k3', 'v3'));
    expect(await store().settings.getSetting('k3')).toBe('v3');
  });

  test('a nested transaction joins the outer one: it commits and rolls back with it', async () => {
    await expect(
      store().transaction(async (tx) => {
        const inner = await tx.transaction(async (nested) => {
          await nested.settings.putSetting('nested', 'yes');
          return 'inner';
        });
        expect(inner).toBe('inner');
        expect(await tx.settings.getSetting('nested')).toBe('yes');
        throw new Error('outer fails');
      }),
    ).rejects.toThrow('outer fails');
    expect(await store().settings.getSetting('nested')).toBeUndefined();

    await store().transaction((tx) => tx.transaction((nested) => nested.settings.putSetting('nested', 'kept')));
    expect(await store().settings.getSetting('nested')).toBe('kept');
  });

  test('deleteProduct inside a rolled-back transaction leaves the product and its subscriptions', async () => {
    await store().management.putProduct(product());
    await store().management.putSubscription(subscription({ scope: '/products/starter' }));
    await expect(
      store().transaction(async (tx) => {
        await tx.management.deleteProduct('starter');
        expect(await tx.management.getSubscription('s1')).toBeUndefined();
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await store().management.getProduct('starter')).toBeDefined();
    expect(await store().management.getSubscription('s1')).toBeDefined();
  });

  test('concurrent transactions on one store all commit', async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store().transaction(async (tx) => {
          await tx.settings.putSetting(`key${i}`, String(i));
          expect(await tx.settings.getSetting(`key${i}`)).toBe(String(i));
        }),
      ),
    );
    for (let i = 0; i < 8; i++) expect(await store().settings.getSetting(`key${i}`)).toBe(String(i));
  });
});
