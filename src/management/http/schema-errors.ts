import type { FastifySchemaValidationError } from 'fastify';

type SchemaErrorDataVar = 'body' | 'headers' | 'params' | 'querystring';
import { AppError } from '../../errors/index.js';
import { validationError } from '../arm/validate.js';

interface AjvError extends FastifySchemaValidationError {
  readonly parentSchema?: Record<string, unknown>;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  boolean: 'true or false',
  integer: 'a whole number',
  number: 'a number',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/**
 * Turns the validator's findings into ARM's ValidationError: one detail per field, `target` named as
 * Azure names it (no `properties.` prefix; array items as `name[0]`), a message that says what to fix.
 * A body that is not an object at all, or whose `properties` is not one, is InvalidRequestContent.
 */
export function schemaValidationError(errors: readonly FastifySchemaValidationError[], context: SchemaErrorDataVar): AppError {
  const details: { target: string; message: string }[] = [];
  const seen = new Set<string>();
  for (const error of errors as readonly AjvError[]) {
    const path = error.instancePath.split('/').filter((segment) => segment !== '').map(unescapePointer);
    if (context === 'body' && error.keyword === 'type' && (path.length === 0 || (path.length === 1 && path[0] === 'properties'))) {
      return new AppError(
        'InvalidRequestContent',
        path.length === 0 ? 'The request body must be a JSON object like {"properties": {...}}.' : "The request body's 'properties' must be a JSON object.",
      );
    }
    if (context === 'body' && path[0] === 'properties') path.shift();
    if (error.keyword === 'required') path.push(String((error.params as { missingProperty?: unknown }).missingProperty));
    let target = context === 'headers' ? path.map(headerName).join('.') : targetOf(path);
    let rule = ruleOf(error);
    // A missing header says what its rule says (e.g. If-Match: how to get the ETag to send).
    if (error.keyword === 'required' && context === 'headers') {
      const property = (error.parentSchema?.properties as Record<string, { 'x-rule'?: unknown }> | undefined)?.[path.at(-1) ?? ''];
      if (typeof property?.['x-rule'] === 'string') rule = property['x-rule'];
    }
    // A value outside an array's allowed set names the array, as "may only contain …".
    if (error.keyword === 'enum' && /^\d+$/.test(path.at(-1) ?? '')) {
      target = targetOf(path.slice(0, -1));
      rule = `may only contain: ${enumOf(error).join(', ')}.`;
    }
    if (target === '' && context === 'body') target = 'properties';
    if (seen.has(target)) continue; // the first problem of a field is the one to fix first
    seen.add(target);
    details.push({ target, message: `${target} ${rule}` });
  }
  return validationError(details);
}

function ruleOf(error: AjvError): string {
  const schema = error.parentSchema ?? {};
  const params = error.params as Record<string, unknown>;
  const nullable = Array.isArray(schema.type) && schema.type.includes('null');
  switch (error.keyword) {
    case 'required':
      return 'is required.';
    case 'type': {
      if (typeof schema.minimum === 'number' && typeof schema.maximum === 'number') return `must be a whole number from ${schema.minimum} to ${schema.maximum}${nullable ? ', or null' : ''}.`;
      const types = ([] as unknown[]).concat(params.type).filter((t) => t !== 'null').map((t) => String(t));
      const items = schema.items as { type?: unknown } | undefined;
      const words = types.map((t) => (t === 'array' && items?.type === 'string' ? 'an array of strings' : (TYPE_WORDS[t] ?? t)));
      return `must be ${words.join(' or ')}.`;
    }
    case 'minLength':
    case 'maxLength': {
      const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
      return typeof schema.maxLength === 'number' ? `must be ${min} to ${schema.maxLength} characters long.` : `must be at least ${min} characters long.`;
    }
    case 'minimum':
    case 'maximum':
      return `must be a whole number from ${String(schema.minimum)} to ${String(schema.maximum)}${nullable ? ', or null' : ''}.`;
    case 'enum':
      return `must be one of: ${enumOf(error).join(', ')}.`;
    case 'uniqueItems':
      return 'must not repeat a value.';
    case 'maxItems':
      return `must hold at most ${String(schema.maxItems)} items.`;
    case 'pattern':
      return typeof schema['x-rule'] === 'string' ? schema['x-rule'] : `must match ${String(params.pattern)}.`;
    default:
      return `${error.message ?? 'is not valid'}.`;
  }
}

function enumOf(error: AjvError): string[] {
  const values = (error.params as { allowedValues?: unknown }).allowedValues;
  return Array.isArray(values) ? values.filter((v) => v !== null).map(String) : [];
}

function targetOf(path: readonly string[]): string {
  return path.reduce((target, segment) => (/^\d+$/.test(segment) ? `${target}[${segment}]` : target === '' ? segment : `${target}.${segment}`), '');
}

/** `if-match` → `If-Match`: a header named as HTTP and Azure write it. */
function headerName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => `${dash}${letter.toUpperCase()}`);
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
