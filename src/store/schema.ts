/**
 * Row shapes of the tables created by the migrations, for Kysely's type checking.
 * Column conventions: JSON is text, booleans are integer 0/1, timestamps are ISO-8601 text.
 */

export interface ApplicationsTable {
  id: string;
  app_id: string;
  display_name: string;
  description: string | null;
  identifier_uris: string;
  app_roles: string;
  required_resource_access: string;
  requested_access_token_version: number;
  created_date_time: string;
  /** The service principal that created it; null for first-start objects and older rows (migration 0011). */
  created_by: string | null;
}

/** One row per identifier URI of an application, keyed by its normalised form: the uniqueness index. */
export interface ApplicationIdentifierUrisTable {
  uri_key: string;
  application_id: string;
}

export interface PasswordCredentialsTable {
  key_id: string;
  application_id: string;
  display_name: string | null;
  hint: string;
  secret_hash: string;
  start_date_time: string;
  end_date_time: string;
}

export interface KeyCredentialsTable {
  key_id: string;
  application_id: string;
  display_name: string | null;
  /** base64 DER. */
  certificate: string;
  /** Hex, upper case. */
  thumbprint_sha1: string;
  /** Hex, upper case. */
  thumbprint_sha256: string;
  start_date_time: string;
  end_date_time: string;
  created_date_time: string;
}

export interface ServicePrincipalsTable {
  id: string;
  app_id: string;
  display_name: string;
  service_principal_type: string;
  app_role_assignment_required: number;
  account_enabled: number;
  created_date_time: string;
}

export interface AppRoleAssignmentsTable {
  id: string;
  principal_id: string;
  resource_id: string;
  app_role_id: string;
  created_date_time: string;
}

export interface DirectoryRoleAssignmentsTable {
  id: string;
  principal_id: string;
  role_definition_id: string;
  directory_scope_id: string;
  created_date_time: string;
}

export interface SigningKeysTable {
  kid: string;
  private_key_encrypted: string;
  public_jwk: string;
  created_at: string;
  activates_at: string;
  retires_at: string | null;
  certificate: string | null;
}

export interface UsersTable {
  id: string;
  email: string;
  email_lower: string;
  first_name: string;
  last_name: string;
  state: string;
  note: string | null;
  password_hash: string | null;
  registration_date: string;
}

export interface GroupsTable {
  id: string;
  display_name: string;
  description: string | null;
  type: string;
  built_in: number;
}

export interface GroupUsersTable {
  group_id: string;
  user_id: string;
}

export interface ProductsTable {
  id: string;
  display_name: string;
  description: string | null;
  terms: string | null;
  subscription_required: number;
  approval_required: number;
  subscriptions_limit: number | null;
  state: string;
  authentication_type: string;
  entra_application_id: string | null;
  entra_audience: string | null;
}

export interface ProductGroupsTable {
  product_id: string;
  group_id: string;
}

export interface ApisTable {
  id: string;
  display_name: string;
  description: string | null;
  path: string;
  service_url: string | null;
  protocols: string;
  subscription_required: number;
  subscription_key_header_name: string;
  subscription_key_query_name: string;
  api_revision: string;
  is_current: number;
}

export interface OperationsTable {
  api_id: string;
  id: string;
  display_name: string;
  method: string;
  url_template: string;
  description: string | null;
  template_parameters: string;
  request: string | null;
  responses: string;
}

export interface ProductApisTable {
  product_id: string;
  api_id: string;
}

export interface SubscriptionsTable {
  id: string;
  display_name: string;
  owner_id: string | null;
  scope: string;
  state: string;
  primary_key_hash: string;
  secondary_key_hash: string;
  primary_key_encrypted: string;
  secondary_key_encrypted: string;
  allow_tracing: number;
  state_comment: string | null;
  created_date: string;
  /** Added by migration 0008; null: the subscription does not expire. */
  expiration_date: string | null;
  start_date: string | null;
  end_date: string | null;
  notification_date: string | null;
}

export interface ProductPoliciesTable {
  product_id: string;
  format: string;
  value: string;
}

export interface QuotaCountersTable {
  counter_key: string;
  count: number | string;
  resets_at: number | string;
}

export interface ClientApplicationsTable {
  id: string;
  display_name: string;
  description: string | null;
  owner_id: string;
  state: string;
  entra_application_id: string;
  entra_object_id: string;
  entra_service_principal_id: string;
  created_date: string;
}

export interface ProductLinksTable {
  client_application_id: string;
  id: string;
  product_id: string;
  app_role_assignment_id: string | null;
  state: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface Database {
  applications: ApplicationsTable;
  application_identifier_uris: ApplicationIdentifierUrisTable;
  password_credentials: PasswordCredentialsTable;
  key_credentials: KeyCredentialsTable;
  service_principals: ServicePrincipalsTable;
  app_role_assignments: AppRoleAssignmentsTable;
  directory_role_assignments: DirectoryRoleAssignmentsTable;
  signing_keys: SigningKeysTable;
  users: UsersTable;
  groups: GroupsTable;
  group_users: GroupUsersTable;
  products: ProductsTable;
  product_groups: ProductGroupsTable;
  apis: ApisTable;
  operations: OperationsTable;
  product_apis: ProductApisTable;
  subscriptions: SubscriptionsTable;
  client_applications: ClientApplicationsTable;
  product_links: ProductLinksTable;
  settings: SettingsTable;
  config_version: ConfigVersionTable;
  product_policies: ProductPoliciesTable;
  quota_counters: QuotaCountersTable;
  audit_events: AuditEventsTable;
  node_heartbeats: NodeHeartbeatsTable;
  change_events: ChangeEventsTable;
}

/** Append-only (migration 0011); `target_key` is target_id in lower case, the indexed lookup term. */
export interface AuditEventsTable {
  id: string;
  timestamp: string;
  actor_object_id: string | null;
  actor_app_id: string | null;
  operation: string;
  target_id: string;
  target_key: string;
  outcome: string;
  status: number | null;
  correlation_id: string | null;
  details: string | null;
}

/** One row (id 1): the configuration version every announced write bumps. */
export interface ConfigVersionTable {
  id: number;
  version: number | string | bigint; // PostgreSQL's bigint arrives as a string
}

/** One row per running node (migration 0015); timestamps ISO-8601. */
export interface NodeHeartbeatsTable {
  node_id: string;
  roles: string;
  applied_version: number | string;
  feed_connected: number;
  host: string;
  pid: number;
  started_at: string;
  last_seen_at: string;
}

/** Every announced write's event by version (migration 0015), read by the PostgreSQL change feed. */
export interface ChangeEventsTable {
  version: number | string;
  type: string;
  body: string;
  created_at: string;
}
