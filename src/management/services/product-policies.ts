import { AppError } from '../../errors/index.js';
import { parseProductPolicy, PolicyConfigError, type ProductLimits } from '../../gateway/index.js';
import { commitChange } from '../../store/change-unit.js';
import type { ProductPolicyRecord, ProductRecord } from '../management-store.js';
import type { ManagementContext } from '../context.js';
import { armResource, type ArmResource } from '../arm/resource.js';
import { BodyValidator, validationError } from '../arm/validate.js';
import { checkIfMatch } from '../arm/etag.js';
import { requireProduct } from './products.js';

/**
 * APIM's product policy: `products/{id}/policies/policy`, one per product, `format` xml or rawxml
 * (inline documents; the -link formats, which make the service fetch a URL, are not supported). The
 * document is stored as sent and read by the gateway's policy schemas; what it may hold is
 * product-policy.ts's rule (rate-limit and quota in inbound, base elsewhere).
 */
export const POLICY_ID = 'policy';
const FORMATS = ['xml', 'rawxml'] as const;
type Format = (typeof FORMATS)[number];
const MAX_DOCUMENT_LENGTH = 256 * 1024;

/**
 * The resource as APIM shows it, plus `limits`: the document read into the policies' configuration
 * (a Portico addition, read-only), so portals and the CLI show the limits as JSON.
 */
export function productPolicyResource(ctx: ManagementContext, product: ProductRecord, policy: ProductPolicyRecord, format: Format = 'xml'): ArmResource {
  return armResource(ctx.instance, [['products', product.id], ['policies', POLICY_ID]], {
    value: policy.value,
    format,
    limits: limitsJson(readLimits(policy.value)),
  });
}

/** The ETag's entity: the policy as stored (its own format), whichever format a GET asked to see. */
export function policyEtagResource(ctx: ManagementContext, product: ProductRecord, policy: ProductPolicyRecord): ArmResource {
  return productPolicyResource(ctx, product, policy, policy.format);
}

export function limitsJson(limits: ProductLimits): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  if (limits.rateLimit) json.rateLimit = limitJson(limits.rateLimit);
  if (limits.quota) json.quota = limitJson(limits.quota);
  return json;
}

/** `failMode` (Portico's `portico-fail-mode`) is shown only when it is not the default, `open`. */
function limitJson(limit: { calls: number; renewalPeriod: number; failMode: string }): Record<string, unknown> {
  return { calls: limit.calls, renewalPeriod: limit.renewalPeriod, ...(limit.failMode !== 'open' ? { failMode: limit.failMode } : {}) };
}

/** The `format` query of a GET: xml (APIM's default) or rawxml. */
export function formatOf(query: unknown): Format {
  const value = (query as Record<string, unknown> | undefined)?.format;
  if (value === undefined) return 'xml';
  if (typeof value === 'string' && (FORMATS as readonly string[]).includes(value)) return value as Format;
  throw validationError([{ target: 'format', message: `format must be one of: ${FORMATS.join(', ')}.` }]);
}

export async function requireProductPolicy(ctx: ManagementContext, productId: string, policyId: string): Promise<{ product: ProductRecord; policy: ProductPolicyRecord }> {
  const product = await requireProduct(ctx, productId);
  const policy = policyId.toLowerCase() === POLICY_ID ? await ctx.store.management.getProductPolicy(product.id) : undefined;
  if (!policy) throw new AppError('ResourceNotFound', 'Policy not found.');
  return { product, policy };
}

export async function putProductPolicy(
  ctx: ManagementContext,
  productId: string,
  policyId: string,
  body: unknown,
  ifMatch: string | undefined,
): Promise<{ product: ProductRecord; policy: ProductPolicyRecord; created: boolean }> {
  const product = await requireProduct(ctx, productId);
  checkPolicyId(policyId);
  const existing = await ctx.store.management.getProductPolicy(product.id);
  if (existing) checkIfMatch(ifMatch, policyEtagResource(ctx, product, existing));
  const input = BodyValidator.fromBody(body);
  const value = input.string('value', { required: true, max: MAX_DOCUMENT_LENGTH });
  const format = input.oneOf('format', [...FORMATS, 'xml-link', 'rawxml-link'] as const);
  if (format === 'xml-link' || format === 'rawxml-link') input.fail('format', 'must be xml or rawxml: Portico does not fetch policy documents from a URL.');
  if (input.has('limits')) input.fail('limits', 'is read-only: Portico reads it from the policy document (value).');
  input.done();
  readLimits(value!, true);
  const policy: ProductPolicyRecord = { productId: product.id, format: (format as Format | undefined) ?? 'xml', value: value! };
  await commitChange(ctx, async (tx) => {
    await tx.management.putProductPolicy(policy);
    // The gateway and other views re-read the product (and its policy) on product.updated.
    return { result: undefined, event: { type: 'product.updated', productId: product.id } };
  });
  return { product, policy, created: !existing };
}

export async function deleteProductPolicy(ctx: ManagementContext, productId: string, policyId: string, ifMatch: string | undefined): Promise<boolean> {
  const product = await requireProduct(ctx, productId);
  if (policyId.toLowerCase() !== POLICY_ID) return false;
  const existing = await ctx.store.management.getProductPolicy(product.id);
  if (!existing) return false;
  checkIfMatch(ifMatch, policyEtagResource(ctx, product, existing));
  await commitChange(ctx, async (tx) => {
    await tx.management.deleteProductPolicy(product.id);
    return { result: undefined, event: { type: 'product.updated', productId: product.id } };
  });
  return true;
}

function checkPolicyId(policyId: string): void {
  if (policyId.toLowerCase() !== POLICY_ID) {
    throw validationError([{ target: 'policyId', message: `A product has one policy, named '${POLICY_ID}'; '${policyId}' is not a policy id.` }]);
  }
}

/** The document's limits; a document the policies refuse is a 400 naming the element or attribute. */
function readLimits(document: string, strict = false): ProductLimits {
  try {
    return parseProductPolicy(document);
  } catch (error) {
    if (!(error instanceof PolicyConfigError)) throw error;
    if (!strict) return { rateLimit: undefined, quota: undefined }; // stored by another version: shown, not enforced
    throw validationError([{ target: error.target, message: error.message }]);
  }
}
