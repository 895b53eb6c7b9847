import type { ServiceInstance } from '../context.js';
import { serviceResourceId } from '../context.js';

export interface ArmResource {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly properties: Record<string, unknown>;
}

/**
 * The full ARM id of a child of the service, e.g. ('users', 'alice') → `/subscriptions/…/service/x/users/alice`.
 * References in responses use this form, as Azure does; names are already URL-safe (checkResourceName).
 */
export function childResourceId(instance: ServiceInstance, ...segments: readonly string[]): string {
  return [serviceResourceId(instance), ...segments].join('/');
}

/** Builds `{id, type, name, properties}` for a child of the service, e.g. ('products', 'starter'). Unset (null) properties are left out, as Azure leaves them out. */
export function armResource(
  instance: ServiceInstance,
  segments: readonly [collection: string, name: string][],
  properties: Record<string, unknown>,
): ArmResource {
  const type = ['Microsoft.ApiManagement/service', ...segments.map(([collection]) => collection)].join('/');
  const set = Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== null && value !== undefined));
  return { id: childResourceId(instance, ...segments.flat()), type, name: segments[segments.length - 1]![1], properties: set };
}

/**
 * Accepts the short (`/users/1`), full ARM (`/subscriptions/…/service/x/users/1`) or bare (`1`)
 * form of a reference to a service child and returns the name, or undefined when it points elsewhere.
 */
export function parseChildReference(instance: ServiceInstance, collection: string, reference: string): string | undefined {
  const full = `${serviceResourceId(instance)}/${collection}/`.toLowerCase();
  const short = `/${collection}/`;
  let rest: string;
  if (reference.toLowerCase().startsWith(full)) rest = reference.slice(full.length);
  else if (reference.toLowerCase().startsWith(short)) rest = reference.slice(short.length);
  else if (!reference.includes('/')) rest = reference;
  else return undefined;
  return rest !== '' && !rest.includes('/') ? rest : undefined;
}
