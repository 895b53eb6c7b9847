import { CliError } from '../cli-error.js';
import { seg, type CliContext } from '../context.js';
import type { ApiSpec, ApplicationSpec, OperationSpec, PorticoFile, ProductSpec, UserSpec } from './document.js';
import { BUILT_IN_USERS, policyEndpointExists } from './server-state.js';

export type Action = 'create' | 'update' | 'delete';
export type Kind = 'user' | 'api' | 'operation' | 'product' | 'application';

/** One step of the plan: what, and how to do it against the management API. */
export interface Change {
  action: Action;
  kind: Kind;
  id: string;
  /** The fields an update changes (`apis: +echo-api -old`), or what a delete takes with it. */
  details: string[];
  /** Whether the change cuts someone's access (asked for, like deletes, unless --yes). */
  cutsAccess: boolean;
  run(ctx: CliContext): Promise<void>;
}

/**
 * The changes that make the server match the file, in an order the server accepts: users, APIs
 * and their operations, products (they name APIs), applications (they name users and products),
 * then with `prune` the deletions in reverse (applications first, users last).
 */
export async function planChanges(ctx: CliContext, desired: PorticoFile, current: Required<PorticoFile>, prune: boolean): Promise<Change[]> {
  const changes: Change[] = [];
  const find = <T extends { id: string }>(list: readonly T[], id: string): T | undefined => list.find((item) => item.id.toLowerCase() === id.toLowerCase());

  for (const user of desired.users ?? []) {
    const now = find(current.users, user.id);
    if (now === undefined) changes.push(put('create', 'user', user.id, [], `/users/${seg(user.id)}`, userProperties(user)));
    else {
      const changed = differing(user, now, ['email', 'firstName', 'lastName', 'state', 'note']);
      if (changed.length > 0) changes.push(patch('user', now.id, changed, `/users/${seg(now.id)}`, pick(userProperties(user), changed), changed.includes('state') && user.state === 'blocked'));
    }
  }

  for (const api of desired.apis ?? []) {
    const now = find(current.apis, api.id);
    const id = now?.id ?? api.id;
    if (now === undefined) changes.push(put('create', 'api', api.id, [], `/apis/${seg(api.id)}`, apiProperties(api)));
    else {
      const changed = differing(api, now, ['displayName', 'description', 'path', 'serviceUrl', 'protocols', 'subscriptionRequired', 'subscriptionKeyParameterNames']);
      if (changed.length > 0) changes.push(patch('api', id, changed, `/apis/${seg(id)}`, pick(apiProperties(api), changed), false));
    }
    if (api.operations === undefined) continue;
    const existing = now?.operations ?? [];
    for (const operation of api.operations) {
      const before = find(existing, operation.id);
      const path = `/apis/${seg(id)}/operations/${seg(before?.id ?? operation.id)}`;
      if (before === undefined) changes.push(put('create', 'operation', `${id}/${operation.id}`, [], path, operationProperties(operation)));
      else {
        const changed = differing(operation, before, ['displayName', 'method', 'urlTemplate', 'description', 'templateParameters', 'request', 'responses']);
        // Operations have no PATCH: PUT the declared operation over the current one.
        if (changed.length > 0) changes.push(put('update', 'operation', `${id}/${before.id}`, changed, path, { ...operationProperties(before), ...operationProperties(operation) }));
      }
    }
    if (prune) {
      for (const operation of existing) {
        if (find(api.operations, operation.id) === undefined) changes.push(remove('operation', `${id}/${operation.id}`, [], `/apis/${seg(id)}/operations/${seg(operation.id)}`, false));
      }
    }
  }

  const withPolicies = (desired.products ?? []).filter((product) => product.policies !== undefined);
  if (withPolicies.length > 0 && !(await policyEndpointExists(ctx, current.products[0]?.id ?? withPolicies[0]!.id))) {
    throw new CliError(
      `error: ${withPolicies.map((product) => `products[${(desired.products ?? []).indexOf(product)}].policies`).join(', ')}: this server has no product policy endpoint (products/{id}/policies/policy), so the policies cannot be applied. Remove the policies field or upgrade Portico.`,
      2,
      'PoliciesNotSupported',
    );
  }

  for (const product of desired.products ?? []) {
    const now = find(current.products, product.id);
    const id = now?.id ?? product.id;
    if (now === undefined) changes.push(put('create', 'product', product.id, [], `/products/${seg(product.id)}`, productProperties(product)));
    else {
      const changed = differing(product, now, ['displayName', 'description', 'terms', 'state', 'subscriptionRequired', 'approvalRequired', 'subscriptionsLimit', 'authenticationTypes']);
      const tokensOff = now.authenticationTypes?.includes('application-token') === true && product.authenticationTypes !== undefined && !product.authenticationTypes.includes('application-token');
      if (changed.length > 0) changes.push(patch('product', id, changed, `/products/${seg(id)}`, productProperties(pick(product, changed)), tokensOff));
    }
    const steps: Array<(ctx: CliContext) => Promise<unknown>> = [];
    const details: string[] = [];
    if (product.apis !== undefined) {
      const before = now?.apis ?? [];
      const added = product.apis.filter((api) => !includesId(before, api));
      const removed = before.filter((api) => !includesId(product.apis!, api));
      for (const api of added) steps.push((c) => c.arm('PUT', `/products/${seg(id)}/apis/${seg(api)}`));
      for (const api of removed) steps.push((c) => c.arm('DELETE', `/products/${seg(id)}/apis/${seg(api)}`));
      if (added.length + removed.length > 0) details.push(`apis: ${[...added.map((a) => `+${a}`), ...removed.map((a) => `-${a}`)].join(' ')}`);
    }
    if (product.policies !== undefined && !samePolicies(product.policies, now?.policies)) {
      const policies = product.policies;
      steps.push((c) => c.arm('PUT', `/products/${seg(id)}/policies/policy`, { json: { properties: typeof policies === 'string' ? { format: 'rawxml', value: policies } : policies } }));
      details.push('policies');
    }
    if (steps.length > 0) changes.push(step(now === undefined ? 'create' : 'update', 'product', id, details, false, steps, changes));
  }

  for (const app of desired.applications ?? []) {
    const now = find(current.applications, app.id);
    const id = now?.id ?? app.id;
    if (now === undefined) changes.push(put('create', 'application', app.id, [], `/clientApplications/${seg(app.id)}`, applicationProperties(app)));
    else {
      const changed = differing(app, now, ['displayName', 'description', 'owner']);
      // Client applications have no PATCH: PUT name, description and owner (links stay as they are).
      if (changed.length > 0) changes.push(put('update', 'application', id, changed, `/clientApplications/${seg(id)}`, applicationProperties({ ...now, ...app })));
    }
    if (app.products === undefined) continue;
    const before = now?.products ?? [];
    const added = app.products.filter((product) => !includesId(before, product));
    const removed = before.filter((product) => !includesId(app.products!, product));
    const steps: Array<(ctx: CliContext) => Promise<unknown>> = [];
    for (const product of added) {
      steps.push((c) => c.arm('PUT', `/clientApplications/${seg(id)}/productLinks/${seg(product)}`, { json: { properties: { productId: `${c.serviceId}/products/${seg(product)}` } } }));
    }
    for (const product of removed) steps.push((c) => unlink(c, id, product));
    if (steps.length > 0) changes.push(step(now === undefined ? 'create' : 'update', 'application', id, [`products: ${[...added.map((p) => `+${p}`), ...removed.map((p) => `-${p}`)].join(' ')}`], removed.length > 0, steps, changes));
  }

  if (prune) {
    const named = (list: ReadonlyArray<{ id: string }> | undefined, id: string): boolean => (list ?? []).some((item) => item.id.toLowerCase() === id.toLowerCase());
    // Only the kinds the file declares are pruned: a file without `users:` leaves users alone.
    if (desired.applications !== undefined) {
      for (const app of current.applications) if (!named(desired.applications, app.id)) changes.push(remove('application', app.id, [], `/clientApplications/${seg(app.id)}`, true));
    }
    if (desired.products !== undefined) {
      for (const product of current.products) {
        if (!named(desired.products, product.id)) changes.push(remove('product', product.id, ['with its subscriptions'], `/products/${seg(product.id)}?deleteSubscriptions=true`, true));
      }
    }
    if (desired.apis !== undefined) {
      for (const api of current.apis) if (!named(desired.apis, api.id)) changes.push(remove('api', api.id, ['with its operations and subscriptions'], `/apis/${seg(api.id)}`, true));
    }
    if (desired.users !== undefined) {
      for (const user of current.users) {
        if (!named(desired.users, user.id) && !BUILT_IN_USERS.includes(user.id)) changes.push(remove('user', user.id, ['with their subscriptions'], `/users/${seg(user.id)}?deleteSubscriptions=true`, true));
      }
    }
  }
  return changes;
}

/** Merges follow-up steps into the create/update already planned for the same resource. */
function step(action: Action, kind: Kind, id: string, details: string[], cutsAccess: boolean, steps: Array<(ctx: CliContext) => Promise<unknown>>, changes: Change[]): Change {
  const previous = changes.findIndex((change) => change.kind === kind && change.id === id && change.action !== 'delete');
  const base = previous >= 0 ? changes.splice(previous, 1)[0]! : undefined;
  return {
    action: base?.action ?? action,
    kind,
    id,
    details: [...(base?.details ?? []), ...details],
    cutsAccess: (base?.cutsAccess ?? false) || cutsAccess,
    async run(ctx) {
      await base?.run(ctx);
      for (const run of steps) await run(ctx);
    },
  };
}

async function unlink(ctx: CliContext, appId: string, productId: string): Promise<void> {
  const links = await ctx.armList(`/clientApplications/${seg(appId)}/productLinks`);
  for (const link of links) {
    const target = String((link.properties ?? {}).productId ?? '');
    if (target.toLowerCase().endsWith(`/products/${productId.toLowerCase()}`)) await ctx.arm('DELETE', `/clientApplications/${seg(appId)}/productLinks/${seg(link.name ?? '')}`);
  }
}

function put(action: Action, kind: Kind, id: string, details: string[], path: string, properties: Record<string, unknown>): Change {
  return { action, kind, id, details, cutsAccess: false, run: async (ctx) => void (await ctx.arm('PUT', path, { json: { properties } })) };
}

function patch(kind: Kind, id: string, details: string[], path: string, properties: Record<string, unknown>, cutsAccess: boolean): Change {
  return { action: 'update', kind, id, details, cutsAccess, run: async (ctx) => void (await ctx.arm('PATCH', path, { json: { properties } })) };
}

function remove(kind: Kind, id: string, details: string[], path: string, cutsAccess: boolean): Change {
  return { action: 'delete', kind, id, details, cutsAccess, run: async (ctx) => void (await ctx.arm('DELETE', path)) };
}

function userProperties(user: Partial<UserSpec>): Record<string, unknown> {
  return defined({ email: user.email, firstName: user.firstName, lastName: user.lastName, state: user.state, note: user.note });
}

function apiProperties(api: Partial<ApiSpec>): Record<string, unknown> {
  return defined({
    displayName: api.displayName, description: api.description, path: api.path, serviceUrl: api.serviceUrl, protocols: api.protocols,
    subscriptionRequired: api.subscriptionRequired, subscriptionKeyParameterNames: api.subscriptionKeyParameterNames,
  });
}

function operationProperties(operation: Partial<OperationSpec>): Record<string, unknown> {
  return defined({
    displayName: operation.displayName, method: operation.method, urlTemplate: operation.urlTemplate, description: operation.description,
    templateParameters: operation.templateParameters, request: operation.request, responses: operation.responses,
  });
}

function productProperties(product: Partial<ProductSpec>): Record<string, unknown> {
  return defined({
    displayName: product.displayName, description: product.description, terms: product.terms, state: product.state,
    subscriptionRequired: product.subscriptionRequired, approvalRequired: product.approvalRequired, subscriptionsLimit: product.subscriptionsLimit,
    authenticationType: product.authenticationTypes,
  });
}

function applicationProperties(app: Partial<ApplicationSpec>): Record<string, unknown> {
  return defined({ displayName: app.displayName, description: app.description, ownerId: app.owner === undefined ? undefined : `/users/${app.owner}` });
}

/** The fields the file sets that differ from the server (fields the file leaves out are not compared). */
function differing<T extends object>(desired: T, current: T, fields: ReadonlyArray<keyof T & string>): string[] {
  return fields.filter((field) => {
    const want = desired[field];
    if (want === undefined) return false;
    const have = current[field];
    if (field === 'authenticationTypes' || field === 'protocols') return !sameSet(want as unknown as string[], (have ?? []) as unknown as string[]);
    if (typeof want === 'string' && typeof have === 'string' && (field === 'owner' || field === 'email')) return want.toLowerCase() !== have.toLowerCase();
    // An empty optional text is the same as none.
    if ((want === null || want === '') && (have === undefined || have === null || have === '')) return false;
    return !deepEqual(want, have);
  });
}

function pick<T extends object>(value: T, fields: readonly string[]): T {
  const result: Record<string, unknown> = {};
  for (const field of fields) result[field] = (value as Record<string, unknown>)[field];
  return result as T;
}

function defined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined));
}

function includesId(list: readonly string[], id: string): boolean {
  return list.some((item) => item.toLowerCase() === id.toLowerCase());
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const ak = Object.keys(a).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
    const bk = Object.keys(b).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
    return ak.length === bk.length && ak.every((key) => deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
  }
  return false;
}

/** Policy documents compare without the layout between elements (the server may store them re-indented). */
function samePolicies(declared: unknown, current: unknown): boolean {
  const layoutFree = (value: unknown): unknown => (typeof value === 'string' ? value.replace(/>\s+</g, '><').replace(/\s+\/>/g, '/>').trim() : value);
  return deepEqual(layoutFree(declared), layoutFree(current));
}
