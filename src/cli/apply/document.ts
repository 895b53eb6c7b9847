import { Document, LineCounter, isNode, parseDocument } from 'yaml';

/**
 * The declarative file `portico apply -f portico.yaml` reads and `portico export` writes
 * (format: docs/apply.md). Optional fields left out mean "leave as it is on the server".
 */

export const PRODUCT_STATES = ['published', 'notPublished'] as const;
export const AUTH_TYPES = ['subscription-key', 'application-token'] as const;
export const USER_STATES = ['active', 'blocked', 'pending'] as const;

export interface ProductSpec {
  id: string;
  displayName: string;
  description?: string | null;
  terms?: string | null;
  state?: string;
  subscriptionRequired?: boolean;
  approvalRequired?: boolean;
  subscriptionsLimit?: number | null;
  authenticationTypes?: string[];
  /** The APIs in the product (exactly these, when given). */
  apis?: string[];
  /**
   * POLICIES (pass-through): sent to `products/{id}/policies/policy` when the server has that
   * endpoint; a string is the policy XML, an object the resource's properties. Refused otherwise.
   */
  policies?: unknown;
}

export interface OperationSpec {
  id: string;
  displayName: string;
  method: string;
  urlTemplate: string;
  description?: string | null;
  templateParameters?: unknown[];
  request?: Record<string, unknown>;
  responses?: unknown[];
}

export interface ApiSpec {
  id: string;
  displayName: string;
  path: string;
  serviceUrl?: string | null;
  description?: string | null;
  protocols?: string[];
  subscriptionRequired?: boolean;
  subscriptionKeyParameterNames?: { header: string; query: string };
  /** Exactly these operations (others are deleted only with --prune), when given. */
  operations?: OperationSpec[];
}

export interface UserSpec {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  state?: string;
  note?: string | null;
}

export interface ApplicationSpec {
  id: string;
  displayName: string;
  description?: string | null;
  /** The owning user's id. */
  owner: string;
  /** The products the application is linked to (exactly these, when given). */
  products?: string[];
}

export interface PorticoFile {
  products?: ProductSpec[];
  apis?: ApiSpec[];
  users?: UserSpec[];
  applications?: ApplicationSpec[];
}

export const SECTIONS = ['products', 'apis', 'users', 'applications'] as const;
export type Section = (typeof SECTIONS)[number];

/** A problem in the file: where (`products[1].displayName`), what, and the line when yaml knows it. */
export interface FileProblem {
  path: string;
  message: string;
  line?: number;
}

export class InvalidFileError extends Error {
  constructor(readonly problems: readonly FileProblem[]) {
    super(problems.map(describeProblem).join('\n'));
    this.name = 'InvalidFileError';
  }
}

export function describeProblem(problem: FileProblem): string {
  return `${problem.path === '' ? '(document)' : problem.path}: ${problem.message}${problem.line !== undefined ? ` (line ${problem.line})` : ''}`;
}

/** Keys that look like they hold a secret; such a file is refused whole. */
const SECRET_KEY = /secret|password|passwd|pwd|token|credential|private.?key|^key$|primary.?key|secondary.?key|api.?key|connection.?string|^keys$/i;

type Path = Array<string | number>;
type Field = { kind: 'string' | 'boolean' | 'integer' | 'stringList' | 'array' | 'object' | 'any'; required?: boolean; nullable?: boolean; choices?: readonly string[]; max?: number };

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,254})$/;

const PRODUCT_FIELDS: Record<string, Field> = {
  id: { kind: 'string', required: true },
  displayName: { kind: 'string', required: true, max: 300 },
  description: { kind: 'string', nullable: true, max: 1000 },
  terms: { kind: 'string', nullable: true },
  state: { kind: 'string', choices: PRODUCT_STATES },
  subscriptionRequired: { kind: 'boolean' },
  approvalRequired: { kind: 'boolean' },
  subscriptionsLimit: { kind: 'integer', nullable: true },
  authenticationTypes: { kind: 'stringList', choices: AUTH_TYPES },
  apis: { kind: 'stringList' },
  policies: { kind: 'any' },
};
const OPERATION_FIELDS: Record<string, Field> = {
  id: { kind: 'string', required: true },
  displayName: { kind: 'string', required: true, max: 300 },
  method: { kind: 'string', required: true },
  urlTemplate: { kind: 'string', required: true },
  description: { kind: 'string', nullable: true },
  templateParameters: { kind: 'array' },
  request: { kind: 'object' },
  responses: { kind: 'array' },
};
const API_FIELDS: Record<string, Field> = {
  id: { kind: 'string', required: true },
  displayName: { kind: 'string', required: true, max: 300 },
  path: { kind: 'string', required: true },
  serviceUrl: { kind: 'string', nullable: true },
  description: { kind: 'string', nullable: true },
  protocols: { kind: 'stringList', choices: ['http', 'https'] },
  subscriptionRequired: { kind: 'boolean' },
  subscriptionKeyParameterNames: { kind: 'object' },
  operations: { kind: 'array' },
};
const USER_FIELDS: Record<string, Field> = {
  id: { kind: 'string', required: true },
  email: { kind: 'string', required: true },
  firstName: { kind: 'string', required: true, max: 100 },
  lastName: { kind: 'string', required: true, max: 100 },
  state: { kind: 'string', choices: USER_STATES },
  note: { kind: 'string', nullable: true },
};
const APPLICATION_FIELDS: Record<string, Field> = {
  id: { kind: 'string', required: true },
  displayName: { kind: 'string', required: true, max: 300 },
  description: { kind: 'string', nullable: true },
  owner: { kind: 'string', required: true },
  products: { kind: 'stringList' },
};
const SECTION_FIELDS: Record<Section, Record<string, Field>> = { products: PRODUCT_FIELDS, apis: API_FIELDS, users: USER_FIELDS, applications: APPLICATION_FIELDS };

/** Parses and validates the file's text; throws InvalidFileError naming every problem. */
export function parsePorticoFile(text: string): PorticoFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new InvalidFileError(doc.errors.map((error) => ({ path: '', message: `not valid YAML: ${error.message.split('\n')[0]}`, line: lineCounter.linePos(error.pos[0]).line })));
  }
  const problems: FileProblem[] = [];
  const lineOf = (path: Path): number | undefined => {
    for (let length = path.length; length >= 0; length--) {
      const node = doc.getIn(path.slice(0, length), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const problem = (path: Path, message: string): void => void problems.push({ path: formatPath(path), message, line: lineOf(path) });
  const root: unknown = doc.toJS();
  if (root === null || root === undefined) return {};
  if (!isRecord(root)) {
    problem([], 'the file must be a mapping with products, apis, users and applications lists.');
    throw new InvalidFileError(problems);
  }
  findSecrets(root, [], problem);
  if (problems.length > 0) throw new InvalidFileError(problems);
  for (const key of Object.keys(root)) {
    if (key === 'version') {
      if (root.version !== 1) problem(['version'], 'must be 1.');
    } else if (!(SECTIONS as readonly string[]).includes(key)) {
      problem([key], `unknown section; the file has ${SECTIONS.join(', ')} (and version).`);
    }
  }
  for (const section of SECTIONS) {
    const list = root[section];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      problem([section], 'must be a list.');
      continue;
    }
    const seen = new Map<string, number>();
    list.forEach((item, index) => {
      const path = [section, index];
      if (!checkObject(item, SECTION_FIELDS[section], path, problem)) return;
      const id = item.id;
      if (typeof id === 'string') {
        if (!NAME.test(id)) problem([...path, 'id'], 'letters, digits, ".", "_" and "-" only, starting with a letter or digit (at most 255).');
        const first = seen.get(id.toLowerCase());
        if (first !== undefined) problem([...path, 'id'], `"${id}" is already declared at ${section}[${first}] (ids are case-insensitive).`);
        else seen.set(id.toLowerCase(), index);
      }
      if (section === 'apis') checkApi(item, path, problem);
      if (section === 'users' && typeof item.email === 'string' && !/^[^@\s]+@[^@\s]+$/.test(item.email)) problem([...path, 'email'], 'not an email address.');
    });
  }
  if (problems.length > 0) throw new InvalidFileError(problems);
  return root as PorticoFile;
}

function checkApi(api: Record<string, unknown>, path: Path, problem: (path: Path, message: string) => void): void {
  const names = api.subscriptionKeyParameterNames;
  if (isRecord(names)) {
    for (const key of Object.keys(names)) if (key !== 'header' && key !== 'query') problem([...path, 'subscriptionKeyParameterNames', key], 'unknown field (allowed: header, query).');
    for (const key of ['header', 'query']) if (typeof names[key] !== 'string') problem([...path, 'subscriptionKeyParameterNames', key], 'required (a string).');
  }
  if (!Array.isArray(api.operations)) return;
  const seen = new Map<string, number>();
  api.operations.forEach((operation, index) => {
    const opPath = [...path, 'operations', index];
    if (!checkObject(operation, OPERATION_FIELDS, opPath, problem)) return;
    if (typeof operation.id === 'string') {
      const first = seen.get(operation.id.toLowerCase());
      if (first !== undefined) problem([...opPath, 'id'], `"${operation.id}" is already declared at ${formatPath([...path, 'operations', first])}.`);
      else seen.set(operation.id.toLowerCase(), index);
    }
  });
}

function checkObject(value: unknown, fields: Record<string, Field>, path: Path, problem: (path: Path, message: string) => void): value is Record<string, unknown> {
  if (!isRecord(value)) {
    problem(path, 'must be a mapping (key: value).');
    return false;
  }
  for (const key of Object.keys(value)) {
    if (!(key in fields)) problem([...path, key], `unknown field (allowed: ${Object.keys(fields).join(', ')}).`);
  }
  for (const [key, field] of Object.entries(fields)) {
    const item = value[key];
    const at = [...path, key];
    if (item === undefined) {
      if (field.required) problem(at, 'required.');
      continue;
    }
    if (item === null) {
      if (!field.nullable) problem(at, field.required ? 'required.' : 'may not be empty (leave the field out instead).');
      continue;
    }
    const expected = checkKind(item, field);
    if (expected !== undefined) problem(at, expected);
  }
  return true;
}

function checkKind(value: unknown, field: Field): string | undefined {
  switch (field.kind) {
    case 'string':
      if (typeof value !== 'string') return 'must be a string.';
      if (field.required && value.trim() === '') return 'required (not empty).';
      if (field.max !== undefined && value.length > field.max) return `at most ${field.max} characters.`;
      if (field.choices && !field.choices.includes(value)) return `must be one of ${field.choices.join(', ')}.`;
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false.';
    case 'integer':
      return Number.isInteger(value) && (value as number) >= 0 ? undefined : 'must be a whole number (or null for unlimited).';
    case 'stringList':
      if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) return 'must be a list of strings.';
      if (field.choices) {
        const wrong = value.find((item) => !field.choices!.includes(item as string));
        if (wrong !== undefined) return `"${String(wrong)}" is not one of ${field.choices.join(', ')}.`;
      }
      return new Set(value).size === value.length ? undefined : 'lists an item twice.';
    case 'array':
      return Array.isArray(value) ? undefined : 'must be a list.';
    case 'object':
      return isRecord(value) ? undefined : 'must be a mapping (key: value).';
    default:
      return undefined;
  }
}

function findSecrets(value: unknown, path: Path, problem: (path: Path, message: string) => void): void {
  if (Array.isArray(value)) return value.forEach((item, index) => findSecrets(item, [...path, index], problem));
  if (!isRecord(value)) return;
  for (const [key, item] of Object.entries(value)) {
    // A policy document may mention anything; it is passed through as the server's text.
    if (key === 'policies' && path.length === 2) continue;
    if (SECRET_KEY.test(key)) {
      problem([...path, key], 'looks like a secret; secrets never go in this file (create client secrets with `app secret add`, subscription keys with `subscription create`). Remove the field.');
    } else {
      findSecrets(item, [...path, key], problem);
    }
  }
}

/** `products[1].displayName` */
export function formatPath(path: Path): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const HEADER = [
  '# Portico configuration: products, APIs and operations, users, and client applications with',
  '# their product links. Apply it with `portico apply -f <file>`; format: docs/apply.md.',
  '# Secrets (client secrets, subscription keys, passwords) never go in this file.',
].join('\n');

/** The file's text, sections in a fixed order and items in the order given (export sorts them). */
export function formatPorticoFile(file: PorticoFile): string {
  const doc = new Document({ version: 1, ...file });
  doc.commentBefore = HEADER.split('\n').map((line) => line.replace(/^# ?/, ' ').trimEnd()).join('\n');
  return doc.toString({ lineWidth: 0 });
}
