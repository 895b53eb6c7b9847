/**
 * An audit entry before it is stamped (id, time, actor, correlation): what a write records. Change
 * events map to entries here (one per event); a write that needs other rows (a batch recording one
 * entry per item, say) returns its own entries with the change (`Change.audit`).
 */
import { newGuid } from '../shared/crypto.js';
import type { ChangeEventBody } from '../shared/change-events.js';
import type { AuditScope } from './audit-scope.js';
import type { AuditEventRecord, AuditOutcome } from './audit-store.js';

export interface AuditEntry {
  readonly operation: string;
  /**
   * The resource id. A management resource is given relative to the service (`/products/starter`)
   * and stored under the service's ARM id; a directory object by its object id.
   */
  readonly target: string;
  readonly outcome?: AuditOutcome;
  readonly status?: number | null;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The entry a committed change records; none for events that are not writes of their own. */
export function auditEntriesOf(event: ChangeEventBody, viaRequest: boolean): AuditEntry[] {
  // The management plane's directory steps answer no request of their own: no status for them.
  const status = (code: number): number | null => (viaRequest ? code : null);
  switch (event.type) {
    case 'product.created':
    case 'product.updated':
      return [{ operation: 'products.write', target: `/products/${event.productId}`, status: status(event.type === 'product.created' ? 201 : 200) }];
    case 'product.deleted':
      return [{ operation: 'products.delete', target: `/products/${event.productId}`, status: status(200), details: { subscriptionIds: event.subscriptionIds } }];
    case 'product.apiAdded':
      return [{ operation: 'products/apis.write', target: `/products/${event.productId}/apis/${event.apiId}`, status: status(201) }];
    case 'product.apiRemoved':
      return [{ operation: 'products/apis.delete', target: `/products/${event.productId}/apis/${event.apiId}`, status: status(200) }];
    case 'api.created':
    case 'api.updated':
      return [{ operation: 'apis.write', target: `/apis/${event.apiId}`, status: status(event.type === 'api.created' ? 201 : 200) }];
    case 'api.deleted':
      return [{ operation: 'apis.delete', target: `/apis/${event.apiId}`, status: status(200), details: { subscriptionIds: event.subscriptionIds } }];
    case 'operation.created':
    case 'operation.updated':
    case 'operation.deleted':
      return [{
        operation: event.type === 'operation.deleted' ? 'apis/operations.delete' : 'apis/operations.write',
        target: `/apis/${event.apiId}/operations/${event.operationId}`,
        status: status(event.type === 'operation.created' ? 201 : 200),
      }];
    case 'subscription.created':
    case 'subscription.updated':
      return [{ operation: 'subscriptions.write', target: `/subscriptions/${event.subscriptionId}`, status: status(event.type === 'subscription.created' ? 201 : 200) }];
    case 'subscription.deleted':
      return [{ operation: 'subscriptions.delete', target: `/subscriptions/${event.subscriptionId}`, status: status(200) }];
    case 'subscription.keyRegenerated':
      return [{
        operation: event.key === 'primary' ? 'subscriptions.regeneratePrimaryKey' : 'subscriptions.regenerateSecondaryKey',
        target: `/subscriptions/${event.subscriptionId}`,
        status: status(204),
      }];
    case 'user.created':
    case 'user.updated':
      return [{ operation: 'users.write', target: `/users/${event.userId}`, status: status(event.type === 'user.created' ? 201 : 200) }];
    case 'user.stateChanged':
      return [{ operation: 'users.write', target: `/users/${event.userId}`, status: status(200), details: { state: event.state } }];
    case 'user.deleted':
      return [{ operation: 'users.delete', target: `/users/${event.userId}`, status: status(200), details: { subscriptionIds: event.subscriptionIds } }];
    case 'clientApplication.created':
    case 'clientApplication.updated':
    case 'clientApplication.deleted':
      return [{
        operation: event.type === 'clientApplication.deleted' ? 'clientApplications.delete' : 'clientApplications.write',
        target: `/clientApplications/${event.clientApplicationId}`,
        status: status(event.type === 'clientApplication.created' ? 201 : 200),
        details: { entraApplicationId: event.entraApplicationId, entraObjectId: event.entraObjectId },
      }];
    case 'productLink.created':
    case 'productLink.deleted':
      return [{
        operation: event.type === 'productLink.created' ? 'clientApplications/productLinks.write' : 'clientApplications/productLinks.delete',
        target: `/clientApplications/${event.clientApplicationId}/productLinks/${event.productLinkId}`,
        status: status(event.type === 'productLink.created' ? 201 : 200),
        details: { productId: event.productId },
      }];
    case 'productLink.approved':
    case 'productLink.rejected':
      // Named as the request's action (POST …/productLinks/{id}/approve), so the edge adds no second row.
      return [{
        operation: event.type === 'productLink.approved' ? 'clientApplications/productLinks.approve' : 'clientApplications/productLinks.reject',
        target: `/clientApplications/${event.clientApplicationId}/productLinks/${event.productLinkId}`,
        status: status(200),
        details: { productId: event.productId },
      }];
    case 'batch.imported':
      // The import service gives its own entries (created or updated per item, services/import.ts);
      // this is the fallback: one row for the batch and one per item it names.
      return [
        { operation: IMPORT_OPERATION, target: '', status: status(200), details: { users: event.userIds.length, clientApplications: event.clientApplications.length, subscriptions: event.subscriptionIds.length } },
        ...event.userIds.map((id) => ({ operation: 'users.write', target: `/users/${id}`, status: null, details: { via: IMPORT_OPERATION } })),
        ...event.clientApplications.map((app) => ({
          operation: 'clientApplications.write', target: `/clientApplications/${app.clientApplicationId}`, status: null,
          details: { via: IMPORT_OPERATION, entraApplicationId: app.entraApplicationId, entraObjectId: app.entraObjectId },
        })),
        ...event.subscriptionIds.map((id) => ({ operation: 'subscriptions.write', target: `/subscriptions/${id}`, status: null, details: { via: IMPORT_OPERATION } })),
      ];
    case 'application.created':
      return [{ operation: 'applications.create', target: event.applicationObjectId, status: status(201), details: { appId: event.appId } }];
    case 'application.deleted':
      return [{ operation: 'applications.delete', target: event.applicationObjectId, status: status(204), details: { appId: event.appId } }];
    case 'application.credentialAdded':
      return [{ operation: 'applications.addPassword', target: event.applicationObjectId, status: status(200), details: { keyIds: event.keyIds } }];
    case 'application.credentialRemoved':
      return [{ operation: 'applications.removePassword', target: event.applicationObjectId, status: status(204), details: { keyIds: event.keyIds } }];
    case 'application.keyCredentialsChanged':
      return [{ operation: 'applications.write', target: event.applicationObjectId, status: status(204), details: { keyIds: event.keyIds } }];
    case 'servicePrincipal.created':
      return [{ operation: 'servicePrincipals.create', target: event.servicePrincipalId, status: status(201), details: { appId: event.appId } }];
    case 'appRoleAssignment.created':
    case 'appRoleAssignment.deleted':
      return [{
        operation: event.type === 'appRoleAssignment.created' ? 'appRoleAssignments.create' : 'appRoleAssignments.delete',
        target: event.assignmentId,
        status: status(event.type === 'appRoleAssignment.created' ? 201 : 204),
        details: { principalId: event.principalId },
      }];
    case 'directoryRoleAssignment.created':
    case 'directoryRoleAssignment.deleted':
      return [{
        operation: event.type === 'directoryRoleAssignment.created' ? 'roleAssignments.create' : 'roleAssignments.delete',
        target: event.assignmentId,
        status: status(event.type === 'directoryRoleAssignment.created' ? 201 : 204),
        details: { principalId: event.principalId },
      }];
    case 'signingKey.created':
    case 'signingKey.rotated':
    case 'signingKey.activated':
      return [{ operation: SIGNING_KEY_OPERATIONS[event.type], target: event.kid, status: status(event.type === 'signingKey.rotated' ? 200 : 201) }];
    case 'directory.changed':
      return []; // not a write: the summary of a unit whose steps were recorded one by one
    default:
      return [{ operation: (event as { type: string }).type, target: '', status: null }];
  }
}

/** The bulk import's action (POST …/service/{name}/portico.import): its row targets the service itself. */
export const IMPORT_OPERATION = 'portico.import';

/** Stamps entries with the scope: id, time, actor, correlation id, and the full id of a management target. */
export function auditRecordsOf(entries: readonly AuditEntry[], scope: AuditScope): AuditEventRecord[] {
  const timestamp = scope.now().toISOString();
  return entries.map((entry) => ({
    id: newGuid(),
    timestamp,
    actorObjectId: scope.actor.objectId,
    actorAppId: scope.actor.appId,
    operation: entry.operation,
    // A management target is relative to the service; '' is the service itself (an action on it, e.g. portico.import).
    targetId: (entry.target === '' || entry.target.startsWith('/')) && scope.serviceResourceId !== null ? `${scope.serviceResourceId}${entry.target}` : entry.target,
    outcome: entry.outcome ?? 'success',
    status: entry.status ?? null,
    correlationId: scope.correlationId,
    details: entry.details ?? null,
  }));
}

const SIGNING_KEY_OPERATIONS = {
  'signingKey.created': 'signingKeys.create',
  'signingKey.rotated': 'signingKeys.rotate',
  'signingKey.activated': 'signingKeys.activate',
} as const;
