/**
 * ScanStore over Kysely: keyset pages in primary-key order. `where key > :after order by key
 * limit n` uses the same comparison for the condition and the order, so pages neither skip nor
 * repeat a row whatever the database's collation, and the primary key's index serves both.
 */
import type { KeyCredentialRecord } from '../../identity/directory/directory-store.js';
import type {
  AppRoleAssignmentScanRow,
  ApplicationScanRow,
  ClientApplicationRow,
  PasswordCredentialScanRow,
  ProductLinkKey,
  ProductLinkRow,
  ScannedTable,
  ScanStore,
  ServicePrincipalScanRow,
  SubscriptionKeyRow,
  UserStateRow,
} from '../scan-store.js';
import { GRANTING_LINK_STATES } from '../../management/management-store.js';
import { keyCredentialRecord } from './directory-rows.js';
import { fromJson, toBool, type Db } from './support.js';

export class ScanRepository implements ScanStore {
  constructor(private readonly db: Db) {}

  async count(table: ScannedTable): Promise<number> {
    const row = await this.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async subscriptionKeys(after: string | undefined, limit: number): Promise<SubscriptionKeyRow[]> {
    // Named as the row type in SQL, so the driver's rows are returned as they are: no second object per row.
    let query = this.db
      .selectFrom('subscriptions')
      .select(['id', 'scope', 'state', 'owner_id as ownerId', 'expiration_date as expirationDate', 'primary_key_hash as primaryKeyHash', 'secondary_key_hash as secondaryKeyHash']);
    if (after !== undefined) query = query.where('id', '>', after);
    return (await query.orderBy('id').limit(limit).execute()) as SubscriptionKeyRow[];
  }

  async userStates(after: string | undefined, limit: number): Promise<UserStateRow[]> {
    let query = this.db.selectFrom('users').select(['id', 'state']);
    if (after !== undefined) query = query.where('id', '>', after);
    return (await query.orderBy('id').limit(limit).execute()) as UserStateRow[];
  }

  async clientApplications(after: string | undefined, limit: number): Promise<ClientApplicationRow[]> {
    let query = this.db.selectFrom('client_applications').select(['id', 'entra_application_id as entraApplicationId', 'state', 'owner_id as ownerId']);
    if (after !== undefined) query = query.where('id', '>', after);
    return (await query.orderBy('id').limit(limit).execute()) as ClientApplicationRow[];
  }

  async productLinks(after: ProductLinkKey | undefined, limit: number): Promise<ProductLinkRow[]> {
    // Only links that grant access: a pending or rejected link gives the gateway nothing to allow.
    let query = this.db
      .selectFrom('product_links')
      .select(['client_application_id as clientApplicationId', 'id', 'product_id as productId'])
      .where('state', 'in', GRANTING_LINK_STATES);
    if (after !== undefined) {
      query = query.where((eb) => eb(eb.refTuple('client_application_id', 'id'), '>', eb.tuple(after.clientApplicationId, after.id)));
    }
    return await query.orderBy('client_application_id').orderBy('id').limit(limit).execute();
  }

  async applications(after: string | undefined, limit: number): Promise<ApplicationScanRow[]> {
    let query = this.db.selectFrom('applications').select(['id', 'app_id', 'display_name', 'identifier_uris', 'app_roles', 'required_resource_access']);
    if (after !== undefined) query = query.where('id', '>', after);
    // Role lists and required resource access repeat across applications (every client of a
    // product carries the same grant): equal texts in a page parse to one shared, read-only value.
    const parsed = new Map<string, unknown>();
    const shared = <T>(text: string): T => {
      let value = parsed.get(text);
      if (value === undefined) parsed.set(text, (value = JSON.parse(text)));
      return value as T;
    };
    return (await query.orderBy('id').limit(limit).execute()).map((row) => ({
      id: row.id,
      appId: row.app_id,
      displayName: row.display_name,
      identifierUris: fromJson<string[]>(row.identifier_uris),
      appRoles: shared<ApplicationScanRow['appRoles']>(row.app_roles),
      requiredResourceAccess: shared<ApplicationScanRow['requiredResourceAccess']>(row.required_resource_access),
    }));
  }

  async servicePrincipals(after: string | undefined, limit: number): Promise<ServicePrincipalScanRow[]> {
    let query = this.db.selectFrom('service_principals').select(['id', 'app_id', 'account_enabled', 'app_role_assignment_required']);
    if (after !== undefined) query = query.where('id', '>', after);
    return (await query.orderBy('id').limit(limit).execute()).map((row) => ({
      id: row.id,
      appId: row.app_id,
      accountEnabled: toBool(row.account_enabled),
      appRoleAssignmentRequired: toBool(row.app_role_assignment_required),
    }));
  }

  async appRoleAssignments(after: string | undefined, limit: number): Promise<AppRoleAssignmentScanRow[]> {
    let query = this.db.selectFrom('app_role_assignments').select(['id', 'principal_id as principalId', 'resource_id as resourceId', 'app_role_id as appRoleId', 'created_date_time as createdDateTime']);
    if (after !== undefined) query = query.where('id', '>', after);
    return await query.orderBy('id').limit(limit).execute();
  }

  async passwordCredentials(after: string | undefined, limit: number): Promise<PasswordCredentialScanRow[]> {
    let query = this.db
      .selectFrom('password_credentials')
      .select(['key_id as keyId', 'application_id as applicationId', 'secret_hash as secretHash', 'start_date_time as startDateTime', 'end_date_time as endDateTime']);
    if (after !== undefined) query = query.where('key_id', '>', after);
    return await query.orderBy('key_id').limit(limit).execute();
  }

  async keyCredentials(after: string | undefined, limit: number): Promise<KeyCredentialRecord[]> {
    let query = this.db.selectFrom('key_credentials').selectAll();
    if (after !== undefined) query = query.where('key_id', '>', after);
    return (await query.orderBy('key_id').limit(limit).execute()).map(keyCredentialRecord);
  }
}
