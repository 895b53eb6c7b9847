/**
 * ScanStore over Kysely: keyset pages in primary-key order. `where key > :after order by key
 * limit n` uses the same comparison for the condition and the order, so pages neither skip nor
 * repeat a row whatever the database's collation, and the primary key's index serves both.
 */
import type {
  AppRoleAssignmentRecord,
  ApplicationRecord,
  KeyCredentialRecord,
  PasswordCredentialRecord,
  ServicePrincipalRecord,
} from '../../identity/directory/directory-store.js';
import type { ClientApplicationState, SubscriptionState, UserState } from '../../management/management-store.js';
import type {
  ClientApplicationRow,
  ProductLinkKey,
  ProductLinkRow,
  ScannedTable,
  ScanStore,
  SubscriptionKeyRow,
  UserStateRow,
} from '../scan-store.js';
import {
  appRoleAssignmentRecord,
  applicationRecordParsing,
  keyCredentialRecord,
  passwordCredentialRecord,
  servicePrincipalRecord,
} from './directory-rows.js';
import type { Db } from './support.js';

export class ScanRepository implements ScanStore {
  constructor(private readonly db: Db) {}

  async count(table: ScannedTable): Promise<number> {
    const row = await this.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async subscriptionKeys(after: string | undefined, limit: number): Promise<SubscriptionKeyRow[]> {
    let query = this.db.selectFrom('subscriptions').select(['id', 'scope', 'state', 'owner_id', 'primary_key_hash', 'secondary_key_hash']);
    if (after !== undefined) query = query.where('id', '>', after);
    const rows = await query.orderBy('id').limit(limit).execute();
    return rows.map((r) => ({
      id: r.id,
      scope: r.scope,
      state: r.state as SubscriptionState,
      ownerId: r.owner_id,
      primaryKeyHash: r.primary_key_hash,
      secondaryKeyHash: r.secondary_key_hash,
    }));
  }

  async userStates(after: string | undefined, limit: number): Promise<UserStateRow[]> {
    let query = this.db.selectFrom('users').select(['id', 'state']);
    if (after !== undefined) query = query.where('id', '>', after);
    const rows = await query.orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, state: r.state as UserState }));
  }

  async clientApplications(after: string | undefined, limit: number): Promise<ClientApplicationRow[]> {
    let query = this.db.selectFrom('client_applications').select(['id', 'entra_application_id', 'state', 'owner_id']);
    if (after !== undefined) query = query.where('id', '>', after);
    const rows = await query.orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, entraApplicationId: r.entra_application_id, state: r.state as ClientApplicationState, ownerId: r.owner_id }));
  }

  async productLinks(after: ProductLinkKey | undefined, limit: number): Promise<ProductLinkRow[]> {
    let query = this.db.selectFrom('product_links').select(['client_application_id', 'id', 'product_id']);
    if (after !== undefined) {
      query = query.where((eb) => eb(eb.refTuple('client_application_id', 'id'), '>', eb.tuple(after.clientApplicationId, after.id)));
    }
    const rows = await query.orderBy('client_application_id').orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ clientApplicationId: r.client_application_id, id: r.id, productId: r.product_id }));
  }

  async applications(after: string | undefined, limit: number): Promise<ApplicationRecord[]> {
    let query = this.db.selectFrom('applications').selectAll();
    if (after !== undefined) query = query.where('id', '>', after);
    // Role lists and required resource access repeat across applications (every client of a
    // product carries the same grant): equal texts in a page parse to one shared, read-only value.
    const parsed = new Map<string, unknown>();
    const parse = <T>(text: string): T => {
      let value = parsed.get(text);
      if (value === undefined) parsed.set(text, (value = JSON.parse(text)));
      return value as T;
    };
    return (await query.orderBy('id').limit(limit).execute()).map((row) => applicationRecordParsing(row, parse));
  }

  async servicePrincipals(after: string | undefined, limit: number): Promise<ServicePrincipalRecord[]> {
    let query = this.db.selectFrom('service_principals').selectAll();
    if (after !== undefined) query = query.where('id', '>', after);
    return (await query.orderBy('id').limit(limit).execute()).map(servicePrincipalRecord);
  }

  async appRoleAssignments(after: string | undefined, limit: number): Promise<AppRoleAssignmentRecord[]> {
    let query = this.db.selectFrom('app_role_assignments').selectAll();
    if (after !== undefined) query = query.where('id', '>', after);
    return (await query.orderBy('id').limit(limit).execute()).map(appRoleAssignmentRecord);
  }

  async passwordCredentials(after: string | undefined, limit: number): Promise<PasswordCredentialRecord[]> {
    let query = this.db.selectFrom('password_credentials').selectAll();
    if (after !== undefined) query = query.where('key_id', '>', after);
    return (await query.orderBy('key_id').limit(limit).execute()).map(passwordCredentialRecord);
  }

  async keyCredentials(after: string | undefined, limit: number): Promise<KeyCredentialRecord[]> {
    let query = this.db.selectFrom('key_credentials').selectAll();
    if (after !== undefined) query = query.where('key_id', '>', after);
    return (await query.orderBy('key_id').limit(limit).execute()).map(keyCredentialRecord);
  }
}
