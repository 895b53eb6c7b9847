import type { AuditEventRecord } from '../../audit/index.js';
import { armResource, type ArmResource } from '../arm/resource.js';
import type { ManagementContext } from '../context.js';

/**
 * An audit event as the management API shows it (a Portico extension, ARM-shaped, read-only).
 * Unset properties are left out.
 */
export function auditEventResource(ctx: ManagementContext, event: AuditEventRecord): ArmResource {
  return armResource(ctx.instance, [['auditEvents', event.id]], {
    timestamp: event.timestamp,
    actor: { ...(event.actorObjectId !== null ? { objectId: event.actorObjectId } : {}), ...(event.actorAppId !== null ? { appId: event.actorAppId } : {}) },
    operation: event.operation,
    targetId: event.targetId,
    outcome: event.outcome,
    ...(event.status !== null ? { status: event.status } : {}),
    ...(event.correlationId !== null ? { correlationId: event.correlationId } : {}),
    ...(event.details !== null ? { details: event.details } : {}),
  });
}
