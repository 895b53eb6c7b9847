import { createHash } from 'node:crypto';
import { AppError } from '../../errors/index.js';
import { validationError } from './validate.js';

/** A quoted ETag derived from the resource's representation, so no version column is needed. */
export function etagOf(resource: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(resource)).digest('base64url').slice(0, 22)}"`;
}

/** If-Match is compared byte for byte; `*` matches any existing resource; absent means no precondition. */
export function checkIfMatch(ifMatch: string | undefined, current: unknown): void {
  if (ifMatch === undefined || ifMatch === '*') return;
  if (ifMatch !== etagOf(current)) {
    throw new AppError('PreconditionFailed', 'The If-Match header does not match the resource\'s current ETag. Read the resource again and retry with its ETag, or send If-Match: *.');
  }
}

/**
 * Where APIM's spec declares If-Match required (product update and delete, ProductContract.tsp), a
 * request without it is refused before anything is read, in ARM's ValidationError shape.
 */
export function requireIfMatch(ifMatch: string | undefined): string {
  if (ifMatch === undefined || ifMatch.trim() === '') {
    throw validationError([
      { target: 'If-Match', message: 'If-Match header is required: send the ETag from a GET of the resource, or * to change whatever version is current.' },
    ]);
  }
  return ifMatch;
}
