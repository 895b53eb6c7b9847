/**
 * ManagementStore over Kysely: users, groups, subscriptions, client applications and product links
 * here; products, APIs and operations in CatalogRepository. Names compare case-insensitively
 * (sameName); put* upserts on lower(name), keeping the stored name. A unique violation (email, API
 * path, one link per product) surfaces as STORE_CONFLICT from the dialect.
 */
import type {
  ClientApplicationRecord,
  GroupRecord,
  ListFilter,
  ManagementStore,
  PageWindow,
  ProductLinkRecord,
  ProductLinkState,
  SubscriptionRecord,
  UserRecord,
} from '../../management/management-store.js';
import { CatalogRepository } from './management-catalog-repository.js';
import {
  clientApplicationRecord,
  clientApplicationRow,
  groupRecord,
  groupRow,
  productLinkRecord,
  productLinkRow,
  subscriptionRecord,
  subscriptionRow,
  userRecord,
  userRow,
} from './management-rows.js';
import { anyName, byId, childNameKey, chunks, filtered, groupByKey, NAME_KEY, ordered, pinsOneRow, sameName, sortBy } from './support.js';

export class ManagementRepository extends CatalogRepository implements ManagementStore {
  // --- users (group memberships cascade) ------------------------------------------------------

  async getUser(id: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where(sameName('id', id)).executeTakeFirst();
    return row && userRecord(row);
  }

  async getUsers(ids: readonly string[]): Promise<UserRecord[]> {
    const out: UserRecord[] = [];
    for (const part of chunks([...new Set(ids)])) out.push(...(await this.db.selectFrom('users').selectAll().where(anyName('id', part)).execute()).map(userRecord));
    return out;
  }

  async getUsersByEmails(emails: readonly string[]): Promise<UserRecord[]> {
    const out: UserRecord[] = [];
    for (const part of chunks([...new Set(emails.map((e) => e.toLowerCase()))])) {
      out.push(...(await this.db.selectFrom('users').selectAll().where('email_lower', 'in', part).execute()).map(userRecord));
    }
    return out;
  }

  async getUserByEmail(email: string): Promise<UserRecord | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('email_lower', '=', email.toLowerCase())
      .executeTakeFirst();
    return row && userRecord(row);
  }

  async listUsers(window?: PageWindow, filter: ListFilter = {}): Promise<UserRecord[]> {
    const rows = await ordered(filtered(this.db.selectFrom('users').selectAll(), filter), this.rules, ['id'], byId(window), pinsOneRow(filter)).execute();
    return rows.map(userRecord);
  }

  async putUser(user: UserRecord): Promise<void> {
    const { id: _id, ...changes } = userRow(user);
    await this.db
      .insertInto('users')
      .values(userRow(user))
      .onConflict((oc) => oc.expression(NAME_KEY).doUpdateSet(changes))
      .execute();
  }

  async deleteUser(id: string): Promise<void> {
    await this.db.deleteFrom('users').where(sameName('id', id)).execute();
  }

  // --- groups ---------------------------------------------------------------------------------

  async getGroup(id: string): Promise<GroupRecord | undefined> {
    const row = await this.db.selectFrom('groups').selectAll().where(sameName('id', id)).executeTakeFirst();
    return row && groupRecord(row);
  }

  async listGroups(window?: PageWindow, filter: ListFilter = {}): Promise<GroupRecord[]> {
    const rows = await ordered(filtered(this.db.selectFrom('groups').selectAll(), filter), this.rules, ['id'], byId(window), pinsOneRow(filter)).execute();
    return rows.map(groupRecord);
  }

  async putGroup(group: GroupRecord): Promise<void> {
    const { id: _id, ...changes } = groupRow(group);
    await this.db
      .insertInto('groups')
      .values(groupRow(group))
      .onConflict((oc) => oc.expression(NAME_KEY).doUpdateSet(changes))
      .execute();
  }

  async addGroupUser(groupId: string, userId: string): Promise<void> {
    await this.db
      .insertInto('group_users')
      .values({ group_id: groupId, user_id: userId })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async removeGroupUser(groupId: string, userId: string): Promise<void> {
    await this.db.deleteFrom('group_users').where(sameName('group_id', groupId)).where(sameName('user_id', userId)).execute();
  }

  async listGroupUsers(groupId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('group_users').select('user_id').where(sameName('group_id', groupId)).execute();
    return sortBy(rows, 'user_id').map((r) => r.user_id);
  }

  /**
   * user_id is a foreign key, so it holds the user's id exactly as stored: the name is resolved
   * case-insensitively on users (its lower(id) index), then group_users is read by its user_id index.
   */
  async listUserGroups(userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('group_users')
      .select('group_id')
      .where('user_id', '=', (eb) => eb.selectFrom('users').select('id').where(sameName('id', userId)))
      .execute();
    return sortBy(rows, 'group_id').map((r) => r.group_id);
  }

  async listGroupsOfUsers(userIds: readonly string[]): Promise<Map<string, string[]>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('group_users').select(['user_id', 'group_id']).where('user_id', 'in', [...userIds]).execute();
    return groupByKey(userIds, sortBy(rows, 'user_id', 'group_id'), (r) => r.user_id, (r) => r.group_id);
  }

  // --- subscriptions --------------------------------------------------------------------------

  async getSubscription(id: string): Promise<SubscriptionRecord | undefined> {
    const row = await this.db.selectFrom('subscriptions').selectAll().where(sameName('id', id)).executeTakeFirst();
    return row && subscriptionRecord(row);
  }

  async getSubscriptions(ids: readonly string[]): Promise<SubscriptionRecord[]> {
    const out: SubscriptionRecord[] = [];
    for (const part of chunks([...new Set(ids)])) out.push(...(await this.db.selectFrom('subscriptions').selectAll().where(anyName('id', part)).execute()).map(subscriptionRecord));
    return out;
  }

  async listSubscriptions(filter: { ownerId?: string } & ListFilter = {}, window?: PageWindow): Promise<SubscriptionRecord[]> {
    let query = filtered(this.db.selectFrom('subscriptions').selectAll(), filter);
    if (filter.ownerId !== undefined) query = query.where('owner_id', '=', filter.ownerId);
    const rows = await ordered(query, this.rules, ['id'], byId(window), pinsOneRow(filter)).execute();
    return rows.map(subscriptionRecord);
  }

  async putSubscription(subscription: SubscriptionRecord): Promise<void> {
    const { id: _id, ...changes } = subscriptionRow(subscription);
    await this.db
      .insertInto('subscriptions')
      .values(subscriptionRow(subscription))
      .onConflict((oc) => oc.expression(NAME_KEY).doUpdateSet(changes))
      .execute();
  }

  async deleteSubscription(id: string): Promise<void> {
    await this.db.deleteFrom('subscriptions').where(sameName('id', id)).execute();
  }

  async countSubscriptions(filter: { ownerId: string } | { scope: string }): Promise<number> {
    const [column, value] = 'ownerId' in filter ? (['owner_id', filter.ownerId] as const) : (['scope', filter.scope] as const);
    const row = await this.db.selectFrom('subscriptions').select((eb) => eb.fn.countAll<number | string | bigint>().as('count')).where(column, '=', value).executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async deleteSubscriptionsOfOwner(ownerId: string): Promise<string[]> {
    const removed = await this.db.deleteFrom('subscriptions').where('owner_id', '=', ownerId).returning('id').execute();
    return removed.map((row) => row.id);
  }

  // --- client applications (product links cascade) -------------------------------------------

  async getClientApplication(id: string): Promise<ClientApplicationRecord | undefined> {
    const row = await this.db.selectFrom('client_applications').selectAll().where(sameName('id', id)).executeTakeFirst();
    return row && clientApplicationRecord(row);
  }

  async getClientApplications(ids: readonly string[]): Promise<ClientApplicationRecord[]> {
    const out: ClientApplicationRecord[] = [];
    for (const part of chunks([...new Set(ids)])) {
      out.push(...(await this.db.selectFrom('client_applications').selectAll().where(anyName('id', part)).execute()).map(clientApplicationRecord));
    }
    return out;
  }

  async listClientApplications(filter: { ownerId?: string } & ListFilter = {}, window?: PageWindow): Promise<ClientApplicationRecord[]> {
    let query = filtered(this.db.selectFrom('client_applications').selectAll(), filter);
    if (filter.ownerId !== undefined) query = query.where(sameName('owner_id', filter.ownerId));
    const rows = await ordered(query, this.rules, ['id'], byId(window), pinsOneRow(filter)).execute();
    return rows.map(clientApplicationRecord);
  }

  async putClientApplication(app: ClientApplicationRecord): Promise<void> {
    const { id: _id, ...changes } = clientApplicationRow(app);
    await this.db
      .insertInto('client_applications')
      .values(clientApplicationRow(app))
      .onConflict((oc) => oc.expression(NAME_KEY).doUpdateSet(changes))
      .execute();
  }

  async deleteClientApplication(id: string): Promise<void> {
    await this.db.deleteFrom('client_applications').where(sameName('id', id)).execute();
  }

  // --- product links (keyed by client application, then id) -----------------------------------

  async getProductLink(clientApplicationId: string, id: string): Promise<ProductLinkRecord | undefined> {
    const row = await this.db
      .selectFrom('product_links')
      .selectAll()
      .where(sameName('client_application_id', clientApplicationId))
      .where(sameName('id', id))
      .executeTakeFirst();
    return row && productLinkRecord(row);
  }

  async listProductLinks(filter: { clientApplicationId?: string; productId?: string }): Promise<ProductLinkRecord[]> {
    let query = this.db.selectFrom('product_links').selectAll();
    if (filter.clientApplicationId !== undefined) {
      query = query.where(sameName('client_application_id', filter.clientApplicationId));
    }
    if (filter.productId !== undefined) query = query.where(sameName('product_id', filter.productId));
    const rows = await query.execute();
    return sortBy(rows, 'client_application_id', 'id').map(productLinkRecord);
  }

  async listProductLinksOfApplications(clientApplicationIds: readonly string[]): Promise<Map<string, ProductLinkRecord[]>> {
    if (clientApplicationIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('product_links')
      .selectAll()
      .where('client_application_id', 'in', [...clientApplicationIds])
      .execute();
    return groupByKey(clientApplicationIds, sortBy(rows, 'client_application_id', 'id'), (r) => r.client_application_id, productLinkRecord);
  }

  async putProductLink(link: ProductLinkRecord): Promise<void> {
    const { client_application_id: _app, id: _id, ...changes } = productLinkRow(link);
    await this.db
      .insertInto('product_links')
      .values(productLinkRow(link))
      .onConflict((oc) => oc.expression(childNameKey('client_application_id')).doUpdateSet(changes))
      .execute();
  }

  async transitionProductLink(link: ProductLinkRecord, from: ProductLinkState): Promise<boolean> {
    const result = await this.db
      .updateTable('product_links')
      .set({ state: link.state, app_role_assignment_id: link.appRoleAssignmentId })
      .where(sameName('client_application_id', link.clientApplicationId))
      .where(sameName('id', link.id))
      .where('state', '=', from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async deleteProductLink(clientApplicationId: string, id: string): Promise<void> {
    await this.db
      .deleteFrom('product_links')
      .where(sameName('client_application_id', clientApplicationId))
      .where(sameName('id', id))
      .execute();
  }
}
