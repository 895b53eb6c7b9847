/** Row ↔ record conversions for the management tables. */
import type {
  ApiRecord,
  ClientApplicationRecord,
  GroupRecord,
  OperationRecord,
  ProductLinkRecord,
  ProductRecord,
  SubscriptionRecord,
  UserRecord,
} from '../../management/management-store.js';
import type {
  ApisTable,
  ClientApplicationsTable,
  GroupsTable,
  OperationsTable,
  ProductLinksTable,
  ProductsTable,
  SubscriptionsTable,
  UsersTable,
} from '../schema.js';
import { fromJson, toBool, toInt, toJson } from './support.js';

export function userRow(u: UserRecord): UsersTable {
  return {
    id: u.id,
    email: u.email,
    // The lower-cased copy carries the unique constraint: emails are compared case-insensitively.
    email_lower: u.email.toLowerCase(),
    first_name: u.firstName,
    last_name: u.lastName,
    state: u.state,
    note: u.note,
    password_hash: u.passwordHash,
    registration_date: u.registrationDate,
  };
}

export function userRecord(row: UsersTable): UserRecord {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    state: row.state as UserRecord['state'],
    note: row.note,
    passwordHash: row.password_hash,
    registrationDate: row.registration_date,
  };
}

export function groupRow(g: GroupRecord): GroupsTable {
  return {
    id: g.id,
    display_name: g.displayName,
    description: g.description,
    type: g.type,
    built_in: toInt(g.builtIn),
  };
}

export function groupRecord(row: GroupsTable): GroupRecord {
  return {
    id: row.id,
    displayName: row.display_name,
    description: row.description,
    type: row.type as GroupRecord['type'],
    builtIn: toBool(row.built_in),
  };
}

export function productRow(p: ProductRecord): ProductsTable {
  return {
    id: p.id,
    display_name: p.displayName,
    description: p.description,
    terms: p.terms,
    subscription_required: toInt(p.subscriptionRequired),
    approval_required: toInt(p.approvalRequired),
    subscriptions_limit: p.subscriptionsLimit,
    state: p.state,
    authentication_type: toJson(p.authenticationType),
    entra_application_id: p.entraApplicationId,
    entra_audience: p.entraAudience,
  };
}

export function productRecord(row: ProductsTable): ProductRecord {
  return {
    id: row.id,
    displayName: row.display_name,
    description: row.description,
    terms: row.terms,
    subscriptionRequired: toBool(row.subscription_required),
    approvalRequired: toBool(row.approval_required),
    subscriptionsLimit: row.subscriptions_limit,
    state: row.state as ProductRecord['state'],
    authenticationType: fromJson(row.authentication_type),
    entraApplicationId: row.entra_application_id,
    entraAudience: row.entra_audience,
  };
}

export function apiRow(a: ApiRecord): ApisTable {
  return {
    id: a.id,
    display_name: a.displayName,
    description: a.description,
    path: a.path,
    service_url: a.serviceUrl,
    protocols: toJson(a.protocols),
    subscription_required: toInt(a.subscriptionRequired),
    subscription_key_header_name: a.subscriptionKeyHeaderName,
    subscription_key_query_name: a.subscriptionKeyQueryName,
    api_revision: a.apiRevision,
    is_current: toInt(a.isCurrent),
  };
}

export function apiRecord(row: ApisTable): ApiRecord {
  return {
    id: row.id,
    displayName: row.display_name,
    description: row.description,
    path: row.path,
    serviceUrl: row.service_url,
    protocols: fromJson(row.protocols),
    subscriptionRequired: toBool(row.subscription_required),
    subscriptionKeyHeaderName: row.subscription_key_header_name,
    subscriptionKeyQueryName: row.subscription_key_query_name,
    apiRevision: row.api_revision,
    isCurrent: toBool(row.is_current),
  };
}

export function operationRow(o: OperationRecord): OperationsTable {
  return {
    api_id: o.apiId,
    id: o.id,
    display_name: o.displayName,
    method: o.method,
    url_template: o.urlTemplate,
    description: o.description,
    template_parameters: toJson(o.templateParameters),
    request: o.request === null ? null : toJson(o.request),
    responses: toJson(o.responses),
  };
}

export function operationRecord(row: OperationsTable): OperationRecord {
  return {
    apiId: row.api_id,
    id: row.id,
    displayName: row.display_name,
    method: row.method,
    urlTemplate: row.url_template,
    description: row.description,
    templateParameters: fromJson(row.template_parameters),
    request: row.request === null ? null : fromJson(row.request),
    responses: fromJson(row.responses),
  };
}

export function subscriptionRow(s: SubscriptionRecord): SubscriptionsTable {
  return {
    id: s.id,
    display_name: s.displayName,
    owner_id: s.ownerId,
    scope: s.scope,
    state: s.state,
    primary_key_hash: s.primaryKeyHash,
    secondary_key_hash: s.secondaryKeyHash,
    primary_key_encrypted: s.primaryKeyEncrypted,
    secondary_key_encrypted: s.secondaryKeyEncrypted,
    allow_tracing: toInt(s.allowTracing),
    state_comment: s.stateComment,
    created_date: s.createdDate,
    expiration_date: s.expirationDate ?? null,
    start_date: s.startDate ?? null,
    end_date: s.endDate ?? null,
    notification_date: s.notificationDate ?? null,
  };
}

export function subscriptionRecord(row: SubscriptionsTable): SubscriptionRecord {
  return {
    id: row.id,
    displayName: row.display_name,
    ownerId: row.owner_id,
    scope: row.scope,
    state: row.state as SubscriptionRecord['state'],
    primaryKeyHash: row.primary_key_hash,
    secondaryKeyHash: row.secondary_key_hash,
    primaryKeyEncrypted: row.primary_key_encrypted,
    secondaryKeyEncrypted: row.secondary_key_encrypted,
    allowTracing: toBool(row.allow_tracing),
    stateComment: row.state_comment,
    createdDate: row.created_date,
    // Optional in the record: absent when the subscription does not expire.
    ...(row.expiration_date !== null ? { expirationDate: row.expiration_date } : {}),
    ...(row.start_date !== null ? { startDate: row.start_date } : {}),
    ...(row.end_date !== null ? { endDate: row.end_date } : {}),
    ...(row.notification_date !== null ? { notificationDate: row.notification_date } : {}),
  };
}

export function clientApplicationRow(a: ClientApplicationRecord): ClientApplicationsTable {
  return {
    id: a.id,
    display_name: a.displayName,
    description: a.description,
    owner_id: a.ownerId,
    state: a.state,
    entra_application_id: a.entraApplicationId,
    entra_object_id: a.entraObjectId,
    entra_service_principal_id: a.entraServicePrincipalId,
    created_date: a.createdDate,
  };
}

export function clientApplicationRecord(row: ClientApplicationsTable): ClientApplicationRecord {
  return {
    id: row.id,
    displayName: row.display_name,
    description: row.description,
    ownerId: row.owner_id,
    state: row.state as ClientApplicationRecord['state'],
    entraApplicationId: row.entra_application_id,
    entraObjectId: row.entra_object_id,
    entraServicePrincipalId: row.entra_service_principal_id,
    createdDate: row.created_date,
  };
}

export function productLinkRow(l: ProductLinkRecord): ProductLinksTable {
  return {
    client_application_id: l.clientApplicationId,
    id: l.id,
    product_id: l.productId,
    app_role_assignment_id: l.appRoleAssignmentId,
    state: l.state,
  };
}

export function productLinkRecord(row: ProductLinksTable): ProductLinkRecord {
  return {
    id: row.id,
    clientApplicationId: row.client_application_id,
    productId: row.product_id,
    appRoleAssignmentId: row.app_role_assignment_id,
    state: row.state as ProductLinkRecord['state'],
  };
}
