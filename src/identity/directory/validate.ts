import { AppError } from '../../errors/index.js';

import { isGuid } from '../../shared/index.js';

export { isGuid };

/** Graph's wording for a bad property, with the rule appended so the caller knows what to fix. */
export function invalidProperty(property: string, resource: string, rule: string): AppError {
  return new AppError('Request_BadRequest', `Invalid value specified for property '${property}' of resource '${resource}': ${rule}`);
}

/** Graph answers a malformed id in a path with this message. */
export function requireObjectId(value: string): string {
  if (!isGuid(value)) throw new AppError('Request_BadRequest', `Invalid object identifier '${value}'.`);
  return value.toLowerCase();
}

export function requireGuidProperty(value: unknown, property: string, resource: string): string {
  if (!isGuid(value)) throw invalidProperty(property, resource, 'it must be a GUID.');
  return value.toLowerCase();
}

export function requireText(value: unknown, property: string, resource: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw invalidProperty(property, resource, `it must be a non-empty string of at most ${max} characters.`);
  }
  return value;
}

export function optionalText(value: unknown, property: string, resource: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > max) {
    throw invalidProperty(property, resource, `it must be a string of at most ${max} characters.`);
  }
  return value;
}

/** Graph's answer for an object that does not exist. */
export function notFound(id: string): AppError {
  return new AppError('Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}
