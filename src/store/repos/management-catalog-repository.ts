/**
 * The catalog half of ManagementStore: products, APIs, operations and their links.
 * Names compare case-insensitively (sameName): put* upserts on lower(name), so a put under another
 * case updates the existing row and keeps its stored name; links are idempotent; lists are ordered
 * by key in code unit order (SqlRules.byteOrder), paged in SQL when given a window.
 */
import type { ApiRecord, ListFilter, OperationRecord, PageWindow, ProductPolicyRecord, ProductRecord } from '../../management/management-store.js';
import type { SqlRules } from '../dialect.js';
import { apiRecord, apiRow, operationRecord, operationRow, productRecord, productRow } from './management-rows.js';
import { byId, childNameKey, filtered, inTransaction, NAME_KEY, ordered, pinsOneRow, sameName, sortBy, type Db } from './support.js';

export class CatalogRepository {
  constructor(
    protected readonly db: Db,
    protected readonly rules: SqlRules,
  ) {}

  // --- products -------------------------------------------------------------------------------

  async getProduct(id: string): Promise<ProductRecord | undefined> {
    const row = await this.db.selectFrom('products').selectAll().where(sameName('id', id)).executeTakeFirst();
    return row && productRecord(row);
  }

  async listProducts(window?: PageWindow, filter: ListFilter = {}): Promise<ProductRecord[]> {
    const rows = await ordered(filtered(this.db.selectFrom('products').selectAll(), filter), this.rules, ['id'], byId(window), pinsOneRow(filter)).execute();
    return rows.map(productRecord);
  }

  async putProduct(product: ProductRecord): Promise<void> {
    const { id: _id, ...changes } = productRow(product);
    await this.db
      .insertInto('products')
      .values(productRow(product))
      .onConflict((oc) => oc.expression(NAME_KEY).doUpdateSet(changes))
      .execute();
  }

  /** API, group and client-application links cascade; product-scoped subscriptions are removed here. */
  async deleteProduct(id: string): Promise<string[]> {
    return inTransaction(this.db, async (trx) => {
      const removed = await deleteScopedSubscriptions(trx, 'products', id);
      await trx.deleteFrom('products').where(sameName('id', id)).execute();
      return removed;
    });
  }

  // --- product policies (the product's id as stored; deleting the product cascades) ----------

  async getProductPolicy(productId: string): Promise<ProductPolicyRecord | undefined> {
    const row = await this.db.selectFrom('product_policies').selectAll().where(sameName('product_id', productId)).executeTakeFirst();
    return row && { productId: row.product_id, format: row.format as ProductPolicyRecord['format'], value: row.value };
  }

  async listProductPolicies(): Promise<ProductPolicyRecord[]> {
    const rows = await this.db.selectFrom('product_policies').selectAll().execute();
    return sortBy(rows, 'product_id').map((row) => ({ productId: row.product_id, format: row.format as ProductPolicyRecord['format'], value: row.value }));
  }

  async putProductPolicy(policy: ProductPolicyRecord): Promise<void> {
    await this.db
      .insertInto('product_policies')
      .values({ product_id: policy.productId, format: policy.format, value: policy.value })
      .onConflict((oc) => oc.column('product_id').doUpdateSet({ format: policy.format, value: policy.value }))
      .execute();
  }

  async deleteProductPolicy(productId: string): Promise<void> {
    await this.db.deleteFrom('product_policies').where(sameName('product_id', productId)).execute();
  }

  async addProductGroup(productId: string, groupId: string): Promise<void> {
    await this.db
      .insertInto('product_groups')
      .values({ product_id: productId, group_id: groupId })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async listProductGroups(productId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('product_groups')
      .select('group_id')
      .where(sameName('product_id', productId))
      .execute();
    return sortBy(rows, 'group_id').map((r) => r.group_id);
  }

  // --- APIs and operations --------------------------------------------------------------------

  async getApi(id: string): Promise<ApiRecord | undefined> {
    const row = await this.db.selectFrom('apis').selectAll().where(sameName('id', id)).executeTakeFirst();
    return row && apiRecord(row);
  }

  /**
   * A product's APIs are read from its links, ordered (and continued) by the link's api_id, which is
   * the API's id: the index on (product_id, api_id) in code unit order serves that, where ordering
   * by apis.id would sort the product's APIs after the join.
   */
  async listApis(filter: { productId?: string } & ListFilter = {}, window?: PageWindow): Promise<ApiRecord[]> {
    const productId = filter.productId;
    const rows =
      productId === undefined
        ? await ordered(filtered(this.db.selectFrom('apis').selectAll(), filter), this.rules, ['id'], byId(window), pinsOneRow(filter)).execute()
        : await ordered(
            filtered(this.db.selectFrom('product_apis').innerJoin('apis', 'apis.id', 'product_apis.api_id').selectAll('apis').where('product_apis.product_id', '=', productId), filter),
            this.rules, ['product_apis.api_id'], byId(window), pinsOneRow(filter),
          ).execute();
    return rows.map(apiRecord);
  }

  async putApi(api: ApiRecord): Promise<void> {
    const { id: _id, ...changes } = apiRow(api);
    await this.db
      .insertInto('apis')
      .values(apiRow(api))
      .onConflict((oc) => oc.expression(NAME_KEY).doUpdateSet(changes))
      .execute();
  }

  /** Operations and product links cascade; API-scoped subscriptions are removed here. */
  async deleteApi(id: string): Promise<string[]> {
    return inTransaction(this.db, async (trx) => {
      const removed = await deleteScopedSubscriptions(trx, 'apis', id);
      await trx.deleteFrom('apis').where(sameName('id', id)).execute();
      return removed;
    });
  }

  async getOperation(apiId: string, id: string): Promise<OperationRecord | undefined> {
    const row = await this.db
      .selectFrom('operations')
      .selectAll()
      .where(sameName('api_id', apiId))
      .where(sameName('id', id))
      .executeTakeFirst();
    return row && operationRecord(row);
  }

  async listOperations(apiId?: string): Promise<OperationRecord[]> {
    let query = this.db.selectFrom('operations').selectAll();
    if (apiId !== undefined) query = query.where(sameName('api_id', apiId));
    const rows = await query.execute();
    return sortBy(rows, 'api_id', 'id').map(operationRecord);
  }

  async putOperation(operation: OperationRecord): Promise<void> {
    const { api_id: _apiId, id: _id, ...changes } = operationRow(operation);
    await this.db
      .insertInto('operations')
      .values(operationRow(operation))
      .onConflict((oc) => oc.expression(childNameKey('api_id')).doUpdateSet(changes))
      .execute();
  }

  async deleteOperation(apiId: string, id: string): Promise<void> {
    await this.db.deleteFrom('operations').where(sameName('api_id', apiId)).where(sameName('id', id)).execute();
  }

  // --- product ↔ API links --------------------------------------------------------------------

  async addProductApi(productId: string, apiId: string): Promise<void> {
    await this.db
      .insertInto('product_apis')
      .values({ product_id: productId, api_id: apiId })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async removeProductApi(productId: string, apiId: string): Promise<void> {
    await this.db.deleteFrom('product_apis').where(sameName('product_id', productId)).where(sameName('api_id', apiId)).execute();
  }

  async listProductApis(filter: { productId?: string; apiId?: string }): Promise<{ productId: string; apiId: string }[]> {
    let query = this.db.selectFrom('product_apis').selectAll();
    if (filter.productId !== undefined) query = query.where(sameName('product_id', filter.productId));
    if (filter.apiId !== undefined) query = query.where(sameName('api_id', filter.apiId));
    const rows = await query.execute();
    return sortBy(rows, 'product_id', 'api_id').map((r) => ({ productId: r.product_id, apiId: r.api_id }));
  }
}

/**
 * Deletes the subscriptions scoped to a product or API (`/products/{id}`, `/apis/{id}`), returning
 * their ids. A scope holds the stored name, so the name is resolved on its table first and the scope
 * compared exactly: the subscriptions_scope index serves that, where lower(scope) would scan.
 */
async function deleteScopedSubscriptions(db: Db, table: 'products' | 'apis', id: string): Promise<string[]> {
  const stored = await db.selectFrom(table).select('id').where(sameName('id', id)).executeTakeFirst();
  if (!stored) return [];
  const removed = await db.deleteFrom('subscriptions').where('scope', '=', `/${table}/${stored.id}`).returning('id').execute();
  return removed.map((row) => row.id);
}
