import type { Kysely } from 'kysely';

/**
 * The first schema. Frozen: later changes go in new migrations, never here.
 * Portable types only (text, integer) so SQLite and PostgreSQL share one schema:
 * JSON is text, booleans are integer 0/1, timestamps are ISO-8601 text.
 * ON DELETE CASCADE marks children the storage contract says go with their parent.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // --- directory ---------------------------------------------------------------------------
  await db.schema
    .createTable('applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('identifier_uris', 'text', (c) => c.notNull())
    .addColumn('app_roles', 'text', (c) => c.notNull())
    .addColumn('required_resource_access', 'text', (c) => c.notNull())
    .addColumn('requested_access_token_version', 'integer', (c) => c.notNull())
    .addColumn('created_date_time', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('password_credentials')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .addColumn('display_name', 'text')
    .addColumn('hint', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('start_date_time', 'text', (c) => c.notNull())
    .addColumn('end_date_time', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('password_credentials_application_id').on('password_credentials').column('application_id').execute();

  // No foreign key to applications: a managed identity has a service principal but no app registration.
  await db.schema
    .createTable('service_principals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('service_principal_type', 'text', (c) => c.notNull())
    .addColumn('app_role_assignment_required', 'integer', (c) => c.notNull())
    .addColumn('account_enabled', 'integer', (c) => c.notNull())
    .addColumn('created_date_time', 'text', (c) => c.notNull())
    .execute();

  // Entra refuses the same role granted twice to the same principal: hence the unique constraint.
  await db.schema
    .createTable('app_role_assignments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('principal_id', 'text', (c) => c.notNull().references('service_principals.id').onDelete('cascade'))
    .addColumn('resource_id', 'text', (c) => c.notNull().references('service_principals.id').onDelete('cascade'))
    .addColumn('app_role_id', 'text', (c) => c.notNull())
    .addColumn('created_date_time', 'text', (c) => c.notNull())
    .addUniqueConstraint('app_role_assignments_grant', ['principal_id', 'resource_id', 'app_role_id'])
    .execute();
  await db.schema.createIndex('app_role_assignments_resource_id').on('app_role_assignments').column('resource_id').execute();

  await db.schema
    .createTable('directory_role_assignments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('principal_id', 'text', (c) => c.notNull().references('service_principals.id').onDelete('cascade'))
    .addColumn('role_definition_id', 'text', (c) => c.notNull())
    .addColumn('directory_scope_id', 'text', (c) => c.notNull())
    .addColumn('created_date_time', 'text', (c) => c.notNull())
    .addUniqueConstraint('directory_role_assignments_grant', ['principal_id', 'role_definition_id', 'directory_scope_id'])
    .execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('private_key_encrypted', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('activates_at', 'text', (c) => c.notNull())
    .addColumn('retires_at', 'text')
    .execute();

  // --- management --------------------------------------------------------------------------
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_lower', 'text', (c) => c.notNull().unique())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('password_hash', 'text')
    .addColumn('registration_date', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('built_in', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('group_users')
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('group_users_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('group_users_user_id').on('group_users').column('user_id').execute();

  await db.schema
    .createTable('products')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('terms', 'text')
    .addColumn('subscription_required', 'integer', (c) => c.notNull())
    .addColumn('approval_required', 'integer', (c) => c.notNull())
    .addColumn('subscriptions_limit', 'integer')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('authentication_type', 'text', (c) => c.notNull())
    .addColumn('entra_application_id', 'text')
    .addColumn('entra_audience', 'text')
    .execute();

  await db.schema
    .createTable('product_groups')
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id').onDelete('cascade'))
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('product_groups_pk', ['product_id', 'group_id'])
    .execute();
  await db.schema.createIndex('product_groups_group_id').on('product_groups').column('group_id').execute();

  await db.schema
    .createTable('apis')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('path', 'text', (c) => c.notNull().unique())
    .addColumn('service_url', 'text')
    .addColumn('protocols', 'text', (c) => c.notNull())
    .addColumn('subscription_required', 'integer', (c) => c.notNull())
    .addColumn('subscription_key_header_name', 'text', (c) => c.notNull())
    .addColumn('subscription_key_query_name', 'text', (c) => c.notNull())
    .addColumn('api_revision', 'text', (c) => c.notNull())
    .addColumn('is_current', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('operations')
    .addColumn('api_id', 'text', (c) => c.notNull().references('apis.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('url_template', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('template_parameters', 'text', (c) => c.notNull())
    .addColumn('request', 'text')
    .addColumn('responses', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('operations_pk', ['api_id', 'id'])
    .execute();

  await db.schema
    .createTable('product_apis')
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id').onDelete('cascade'))
    .addColumn('api_id', 'text', (c) => c.notNull().references('apis.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('product_apis_pk', ['product_id', 'api_id'])
    .execute();
  await db.schema.createIndex('product_apis_api_id').on('product_apis').column('api_id').execute();

  // owner_id has no foreign key: the contract does not say deleting a user removes its subscriptions.
  await db.schema
    .createTable('subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('primary_key_hash', 'text', (c) => c.notNull())
    .addColumn('secondary_key_hash', 'text', (c) => c.notNull())
    .addColumn('primary_key_encrypted', 'text', (c) => c.notNull())
    .addColumn('secondary_key_encrypted', 'text', (c) => c.notNull())
    .addColumn('allow_tracing', 'integer', (c) => c.notNull())
    .addColumn('state_comment', 'text')
    .addColumn('created_date', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('subscriptions_scope').on('subscriptions').column('scope').execute();

  await db.schema
    .createTable('client_applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('entra_application_id', 'text', (c) => c.notNull())
    .addColumn('entra_object_id', 'text', (c) => c.notNull())
    .addColumn('entra_service_principal_id', 'text', (c) => c.notNull())
    .addColumn('created_date', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('client_applications_owner_id').on('client_applications').column('owner_id').execute();

  await db.schema
    .createTable('product_links')
    .addColumn('client_application_id', 'text', (c) =>
      c.notNull().references('client_applications.id').onDelete('cascade'),
    )
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id').onDelete('cascade'))
    .addColumn('app_role_assignment_id', 'text')
    .addPrimaryKeyConstraint('product_links_pk', ['client_application_id', 'id'])
    .addUniqueConstraint('product_links_one_per_product', ['client_application_id', 'product_id'])
    .execute();
  await db.schema.createIndex('product_links_product_id').on('product_links').column('product_id').execute();

  // --- settings ----------------------------------------------------------------------------
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}
