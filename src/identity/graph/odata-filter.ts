import { AppError } from '../../errors/index.js';

export interface EqFilter {
  readonly property: string;
  readonly value: string;
}

const EQ = /^\s*([A-Za-z]+)\s+eq\s+'((?:[^']|'')*)'\s*$/;

/**
 * The one OData filter shape the directory API needs: `property eq 'value'` ('' escapes a quote).
 * Property names compare case-insensitively, as Graph does; returns the canonical spelling.
 */
export function parseEqFilter(filter: unknown, allowed: readonly string[], resource: string): EqFilter | undefined {
  if (filter === undefined) return undefined;
  if (typeof filter !== 'string') throw new AppError('Request_BadRequest', 'Invalid filter clause: $filter must be given once.');
  const match = EQ.exec(filter);
  if (!match) {
    throw new AppError('Request_BadRequest', `Invalid filter clause: only "property eq 'value'" is supported, on ${allowed.join(', ')}.`);
  }
  const property = allowed.find((p) => p.toLowerCase() === match[1]!.toLowerCase());
  if (!property) {
    throw new AppError('Request_BadRequest', `Unsupported or invalid query filter clause specified for property '${match[1]}' of resource '${resource}'.`);
  }
  return { property, value: match[2]!.replace(/''/g, "'") };
}
