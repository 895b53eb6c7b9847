/** DirectoryStore over Kysely. Lists are ordered by creation time, then id (see sortBy for why in code). */
import type {
  AppRoleAssignmentRecord,
  ApplicationRecord,
  DirectoryRoleAssignmentRecord,
  DirectoryPage,
  DirectoryPageQuery,
  DirectoryStore,
  KeyCredentialRecord,
  PasswordCredentialRecord,
  ServicePrincipalRecord,
  SigningKeyRecord,
} from '../../identity/directory/directory-store.js';
import { normaliseIdentifierUri } from '../../identity/directory/directory-store.js';
import {
  appRoleAssignmentRecord,
  appRoleAssignmentRow,
  applicationRecord,
  applicationRow,
  directoryRoleAssignmentRecord,
  directoryRoleAssignmentRow,
  keyCredentialRecord,
  keyCredentialRow,
  passwordCredentialRecord,
  passwordCredentialRow,
  servicePrincipalRecord,
  servicePrincipalRow,
  signingKeyRecord,
  signingKeyRow,
} from './directory-rows.js';
import { StoreError } from '../../errors/index.js';
import { sql, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { SqlRules } from '../dialect.js';
import type { Database } from '../schema.js';
import { expectUpdated, fromJson, groupByKey, inTransaction, ordered, sortBy, type Db } from './support.js';

export class DirectoryRepository implements DirectoryStore {
  constructor(
    private readonly db: Db,
    private readonly rules: SqlRules,
  ) {}

  // --- applications (password and key credentials go with them: ON DELETE CASCADE) ---------

  async insertApplication(app: ApplicationRecord): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      await trx.insertInto('applications').values(applicationRow(app)).execute();
      await insertIdentifierUris(trx, app);
    });
  }

  /**
   * The identifier-URI index is rewritten only when the URIs change. Data upgraded by migration 0005
   * may hold two applications with the same URI (from before the index), of which only the older is
   * indexed; the newer must still take updates of its other properties (role grants change its
   * requiredResourceAccess), not fail on a URI it never changed.
   */
  async updateApplication(app: ApplicationRecord): Promise<void> {
    const { id, app_id: _appId, created_date_time: _created, created_by: _createdBy, ...changes } = applicationRow(app);
    await inTransaction(this.db, async (trx) => {
      const before = await trx.selectFrom('applications').select('identifier_uris').where('id', '=', id).executeTakeFirst();
      if (!before) throw new StoreError('STORE_NOT_FOUND', `application ${id} does not exist`);
      await trx.updateTable('applications').set(changes).where('id', '=', id).execute();
      if (sameKeys(fromJson<string[]>(before.identifier_uris), app.identifierUris)) return;
      await trx.deleteFrom('application_identifier_uris').where('application_id', '=', id).execute();
      await insertIdentifierUris(trx, app);
    });
  }

  async findApplicationIdByIdentifierUris(uris: readonly string[]): Promise<string | undefined> {
    const keys = [...new Set(uris.map(normaliseIdentifierUri))];
    if (keys.length === 0) return undefined;
    const row = await this.db
      .selectFrom('application_identifier_uris')
      .select('application_id')
      .where('uri_key', 'in', keys)
      .executeTakeFirst();
    return row?.application_id;
  }

  async getApplication(id: string): Promise<ApplicationRecord | undefined> {
    const row = await this.db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
    return row && applicationRecord(row);
  }

  async getApplicationByAppId(appId: string): Promise<ApplicationRecord | undefined> {
    const row = await this.db.selectFrom('applications').selectAll().where('app_id', '=', appId).executeTakeFirst();
    return row && applicationRecord(row);
  }

  async listApplications(): Promise<ApplicationRecord[]> {
    const rows = await this.db.selectFrom('applications').selectAll().execute();
    return sortBy(rows, 'created_date_time', 'id').map(applicationRecord);
  }

  async listApplicationsCreatedBy(principalId: string): Promise<ApplicationRecord[]> {
    const rows = await this.db.selectFrom('applications').selectAll().where('created_by', '=', principalId).execute();
    return sortBy(rows, 'created_date_time', 'id').map(applicationRecord);
  }

  async pageApplications(query: DirectoryPageQuery): Promise<ApplicationRecord[]> {
    const rows = await directoryPage(this.db.selectFrom('applications').selectAll(), this.rules, query).execute();
    return rows.map(applicationRecord);
  }

  async listApplicationsByAppIds(appIds: readonly string[]): Promise<ApplicationRecord[]> {
    if (appIds.length === 0) return [];
    const rows = await this.db.selectFrom('applications').selectAll().where('app_id', 'in', [...appIds]).execute();
    return rows.map(applicationRecord);
  }

  async deleteApplication(id: string): Promise<void> {
    await this.db.deleteFrom('applications').where('id', '=', id).execute();
  }

  // --- password credentials -------------------------------------------------------------------

  async insertPasswordCredential(credential: PasswordCredentialRecord): Promise<void> {
    await this.db.insertInto('password_credentials').values(passwordCredentialRow(credential)).execute();
  }

  async listPasswordCredentials(applicationId: string): Promise<PasswordCredentialRecord[]> {
    const rows = await this.db
      .selectFrom('password_credentials')
      .selectAll()
      .where('application_id', '=', applicationId)
      .execute();
    // Credentials have no creation time of their own; startDateTime is when they were added.
    return sortBy(rows, 'start_date_time', 'key_id').map(passwordCredentialRecord);
  }

  async listAllPasswordCredentials(): Promise<PasswordCredentialRecord[]> {
    const rows = await this.db.selectFrom('password_credentials').selectAll().execute();
    return sortBy(rows, 'start_date_time', 'key_id').map(passwordCredentialRecord);
  }

  async listPasswordCredentialsOfApplications(applicationIds: readonly string[]): Promise<Map<string, PasswordCredentialRecord[]>> {
    if (applicationIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('password_credentials').selectAll().where('application_id', 'in', [...applicationIds]).execute();
    return groupByKey(applicationIds, sortBy(rows, 'start_date_time', 'key_id'), (r) => r.application_id, passwordCredentialRecord);
  }

  async deletePasswordCredential(keyId: string): Promise<void> {
    await this.db.deleteFrom('password_credentials').where('key_id', '=', keyId).execute();
  }

  // --- key credentials (certificates) ---------------------------------------------------------

  async insertKeyCredential(credential: KeyCredentialRecord): Promise<void> {
    await this.db.insertInto('key_credentials').values(keyCredentialRow(credential)).execute();
  }

  async listKeyCredentials(applicationId: string): Promise<KeyCredentialRecord[]> {
    const rows = await this.db.selectFrom('key_credentials').selectAll().where('application_id', '=', applicationId).execute();
    return sortBy(rows, 'created_date_time', 'key_id').map(keyCredentialRecord);
  }

  async listAllKeyCredentials(): Promise<KeyCredentialRecord[]> {
    const rows = await this.db.selectFrom('key_credentials').selectAll().execute();
    return sortBy(rows, 'created_date_time', 'key_id').map(keyCredentialRecord);
  }

  async listKeyCredentialsOfApplications(applicationIds: readonly string[]): Promise<Map<string, KeyCredentialRecord[]>> {
    if (applicationIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('key_credentials').selectAll().where('application_id', 'in', [...applicationIds]).execute();
    return groupByKey(applicationIds, sortBy(rows, 'created_date_time', 'key_id'), (r) => r.application_id, keyCredentialRecord);
  }

  async deleteKeyCredential(keyId: string): Promise<void> {
    await this.db.deleteFrom('key_credentials').where('key_id', '=', keyId).execute();
  }

  // --- service principals (assignments go with them: ON DELETE CASCADE) -----------------------

  async insertServicePrincipal(sp: ServicePrincipalRecord): Promise<void> {
    await this.db.insertInto('service_principals').values(servicePrincipalRow(sp)).execute();
  }

  async updateServicePrincipal(sp: ServicePrincipalRecord): Promise<void> {
    const row = servicePrincipalRow(sp);
    const result = await this.db
      .updateTable('service_principals')
      .set({
        display_name: row.display_name,
        app_role_assignment_required: row.app_role_assignment_required,
        account_enabled: row.account_enabled,
      })
      .where('id', '=', row.id)
      .executeTakeFirst();
    expectUpdated(result, 'service principal', row.id);
  }

  async getServicePrincipal(id: string): Promise<ServicePrincipalRecord | undefined> {
    const row = await this.db.selectFrom('service_principals').selectAll().where('id', '=', id).executeTakeFirst();
    return row && servicePrincipalRecord(row);
  }

  async getServicePrincipalByAppId(appId: string): Promise<ServicePrincipalRecord | undefined> {
    const row = await this.db
      .selectFrom('service_principals')
      .selectAll()
      .where('app_id', '=', appId)
      .executeTakeFirst();
    return row && servicePrincipalRecord(row);
  }

  async listServicePrincipals(): Promise<ServicePrincipalRecord[]> {
    const rows = await this.db.selectFrom('service_principals').selectAll().execute();
    return sortBy(rows, 'created_date_time', 'id').map(servicePrincipalRecord);
  }

  async pageServicePrincipals(query: DirectoryPageQuery): Promise<ServicePrincipalRecord[]> {
    const rows = await directoryPage(this.db.selectFrom('service_principals').selectAll(), this.rules, query).execute();
    return rows.map(servicePrincipalRecord);
  }

  async listServicePrincipalsByIds(ids: readonly string[]): Promise<ServicePrincipalRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('service_principals').selectAll().where('id', 'in', [...ids]).execute();
    return rows.map(servicePrincipalRecord);
  }

  async deleteServicePrincipal(id: string): Promise<void> {
    await this.db.deleteFrom('service_principals').where('id', '=', id).execute();
  }

  // --- app role assignments -------------------------------------------------------------------

  async insertAppRoleAssignment(assignment: AppRoleAssignmentRecord): Promise<void> {
    await this.db.insertInto('app_role_assignments').values(appRoleAssignmentRow(assignment)).execute();
  }

  async getAppRoleAssignment(id: string): Promise<AppRoleAssignmentRecord | undefined> {
    const row = await this.db.selectFrom('app_role_assignments').selectAll().where('id', '=', id).executeTakeFirst();
    return row && appRoleAssignmentRecord(row);
  }

  async listAppRoleAssignments(filter: { principalId?: string; resourceId?: string }): Promise<AppRoleAssignmentRecord[]> {
    let query = this.db.selectFrom('app_role_assignments').selectAll();
    if (filter.principalId !== undefined) query = query.where('principal_id', '=', filter.principalId);
    if (filter.resourceId !== undefined) query = query.where('resource_id', '=', filter.resourceId);
    const rows = await query.execute();
    return sortBy(rows, 'created_date_time', 'id').map(appRoleAssignmentRecord);
  }

  async pageAppRoleAssignments(filter: { principalId: string } | { resourceId: string }, page: DirectoryPage): Promise<AppRoleAssignmentRecord[]> {
    let query = this.db.selectFrom('app_role_assignments').selectAll();
    query = 'principalId' in filter ? query.where('principal_id', '=', filter.principalId) : query.where('resource_id', '=', filter.resourceId);
    const after = page.after && [page.after.createdDateTime, page.after.id];
    const rows = await ordered(query, this.rules, ['created_date_time', 'id'], { top: page.top, skip: 0, after }).execute();
    return rows.map(appRoleAssignmentRecord);
  }

  async deleteAppRoleAssignment(id: string): Promise<void> {
    await this.db.deleteFrom('app_role_assignments').where('id', '=', id).execute();
  }

  // --- directory role assignments -------------------------------------------------------------

  async insertDirectoryRoleAssignment(assignment: DirectoryRoleAssignmentRecord): Promise<void> {
    await this.db.insertInto('directory_role_assignments').values(directoryRoleAssignmentRow(assignment)).execute();
  }

  async getDirectoryRoleAssignment(id: string): Promise<DirectoryRoleAssignmentRecord | undefined> {
    const row = await this.db
      .selectFrom('directory_role_assignments')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && directoryRoleAssignmentRecord(row);
  }

  async listDirectoryRoleAssignments(filter: {
    principalId?: string;
    roleDefinitionId?: string;
  }): Promise<DirectoryRoleAssignmentRecord[]> {
    let query = this.db.selectFrom('directory_role_assignments').selectAll();
    if (filter.principalId !== undefined) query = query.where('principal_id', '=', filter.principalId);
    if (filter.roleDefinitionId !== undefined) query = query.where('role_definition_id', '=', filter.roleDefinitionId);
    const rows = await query.execute();
    return sortBy(rows, 'created_date_time', 'id').map(directoryRoleAssignmentRecord);
  }

  async deleteDirectoryRoleAssignment(id: string): Promise<void> {
    await this.db.deleteFrom('directory_role_assignments').where('id', '=', id).execute();
  }

  // --- signing keys ---------------------------------------------------------------------------

  async insertSigningKey(key: SigningKeyRecord): Promise<void> {
    await this.db.insertInto('signing_keys').values(signingKeyRow(key)).execute();
  }

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    const rows = await this.db.selectFrom('signing_keys').selectAll().execute();
    return sortBy(rows, 'created_at', 'kid').map(signingKeyRecord);
  }

  async setSigningKeyRetirement(kid: string, retiresAt: string): Promise<void> {
    const result = await this.db
      .updateTable('signing_keys')
      .set({ retires_at: retiresAt })
      .where('kid', '=', kid)
      .executeTakeFirst();
    expectUpdated(result, 'signing key', kid);
  }

  async setSigningKeyActivation(kid: string, activatesAt: string): Promise<void> {
    const result = await this.db
      .updateTable('signing_keys')
      .set({ activates_at: activatesAt })
      .where('kid', '=', kid)
      .executeTakeFirst();
    expectUpdated(result, 'signing key', kid);
  }
}

/**
 * The uniqueness index of identifier URIs (migration 0005): a taken key fails as STORE_CONFLICT,
 * whose message names the application that holds it (callers check first; this is the backstop).
 */
async function insertIdentifierUris(db: Db, app: ApplicationRecord): Promise<void> {
  const keys = [...new Set(app.identifierUris.map(normaliseIdentifierUri))];
  if (keys.length === 0) return;
  const held = await db.selectFrom('application_identifier_uris').selectAll().where('uri_key', 'in', keys).where('application_id', '!=', app.id).executeTakeFirst();
  if (held) throw new StoreError('STORE_CONFLICT', `identifier URI '${held.uri_key}' is held by application ${held.application_id}`);
  await db.insertInto('application_identifier_uris').values(keys.map((key) => ({ uri_key: key, application_id: app.id }))).execute();
}

const sameKeys = (a: readonly string[], b: readonly string[]): boolean => {
  const keys = new Set(a.map(normaliseIdentifierUri));
  const other = new Set(b.map(normaliseIdentifierUri));
  return keys.size === other.size && [...keys].every((key) => other.has(key));
};

/**
 * A page of applications or service principals: the filter, then the keyset continuation and the
 * order on (created_date_time, id) in code unit order. Indexes of migration 0007 serve each shape:
 * the order alone, lower(display_name) followed by the order; app_id is unique (migration 0001).
 * displayName compares through the database's lower() on both sides, the function of the index.
 */
function directoryPage<TB extends 'applications' | 'service_principals', O>(
  query: SelectQueryBuilder<Database, TB, O>,
  rules: SqlRules,
  page: DirectoryPageQuery,
): SelectQueryBuilder<Database, TB, O> {
  let result = query as unknown as SelectQueryBuilder<Database, 'applications', O>;
  const { appId, displayName } = page.filter ?? {};
  if (appId !== undefined) result = result.where('app_id', '=', appId);
  if (displayName !== undefined) result = result.where(sql<SqlBool>`lower(display_name) = lower(${displayName})`);
  const after = page.after && [page.after.createdDateTime, page.after.id];
  // app_id is unique: with it, at most one row, nothing to order.
  return ordered(result, rules, ['created_date_time', 'id'], { top: page.top, skip: 0, after }, appId !== undefined) as unknown as SelectQueryBuilder<Database, TB, O>;
}
