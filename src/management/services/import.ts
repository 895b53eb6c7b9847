/**
 * Bulk import (POST …/service/{name}/portico.import, a Portico extension): users, client
 * applications and subscriptions, up to MAX_IMPORT_ITEMS per batch, with PUT semantics by name.
 *
 * 1. Every item is validated first, against the store and the batch itself (an item may name a
 *    user created earlier in the same batch). Any problem → 400 naming each bad item's index and
 *    field; nothing is written.
 * 2. Client applications' directory objects (application, service principal, a granted role per
 *    product — what a single registration makes) are written in one directory transaction, as the
 *    service's managed identity (DirectoryClient.applyApplicationBatch).
 * 3. Every management record of the batch is written in one transaction, which bumps the config
 *    version once; one `batch.imported` event names what was created or changed, so the views
 *    re-read those rows only. Items identical to what is stored are left alone (re-running an
 *    import is safe).
 *
 * Audit (docs/audit.md): step 3's transaction also writes one audit row for the batch
 * (`portico.import` on the service, with its counts) and one per created or updated item (users.write,
 * clientApplications.write with the links added and removed, subscriptions.write; details.via names
 * the import), so the resources' own histories show the import. Unchanged items get no row.
 *
 * If step 3 fails after step 2, the applications registered in step 2 are deleted again (as a
 * single registration does); grants and revocations of existing applications' links stay, as a
 * failed single PUT's do (docs/events.md, Gaps).
 */
import { AppError, StoreError, type ErrorDetail } from '../../errors/index.js';
import { newSubscriptionKey } from '../../shared/index.js';
import type { ClientApplicationIds } from '../../shared/change-events.js';
import { commitChange, oneChange } from '../../store/change-unit.js';
import { IMPORT_OPERATION, type AuditEntry } from '../../audit/index.js';
import type { ClientApplicationRecord, ProductLinkRecord, ProductRecord, SubscriptionRecord, UserRecord } from '../management-store.js';
import type { ManagementContext } from '../context.js';
import { parseChildReference } from '../arm/resource.js';
import { BodyValidator, RESOURCE_NAME, validationError } from '../arm/validate.js';
import { asManagedIdentity, removeAsManagedIdentity } from './managed-identity.js';
import { EMAIL, USER_STATES } from './users.js';
import { SUBSCRIPTION_STATES, checkScopeTakesKeys, primaryFields, resolveScope, secondaryFields, withStateDates } from './subscriptions.js';
import { isStoredSubscriptionKey } from './subscription-keys.js';
import { clientApplicationIds, freeLinkId, resolveTokenProduct } from './client-applications.js';

/** Items per batch: large enough to amortise a commit, small enough for one request body and one event. */
export const MAX_IMPORT_ITEMS = 1_000;
/** Validation problems reported per failed batch (the first ones, in item order). */
const MAX_REPORTED_PROBLEMS = 50;

export const IMPORT_TYPES = ['user', 'clientApplication', 'subscription'] as const;
export type ImportType = (typeof IMPORT_TYPES)[number];
export type ImportStatus = 'created' | 'updated' | 'unchanged';

export interface ImportItemResult {
  readonly type: ImportType;
  readonly name: string;
  readonly status: ImportStatus;
  /** Client applications: the client id of the directory application. */
  readonly entraApplicationId?: string;
}

export interface ImportResult {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  /** In the order of the request's items. */
  readonly value: readonly ImportItemResult[];
}

type UserPlan = { kind: 'user'; index: number; name: string; record: UserRecord; status: ImportStatus };
type SubscriptionPlan = { kind: 'subscription'; index: number; name: string; record: SubscriptionRecord; status: ImportStatus };
type AppPlan = {
  kind: 'clientApplication';
  index: number;
  name: string;
  status: ImportStatus;
  existing: ClientApplicationRecord | undefined;
  fields: { displayName: string; description: string | null; ownerId: string };
  /** undefined: links stay as they are (productIds not sent). */
  products: ProductRecord[] | undefined;
  currentLinks: ProductLinkRecord[];
};
type Plan = UserPlan | SubscriptionPlan | AppPlan;

/** Collects problems item by item; an item's problems carry `items[i].` in their target and message. */
class Problems {
  private readonly found: { index: number; detail: ErrorDetail }[] = [];

  add(index: number, target: string, message: string, code = 'ValidationError'): void {
    this.found.push({ index, detail: { code, target: `items[${index}].${target}`, message: `items[${index}].${target} ${message}` } });
  }

  /** Runs check; an AppError it throws becomes the item's problems. */
  async collect<T>(index: number, check: () => Promise<T>): Promise<T | undefined> {
    try {
      return await check();
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      if (error.details.length === 0) this.add(index, 'properties', error.message, error.code);
      for (const detail of error.details) {
        // Service errors name a field as Azure does (no `properties.` prefix); an item's path has it.
        const field = detail.target ?? '';
        const target = field === '' ? 'properties' : field.startsWith('properties') || field === 'name' ? field : `properties.${field}`;
        // A single problem's full message says most (what to do about it); else each detail's rule.
        const text = error.details.length === 1 && error.message.startsWith(field || target) ? error.message : detail.message;
        const rule = field !== '' && text.startsWith(field) ? text.slice(field.length).replace(/^:\s*/, '').trim() : text;
        this.add(index, target, rule, detail.code);
      }
      return undefined;
    }
  }

  /** The first problems in item order (users were checked first, as later items may name them). */
  throwIfAny(): void {
    if (this.found.length === 0) return;
    const list = this.found.sort((a, b) => a.index - b.index).slice(0, MAX_REPORTED_PROBLEMS).map((p) => p.detail);
    const more = this.found.length > list.length ? ` (and ${this.found.length - list.length} more)` : '';
    throw new AppError('ValidationError', `The import batch was not written: ${list.map((p) => p.message).join(' ')}${more}`, list);
  }
}

export async function importBatch(ctx: ManagementContext, body: unknown): Promise<ImportResult> {
  const items = readItems(body);
  const plans = await planItems(ctx, items);
  const changed = plans.filter((plan) => plan.status !== 'unchanged');
  const apps = new Map<number, ClientApplicationRecord>();
  if (changed.length > 0) await write(ctx, changed, apps);
  const value = plans.map((plan): ImportItemResult => {
    const base = { type: plan.kind, name: plan.name, status: plan.status };
    if (plan.kind !== 'clientApplication') return base;
    const entraApplicationId = apps.get(plan.index)?.entraApplicationId ?? plan.existing?.entraApplicationId;
    return entraApplicationId ? { ...base, entraApplicationId } : base;
  });
  const count = (status: ImportStatus) => plans.filter((plan) => plan.status === status).length;
  return { created: count('created'), updated: count('updated'), unchanged: count('unchanged'), value };
}

interface RawItem {
  readonly type: unknown;
  readonly name: unknown;
  readonly properties: unknown;
}

function readItems(body: unknown): RawItem[] {
  const items = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).items : undefined;
  if (!Array.isArray(items)) {
    throw new AppError('InvalidRequestContent', 'The request body must be a JSON object like {"items": [{"type": "user", "name": "…", "properties": {…}}, …]}.');
  }
  if (items.length === 0 || items.length > MAX_IMPORT_ITEMS) {
    throw validationError([{ target: 'items', message: `items must hold 1 to ${MAX_IMPORT_ITEMS} resources; it holds ${items.length}. Send larger imports in several batches.` }]);
  }
  return items.map((item) => (typeof item === 'object' && item !== null && !Array.isArray(item) ? (item as RawItem) : { type: undefined, name: undefined, properties: undefined }));
}

/** Step 1: what each item would write, or every problem found. Reads only; writes nothing. */
async function planItems(ctx: ManagementContext, items: readonly RawItem[]): Promise<Plan[]> {
  const problems = new Problems();
  const plans: (Plan | undefined)[] = [];
  // Names already used in this batch, per type (lower case: names are case-insensitive).
  const names = new Map<ImportType, Map<string, number>>(IMPORT_TYPES.map((type) => [type, new Map()]));
  const batchUsers = new Map<string, UserRecord>();
  const emails = new Map<string, number>();
  const lookups = new Lookups(ctx, await prefetch(ctx, items));

  // Users first: applications and subscriptions of the same batch may name them as owners.
  const order = [...items.keys()].sort((a, b) => rank(items[a]!.type) - rank(items[b]!.type));
  for (const index of order) {
    const item = items[index]!;
    if (!IMPORT_TYPES.includes(item.type as ImportType)) {
      problems.add(index, 'type', `must be one of: ${IMPORT_TYPES.join(', ')}.`);
      continue;
    }
    const type = item.type as ImportType;
    if (typeof item.name !== 'string' || !RESOURCE_NAME.test(item.name)) {
      problems.add(index, 'name', "must be 1 to 256 letters, digits, '-', '_' or '.', starting with a letter or digit.", 'InvalidResourceName');
      continue;
    }
    const name = item.name;
    const seen = names.get(type)!;
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined) {
      problems.add(index, 'name', `names ${type} '${name}' again (items[${earlier}] has it); list each resource once per batch.`);
      continue;
    }
    seen.set(name.toLowerCase(), index);
    const body = { properties: item.properties };
    if (type === 'user') {
      plans[index] = await problems.collect(index, async () => {
        const plan = planUser(index, name, body, lookups.known.users.get(name.toLowerCase()));
        const email = plan.record.email.toLowerCase();
        const other = emails.get(email);
        if (other !== undefined) throw emailTaken(`items[${other}] of this batch`);
        emails.set(email, index);
        const holder = lookups.known.usersByEmail.get(email);
        if (holder && holder.id.toLowerCase() !== plan.record.id.toLowerCase()) throw emailTaken(`user '${holder.id}'`);
        batchUsers.set(plan.record.id.toLowerCase(), plan.record);
        return plan;
      });
    } else if (type === 'clientApplication') {
      plans[index] = await problems.collect(index, () => planClientApplication(ctx, index, name, body, batchUsers, lookups));
    } else {
      plans[index] = await problems.collect(index, () => planSubscription(ctx, index, name, body, batchUsers, lookups));
    }
  }
  problems.throwIfAny();
  return plans as Plan[];
}

const rank = (type: unknown): number => (type === 'user' ? 0 : 1);

const emailTaken = (holder: string): AppError =>
  validationError([{ target: 'email', message: `email is already used by ${holder}.` }]);

/** What the batch's items name, read up front in a few statements instead of several per item. */
interface Known {
  /** By lower-case id: the users the batch names (as items or owners). */
  readonly users: ReadonlyMap<string, UserRecord>;
  /** By lower-case email: stored users holding an email a user item asks for. */
  readonly usersByEmail: ReadonlyMap<string, UserRecord>;
  readonly subscriptions: ReadonlyMap<string, SubscriptionRecord>;
  readonly apps: ReadonlyMap<string, ClientApplicationRecord>;
  /** By stored client application id. */
  readonly links: ReadonlyMap<string, ProductLinkRecord[]>;
}

async function prefetch(ctx: ManagementContext, items: readonly RawItem[]): Promise<Known> {
  const names = (type: ImportType) => items.filter((i) => i.type === type && typeof i.name === 'string').map((i) => i.name as string);
  const property = (item: RawItem, key: string): unknown => (typeof item.properties === 'object' && item.properties !== null ? (item.properties as Record<string, unknown>)[key] : undefined);
  const owners = items.map((i) => property(i, 'ownerId')).filter((o): o is string => typeof o === 'string').map((o) => parseChildReference(ctx.instance, 'users', o));
  const emails = items.filter((i) => i.type === 'user').map((i) => property(i, 'email')).filter((e): e is string => typeof e === 'string');
  const store = ctx.store.management;
  const [users, byEmail, subscriptions, apps] = await Promise.all([
    store.getUsers([...names('user'), ...owners.filter((o): o is string => o !== undefined)]),
    store.getUsersByEmails(emails),
    store.getSubscriptions(names('subscription')),
    store.getClientApplications(names('clientApplication')),
  ]);
  const links = await store.listProductLinksOfApplications(apps.map((a) => a.id));
  const byLowerId = <T extends { id: string }>(list: readonly T[]) => new Map(list.map((r) => [r.id.toLowerCase(), r]));
  return { users: byLowerId(users), usersByEmail: new Map(byEmail.map((u) => [u.email.toLowerCase(), u])), subscriptions: byLowerId(subscriptions), apps: byLowerId(apps), links };
}

/** Products and scopes named by many items of a batch are looked up once; the rest was prefetched. */
class Lookups {
  private readonly products = new Map<string, Promise<ProductRecord>>();
  private readonly scopes = new Map<string, Promise<string>>();
  private readonly keyScopes = new Map<string, Promise<void>>();
  private readonly users = new Map<string, Promise<UserRecord | undefined>>();

  constructor(
    private readonly ctx: ManagementContext,
    readonly known: Known,
  ) {}

  tokenProduct(reference: string, target: string): Promise<ProductRecord> {
    const key = reference.toLowerCase();
    let found = this.products.get(key);
    if (!found) {
      found = resolveTokenProduct(this.ctx, reference, target);
      this.products.set(key, found);
      found.catch(() => this.products.delete(key)); // the error names the first item's target; resolve again for the next
    }
    return found;
  }

  user(id: string): Promise<UserRecord | undefined> {
    const key = id.toLowerCase();
    const known = this.known.users.get(key);
    if (known) return Promise.resolve(known);
    let found = this.users.get(key);
    if (!found) {
      found = this.ctx.store.management.getUser(id);
      this.users.set(key, found);
    }
    return found;
  }

  /** Refuses a product that takes no keys (subscriptions.ts), once per scope of the batch. */
  scopeTakesKeys(scope: string): Promise<void> {
    let checked = this.keyScopes.get(scope);
    if (!checked) {
      checked = checkScopeTakesKeys(this.ctx, scope);
      this.keyScopes.set(scope, checked);
      checked.catch(() => undefined); // each item that names it awaits (and reports) the refusal itself
    }
    return checked;
  }

  scope(reference: string): Promise<string> {
    const key = reference.toLowerCase();
    let found = this.scopes.get(key);
    if (!found) {
      found = resolveScope(this.ctx, reference);
      this.scopes.set(key, found);
      found.catch(() => this.scopes.delete(key));
    }
    return found;
  }
}

/** An owner reference to a user of the batch or of the store (each stored owner read once per batch). */
async function resolveOwner(ctx: ManagementContext, reference: string, batchUsers: ReadonlyMap<string, UserRecord>, lookups: Lookups): Promise<string> {
  const userId = parseChildReference(ctx.instance, 'users', reference);
  const inBatch = userId !== undefined ? batchUsers.get(userId.toLowerCase()) : undefined;
  if (inBatch) return inBatch.id;
  const user = userId !== undefined ? await lookups.user(userId) : undefined;
  if (!user) {
    throw validationError([{ target: 'ownerId', message: `ownerId must name an existing user or one of this batch, like '/users/{userId}'; '${reference}' does not.` }]);
  }
  return user.id;
}

/** PUT users/{name} semantics (users.ts), except that a password is never imported. */
function planUser(index: number, name: string, body: unknown, existing: UserRecord | undefined): UserPlan {
  const input = BodyValidator.fromBody(body);
  const email = input.string('email', { required: true, max: 254, pattern: EMAIL, patternRule: 'must be an email address like name@example.com.' });
  const firstName = input.string('firstName', { required: true, max: 100 });
  const lastName = input.string('lastName', { required: true, max: 100 });
  const state = input.oneOf('state', USER_STATES);
  const note = input.nullableString('note', 4000);
  if (input.has('password')) input.fail('password', 'is never imported: an import file holds no secrets. Set it afterwards with PATCH …/users/{userId}.');
  input.done();
  const record: UserRecord = {
    id: existing?.id ?? name,
    email: email!,
    firstName: firstName!,
    lastName: lastName!,
    state: state ?? existing?.state ?? 'active',
    note: note !== undefined ? note : (existing?.note ?? null),
    passwordHash: existing?.passwordHash ?? null,
    registrationDate: existing?.registrationDate ?? new Date().toISOString(),
  };
  return { kind: 'user', index, name, record, status: statusOf(existing, record) };
}

/** PUT subscriptions/{name} semantics (subscriptions.ts): keys are generated unless given, and kept on update. */
async function planSubscription(
  ctx: ManagementContext,
  index: number,
  name: string,
  body: unknown,
  batchUsers: ReadonlyMap<string, UserRecord>,
  lookups: Lookups,
): Promise<SubscriptionPlan> {
  const existing = lookups.known.subscriptions.get(name.toLowerCase());
  const input = BodyValidator.fromBody(body);
  const displayName = input.string('displayName', { required: !existing, max: 100 });
  const scopeRef = input.string('scope', { required: !existing, max: 1000 });
  const ownerRef = input.nullableString('ownerId', 1000);
  const state = input.oneOf('state', SUBSCRIPTION_STATES);
  const primaryKey = input.string('primaryKey', { min: 32, max: 256 });
  const secondaryKey = input.string('secondaryKey', { min: 32, max: 256 });
  const allowTracing = input.boolean('allowTracing');
  const stateComment = input.nullableString('stateComment', 1000);
  input.done();
  const scope = scopeRef !== undefined ? await lookups.scope(scopeRef) : existing!.scope;
  if (!existing || scope !== existing.scope) await lookups.scopeTakesKeys(scope);
  let ownerId = existing?.ownerId ?? null;
  if (ownerRef !== undefined) ownerId = ownerRef === null ? null : await resolveOwner(ctx, ownerRef, batchUsers, lookups);
  const primary = primaryKey ?? (existing ? undefined : newSubscriptionKey());
  const secondary = secondaryKey ?? (existing ? undefined : newSubscriptionKey());
  // A given key that is already the stored one is not re-sealed: the record stays identical.
  const keepPrimary = primary === undefined || (existing !== undefined && isStoredSubscriptionKey(existing.primaryKeyHash, primary));
  const keepSecondary = secondary === undefined || (existing !== undefined && isStoredSubscriptionKey(existing.secondaryKeyHash, secondary));
  const record: SubscriptionRecord = withStateDates(existing, {
    id: existing?.id ?? name,
    displayName: displayName ?? existing!.displayName,
    ownerId,
    scope,
    state: state ?? existing?.state ?? 'submitted',
    ...(keepPrimary ? { primaryKeyHash: existing!.primaryKeyHash, primaryKeyEncrypted: existing!.primaryKeyEncrypted } : primaryFields(ctx, primary!)),
    ...(keepSecondary ? { secondaryKeyHash: existing!.secondaryKeyHash, secondaryKeyEncrypted: existing!.secondaryKeyEncrypted } : secondaryFields(ctx, secondary!)),
    allowTracing: allowTracing ?? existing?.allowTracing ?? false,
    stateComment: stateComment !== undefined ? stateComment : (existing?.stateComment ?? null),
    createdDate: existing?.createdDate ?? new Date().toISOString(),
    // An import does not set the expiry: the stored one stays.
    ...(existing?.expirationDate ? { expirationDate: existing.expirationDate } : {}),
  });
  return { kind: 'subscription', index, name, record, status: statusOf(existing, record) };
}


/** PUT clientApplications/{name} semantics (client-applications.ts). */
async function planClientApplication(
  ctx: ManagementContext,
  index: number,
  name: string,
  body: unknown,
  batchUsers: ReadonlyMap<string, UserRecord>,
  lookups: Lookups,
): Promise<AppPlan> {
  const existing = lookups.known.apps.get(name.toLowerCase());
  const input = BodyValidator.fromBody(body);
  const displayName = input.string('displayName', { required: true, max: 300 });
  const description = input.nullableString('description', 1000);
  const ownerRef = input.string('ownerId', { required: !existing, max: 1000 });
  const productRefs = input.stringArray('productIds');
  for (const readOnly of ['entraApplicationId', 'entraTenantId']) {
    if (input.has(readOnly) && !existing) input.fail(readOnly, 'is read-only: Portico sets it when the application is registered.');
  }
  input.done();
  const ownerId = ownerRef !== undefined ? await resolveOwner(ctx, ownerRef, batchUsers, lookups) : existing!.ownerId;
  let products: ProductRecord[] | undefined;
  if (productRefs !== undefined) {
    products = [];
    for (const [n, reference] of productRefs.entries()) {
      const product = await lookups.tokenProduct(reference, `productIds[${n}]`);
      if (products.some((p) => p.id === product.id)) {
        throw validationError([{ target: `productIds[${n}]`, message: `productIds[${n}] names product '${product.id}' again; list each product once.` }]);
      }
      products.push(product);
    }
  }
  const fields = { displayName: displayName!, description: description !== undefined ? description : (existing?.description ?? null), ownerId };
  const currentLinks = existing ? (lookups.known.links.get(existing.id) ?? []) : [];
  let status: ImportStatus = existing ? 'unchanged' : 'created';
  if (existing) {
    const sameFields = existing.displayName === fields.displayName && existing.description === fields.description && existing.ownerId === fields.ownerId;
    const sameLinks = products === undefined || sameSet(products.map((p) => p.id), currentLinks.map((l) => l.productId));
    if (!sameFields || !sameLinks) status = 'updated';
  }
  return { kind: 'clientApplication', index, name, status, existing, fields, products, currentLinks };
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

function statusOf<T extends object>(existing: T | undefined, record: T): ImportStatus {
  if (!existing) return 'created';
  return (Object.keys(record) as (keyof T)[]).every((key) => existing[key] === record[key]) ? 'unchanged' : 'updated';
}

/** Steps 2 and 3, announced once. `apps` receives each written client application by item index. */
async function write(ctx: ManagementContext, plans: readonly Plan[], apps: Map<number, ClientApplicationRecord>): Promise<void> {
  const appPlans = plans.filter((plan): plan is AppPlan => plan.kind === 'clientApplication');
  await oneChange(ctx, async () => {
    const directory = await directorySteps(ctx, appPlans);
    try {
      await commitChange(ctx, async (tx) => {
        const userIds: string[] = [];
        const subscriptionIds: string[] = [];
        const clientApplications: ClientApplicationIds[] = [];
        for (const plan of plans) {
          if (plan.kind !== 'user') continue;
          await conflictNamesItem(plan.index, () => tx.management.putUser(plan.record));
          if (plan.status === 'created') await tx.management.addGroupUser('developers', plan.record.id);
          userIds.push(plan.record.id);
        }
        for (const plan of appPlans) {
          const { app, put, deleted } = directory.get(plan.index)!;
          for (const link of deleted) await tx.management.deleteProductLink(link.clientApplicationId, link.id);
          await conflictNamesItem(plan.index, () => tx.management.putClientApplication(app));
          for (const link of put) await tx.management.putProductLink(link);
          apps.set(plan.index, app);
          clientApplications.push(clientApplicationIds(app));
        }
        for (const plan of plans) {
          if (plan.kind !== 'subscription') continue;
          await conflictNamesItem(plan.index, () => tx.management.putSubscription(plan.record));
          subscriptionIds.push(plan.record.id);
        }
        return { result: undefined, event: { type: 'batch.imported', userIds, clientApplications, subscriptionIds }, audit: auditEntriesOfBatch(plans, directory) };
      });
    } catch (error) {
      // Deleting a registered directory app also removes its service principal and role grants.
      for (const objectId of directory.registeredObjectIds) {
        await removeAsManagedIdentity(ctx, 'remove an application registered for a failed import batch', (d) => d.deleteApplication(objectId)).catch(() => undefined);
      }
      throw error;
    }
  });
}

/** One row for the batch, then one per written item, in item order. */
function auditEntriesOfBatch(plans: readonly Plan[], directory: DirectoryOutcome): AuditEntry[] {
  const via = { via: IMPORT_OPERATION };
  const items = [...plans].sort((a, b) => a.index - b.index).map((plan): AuditEntry => {
    const details = { ...via, item: plan.index, status: plan.status };
    switch (plan.kind) {
      case 'user':
        return { operation: 'users.write', target: `/users/${plan.record.id}`, status: null, details };
      case 'subscription':
        return { operation: 'subscriptions.write', target: `/subscriptions/${plan.record.id}`, status: null, details };
      case 'clientApplication': {
        const { app, put, deleted } = directory.get(plan.index)!;
        return {
          operation: 'clientApplications.write',
          target: `/clientApplications/${app.id}`,
          status: null,
          details: {
            ...details,
            entraApplicationId: app.entraApplicationId,
            entraObjectId: app.entraObjectId,
            productLinksAdded: put.map((link) => link.id),
            productLinksRemoved: deleted.map((link) => link.id),
          },
        };
      }
    }
  });
  const count = (status: ImportStatus): number => plans.filter((plan) => plan.status === status).length;
  return [{ operation: IMPORT_OPERATION, target: '', status: 200, details: { created: count('created'), updated: count('updated'), items: plans.length } }, ...items];
}

/** A uniqueness clash the checks could not see (a concurrent write): 409, naming the item. */
async function conflictNamesItem(index: number, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (error instanceof StoreError && error.code === 'STORE_CONFLICT') {
      throw new AppError('Conflict', `items[${index}] clashes with a resource written since the batch was checked (a name, email or subscription key already in use). Nothing of this batch was written; send it again.`, [
        { code: 'Conflict', target: `items[${index}]`, message: 'clashes with an existing resource' },
      ]);
    }
    throw error;
  }
}

interface DirectoryOutcome {
  readonly registeredObjectIds: readonly string[];
  get(index: number): { app: ClientApplicationRecord; put: ProductLinkRecord[]; deleted: ProductLinkRecord[] } | undefined;
}

/** Step 2: the batch's registrations, grants and revocations in one directory call. */
async function directorySteps(ctx: ManagementContext, plans: readonly AppPlan[]): Promise<DirectoryOutcome> {
  const action = 'register the client applications of an import batch';
  // Each product's backend principal and role, once per batch.
  const roles = new Map<string, { resourceId: string; appRoleId: string }>();
  const roleOf = async (product: ProductRecord): Promise<{ resourceId: string; appRoleId: string }> => {
    const known = roles.get(product.id);
    if (known) return known;
    const backend = await asManagedIdentity(ctx, action, (d) => d.getApplicationByAppId(product.entraApplicationId!));
    const backendSp = await asManagedIdentity(ctx, action, (d) => d.getServicePrincipalByAppId(product.entraApplicationId!));
    const role = backend?.appRoles.find((r) => r.isEnabled);
    if (!backend || !backendSp || !role) {
      throw new AppError('Conflict', `The Entra application that represents product '${product.id}' is missing or has no enabled app role. Its directory application may have been deleted outside Portico; restore it, or re-create the product.`);
    }
    const found = { resourceId: backendSp.id, appRoleId: role.id };
    roles.set(product.id, found);
    return found;
  };

  const register: { displayName: string; description: string; grants: { resourceId: string; appRoleId: string }[] }[] = [];
  const registering: AppPlan[] = [];
  const grant: { principalId: string; resourceId: string; appRoleId: string }[] = [];
  const granting: { plan: AppPlan; product: ProductRecord; linkId: string }[] = [];
  const revoke: string[] = [];
  const outcome = new Map<number, { app: ClientApplicationRecord; put: ProductLinkRecord[]; deleted: ProductLinkRecord[] }>();

  for (const plan of plans) {
    if (!plan.existing) {
      const products = plan.products ?? [];
      const nameSource = products[0]?.displayName ?? plan.fields.displayName;
      const grants: { resourceId: string; appRoleId: string }[] = [];
      // A product with approvalRequired gets a pending link and no role, as a PUT makes it.
      for (const product of products) if (!product.approvalRequired) grants.push(await roleOf(product));
      register.push({
        displayName: `APIMApplication${nameSource.replace(/[^A-Za-z0-9]/g, '') || plan.name}`,
        description: `Client application '${plan.fields.displayName}' of API Management service '${ctx.instance.serviceName}'.`,
        grants,
      });
      registering.push(plan);
      continue;
    }
    const app: ClientApplicationRecord = { ...plan.existing, ...plan.fields };
    const entry = { app, put: [] as ProductLinkRecord[], deleted: [] as ProductLinkRecord[] };
    outcome.set(plan.index, entry);
    if (!plan.products) continue;
    const wanted = new Set(plan.products.map((p) => p.id));
    entry.deleted = plan.currentLinks.filter((link) => !wanted.has(link.productId));
    for (const link of entry.deleted) if (link.appRoleAssignmentId) revoke.push(link.appRoleAssignmentId);
    const kept = plan.currentLinks.filter((link) => wanted.has(link.productId));
    const linked = new Set(kept.map((l) => l.productId));
    const taken = new Set(kept.map((l) => l.id.toLowerCase()));
    for (const product of plan.products) {
      if (linked.has(product.id)) continue;
      const linkId = freeLinkId(product.id, taken);
      taken.add(linkId.toLowerCase());
      if (product.approvalRequired) {
        entry.put.push({ id: linkId, clientApplicationId: app.id, productId: product.id, appRoleAssignmentId: null, state: 'pending' });
        continue;
      }
      const role = await roleOf(product);
      grant.push({ principalId: app.entraServicePrincipalId, ...role });
      granting.push({ plan, product, linkId });
    }
  }

  if (register.length + grant.length + revoke.length === 0) return { registeredObjectIds: [], get: (index) => outcome.get(index) };
  const result = await asManagedIdentity(ctx, action, (d) => d.applyApplicationBatch({ register, grant, revoke }));
  const createdDate = new Date().toISOString();
  for (const [n, plan] of registering.entries()) {
    const registered = result.registered[n]!;
    const app: ClientApplicationRecord = {
      id: plan.name,
      ...plan.fields,
      state: 'active',
      entraApplicationId: registered.application.appId,
      entraObjectId: registered.application.id,
      entraServicePrincipalId: registered.servicePrincipal.id,
      createdDate,
    };
    // The registration granted the roles of the products without approval, in order; the others wait for an administrator.
    let granted = 0;
    const put = (plan.products ?? []).map((product): ProductLinkRecord =>
      product.approvalRequired
        ? { id: product.id, clientApplicationId: plan.name, productId: product.id, appRoleAssignmentId: null, state: 'pending' }
        : { id: product.id, clientApplicationId: plan.name, productId: product.id, appRoleAssignmentId: registered.assignments[granted++]?.id ?? null, state: 'active' },
    );
    outcome.set(plan.index, { app, put, deleted: [] });
  }
  for (const [n, { plan, product, linkId }] of granting.entries()) {
    outcome.get(plan.index)!.put.push({ id: linkId, clientApplicationId: plan.existing!.id, productId: product.id, appRoleAssignmentId: result.granted[n]!.id, state: 'active' });
  }
  return { registeredObjectIds: result.registered.map((r) => r.application.id), get: (index) => outcome.get(index) };
}
