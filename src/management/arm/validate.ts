import { AppError, type ErrorDetail } from '../../errors/index.js';

/** ARM's top-level message for a ValidationError; each detail names one field and what to fix. */
export const VALIDATION_MESSAGE = 'One or more fields contain incorrect values:';

/**
 * A ValidationError in ARM's shape: `target` is the field's name without the `properties.` prefix
 * (as Azure reports it), and each detail's message says what to fix.
 */
export function validationError(details: readonly { target?: string; message: string }[]): AppError {
  return new AppError(
    'ValidationError',
    VALIDATION_MESSAGE,
    details.map((detail) => ({ code: 'ValidationError', ...(detail.target !== undefined ? { target: detail.target } : {}), message: detail.message })),
  );
}

/**
 * Collects every rule a request body breaks, then throws one ValidationError naming each field and
 * rule, so a caller can fix everything in one go.
 */
export class BodyValidator {
  private readonly problems: ErrorDetail[] = [];

  constructor(private readonly properties: Record<string, unknown>) {}

  static fromBody(body: unknown): BodyValidator {
    if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new AppError('InvalidRequestContent', 'The request body must be a JSON object like {"properties": {...}}.');
    }
    const properties = (body as Record<string, unknown>).properties ?? {};
    if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
      throw new AppError('InvalidRequestContent', "The request body's 'properties' must be a JSON object.");
    }
    return new BodyValidator(properties as Record<string, unknown>);
  }

  has(name: string): boolean {
    return this.properties[name] !== undefined;
  }

  fail(name: string, rule: string): void {
    this.problems.push({ code: 'ValidationError', target: name, message: `${name} ${rule}` });
  }

  string(name: string, rules: { required?: boolean; min?: number; max?: number; pattern?: RegExp; patternRule?: string } = {}): string | undefined {
    const value = this.properties[name];
    if (value === undefined || value === null) {
      if (rules.required) this.fail(name, 'is required.');
      return undefined;
    }
    if (typeof value !== 'string') {
      this.fail(name, 'must be a string.');
      return undefined;
    }
    const min = rules.min ?? (rules.required ? 1 : 0);
    if (value.length < min || (rules.max !== undefined && value.length > rules.max)) {
      this.fail(name, rules.max !== undefined ? `must be ${min} to ${rules.max} characters long.` : `must be at least ${min} characters long.`);
      return undefined;
    }
    if (rules.pattern && !rules.pattern.test(value)) {
      this.fail(name, rules.patternRule ?? `must match ${rules.pattern}.`);
      return undefined;
    }
    return value;
  }

  nullableString(name: string, max: number): string | null | undefined {
    if (this.properties[name] === null) return null;
    return this.string(name, { max });
  }

  boolean(name: string): boolean | undefined {
    const value = this.properties[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') {
      this.fail(name, 'must be true or false.');
      return undefined;
    }
    return value;
  }

  integer(name: string, min: number, max: number): number | null | undefined {
    const value = this.properties[name];
    if (value === undefined) return undefined;
    if (value === null) return null;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(name, `must be a whole number from ${min} to ${max}, or null.`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], required = false): T | undefined {
    const value = this.properties[name];
    if (value === undefined || value === null) {
      if (required) this.fail(name, `is required; use one of: ${allowed.join(', ')}.`);
      return undefined;
    }
    if (typeof value !== 'string' || !allowed.includes(value as T)) {
      this.fail(name, `must be one of: ${allowed.join(', ')}.`);
      return undefined;
    }
    return value as T;
  }

  /** An array of distinct strings, each from `allowed` when given. */
  stringArray<T extends string>(name: string, allowed?: readonly T[]): T[] | undefined {
    const value = this.properties[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
      this.fail(name, 'must be an array of strings.');
      return undefined;
    }
    if (allowed && value.some((item) => !allowed.includes(item as T))) {
      this.fail(name, `may only contain: ${allowed.join(', ')}.`);
      return undefined;
    }
    if (new Set(value).size !== value.length) {
      this.fail(name, 'must not repeat a value.');
      return undefined;
    }
    return value as T[];
  }

  raw(name: string): unknown {
    return this.properties[name];
  }

  /** Throws when any rule was broken. */
  done(): void {
    if (this.problems.length > 0) throw validationError(this.problems);
  }
}

/** Resource names in paths: APIM allows letters, digits and - _ . up to 256 characters. */
export const RESOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/;

export function checkResourceName(kind: string, name: string): void {
  if (!RESOURCE_NAME.test(name)) {
    throw validationError([
      { target: 'name', message: `The ${kind} name '${name}' is invalid: use 1 to 256 letters, digits, '-', '_' or '.', starting with a letter or digit.` },
    ]);
  }
}
