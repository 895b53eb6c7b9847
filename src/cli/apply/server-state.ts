import { CliError } from '../cli-error.js';
import { lastSegment, props, seg, type ArmResource, type CliContext } from '../context.js';
import { asRecord } from '../http.js';
import type { ApiSpec, ApplicationSpec, OperationSpec, PorticoFile, ProductSpec, UserSpec } from './document.js';

/** Built-ins that export leaves out and prune never deletes (groups and the master subscription are not in the file at all). */
export const BUILT_IN_USERS = ['1'];

/** The service's current state in the file's shape, every field filled in (what export writes). */
export async function readServerState(ctx: CliContext): Promise<Required<PorticoFile>> {
  const apis: ApiSpec[] = [];
  for (const api of await ctx.armList('/apis')) {
    const operations = (await ctx.armList(`/apis/${seg(api.name ?? '')}/operations`)).map(operationSpec);
    apis.push({ ...apiSpec(api), operations });
  }
  const productList = await ctx.armList('/products');
  const policiesSupported = productList.length > 0 && (await policyEndpointExists(ctx, productList[0]!.name ?? ''));
  const products: ProductSpec[] = [];
  for (const product of productList) {
    const id = product.name ?? '';
    const productApis = (await ctx.armList(`/products/${seg(id)}/apis`)).map((api) => api.name ?? '').sort(byCodeUnit);
    const spec: ProductSpec = { ...productSpec(product), apis: productApis };
    if (policiesSupported) {
      const policy = await ctx.armFind(`/products/${seg(id)}/policies/policy`);
      if (policy !== undefined) spec.policies = policyValue(policy);
    }
    products.push(spec);
  }
  const users = (await ctx.armList('/users')).filter((user) => !BUILT_IN_USERS.includes(user.name ?? '')).map(userSpec);
  const applications: ApplicationSpec[] = [];
  for (const app of await ctx.armList('/clientApplications')) {
    const links = await ctx.armList(`/clientApplications/${seg(app.name ?? '')}/productLinks`);
    applications.push({ ...applicationSpec(app), products: links.map((link) => lastSegment(props(link).productId)).sort(byCodeUnit) });
  }
  return { products, apis, users, applications };
}

function productSpec(resource: ArmResource): ProductSpec {
  const p = props(resource);
  return dropUndefined({
    id: resource.name ?? '',
    displayName: String(p.displayName ?? ''),
    description: nonNull(p.description),
    terms: nonNull(p.terms),
    state: str(p.state),
    subscriptionRequired: bool(p.subscriptionRequired),
    approvalRequired: bool(p.approvalRequired),
    subscriptionsLimit: typeof p.subscriptionsLimit === 'number' ? p.subscriptionsLimit : null,
    authenticationTypes: Array.isArray(p.authenticationType) ? (p.authenticationType as string[]) : [],
  });
}

function apiSpec(resource: ArmResource): ApiSpec {
  const p = props(resource);
  const names = asRecord(p.subscriptionKeyParameterNames);
  return dropUndefined({
    id: resource.name ?? '',
    displayName: String(p.displayName ?? ''),
    description: nonNull(p.description),
    path: String(p.path ?? ''),
    serviceUrl: nonNull(p.serviceUrl),
    protocols: Array.isArray(p.protocols) ? (p.protocols as string[]) : undefined,
    subscriptionRequired: bool(p.subscriptionRequired),
    subscriptionKeyParameterNames: names !== undefined ? { header: String(names.header ?? ''), query: String(names.query ?? '') } : undefined,
  });
}

function operationSpec(resource: ArmResource): OperationSpec {
  const p = props(resource);
  const request = asRecord(p.request);
  const emptyRequest = request === undefined || Object.values(request).every((value) => value === null || (Array.isArray(value) && value.length === 0));
  return dropUndefined({
    id: resource.name ?? '',
    displayName: String(p.displayName ?? ''),
    method: String(p.method ?? ''),
    urlTemplate: String(p.urlTemplate ?? ''),
    description: nonNull(p.description),
    templateParameters: Array.isArray(p.templateParameters) && p.templateParameters.length > 0 ? p.templateParameters : undefined,
    request: emptyRequest ? undefined : request,
    responses: Array.isArray(p.responses) && p.responses.length > 0 ? p.responses : undefined,
  });
}

function userSpec(resource: ArmResource): UserSpec {
  const p = props(resource);
  return dropUndefined({
    id: resource.name ?? '',
    email: String(p.email ?? ''),
    firstName: String(p.firstName ?? ''),
    lastName: String(p.lastName ?? ''),
    state: str(p.state),
    note: nonNull(p.note),
  });
}

function applicationSpec(resource: ArmResource): ApplicationSpec {
  const p = props(resource);
  return dropUndefined({ id: resource.name ?? '', displayName: String(p.displayName ?? ''), description: nonNull(p.description), owner: lastSegment(p.ownerId) });
}

/** A policy resource as the file holds it: its XML text when that is all it has, else its properties. */
function policyValue(resource: ArmResource): unknown {
  const p = props(resource);
  // `limits` is the server's read-only reading of the document, not part of what is declared.
  const keys = Object.keys(p).filter((key) => key !== 'limits' && p[key] !== undefined && p[key] !== null);
  if (keys.length <= 2 && typeof p.value === 'string' && (p.format === undefined || /xml/i.test(String(p.format)))) return p.value;
  return Object.fromEntries(keys.map((key) => [key, p[key]]));
}

/**
 * Whether this server has `products/{id}/policies/policy` (being built on another branch): an
 * unknown route answers `NotFound`, a known one 200 or `ResourceNotFound`.
 */
export async function policyEndpointExists(ctx: CliContext, productId: string): Promise<boolean> {
  try {
    await ctx.arm('GET', `/products/${seg(productId)}/policies/policy`);
    return true;
  } catch (error) {
    if (error instanceof CliError && error.code === 'NotFound') return false;
    if (error instanceof CliError && error.code === 'ResourceNotFound') return true;
    throw error;
  }
}

/** Ids in code unit order, as the management API orders its lists. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function nonNull(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}
