import { AppError } from '../../errors/index.js';
import type { ProductAuthType, ProductRecord } from '../management-store.js';
import type { ManagementContext } from '../context.js';
import { armResource, type ArmResource } from '../arm/resource.js';
import { BodyValidator, checkResourceName, validationError } from '../arm/validate.js';
import { checkIfMatch, requireIfMatch } from '../arm/etag.js';
import { asManagedIdentity, removeAsManagedIdentity } from './managed-identity.js';
import { productRoleValue } from './product-role.js';
import { commitChange, oneChange } from '../../store/change-unit.js';
import { crashPoint } from '../../shared/test-crash.js';

const AUTH_TYPES: readonly ProductAuthType[] = ['subscription-key', 'application-token'];
const STATES = ['notPublished', 'published'] as const;
/** The name of a backend application Portico creates for a product (as APIM's portal does). */
const BACKEND_APP_PREFIX = 'APIMProductApplication';

export function productResource(ctx: ManagementContext, product: ProductRecord): ArmResource {
  const properties: Record<string, unknown> = {
    displayName: product.displayName,
    description: product.description,
    terms: product.terms,
    subscriptionRequired: product.subscriptionRequired,
    approvalRequired: product.approvalRequired,
    subscriptionsLimit: product.subscriptionsLimit,
    state: product.state,
    authenticationType: [...product.authenticationType],
  };
  if (product.entraApplicationId !== null) {
    properties.application = { entra: { applicationId: product.entraApplicationId, audience: product.entraAudience } };
  }
  return armResource(ctx.instance, [['products', product.id]], properties);
}

export async function requireProduct(ctx: ManagementContext, id: string): Promise<ProductRecord> {
  const product = await ctx.store.management.getProduct(id);
  if (!product) throw new AppError('ResourceNotFound', 'Product not found.');
  return product;
}

/** PUT: create or replace. Omitted properties take APIM's defaults on create and keep their value on replace. */
export async function putProduct(
  ctx: ManagementContext,
  id: string,
  body: unknown,
  ifMatch: string | undefined,
): Promise<{ product: ProductRecord; created: boolean }> {
  checkResourceName('product', id);
  const existing = await ctx.store.management.getProduct(id);
  if (existing) checkIfMatch(ifMatch, productResource(ctx, existing));
  const input = BodyValidator.fromBody(body);
  const displayName = input.string('displayName', { required: true, max: 300 });
  const changes = readProductChanges(input);
  const application = readApplication(input);
  input.done();
  const base: ProductRecord = existing ?? {
    id,
    displayName: displayName!,
    description: null,
    terms: null,
    subscriptionRequired: true, // APIM treats an omitted value as true ("protected")
    approvalRequired: false,
    subscriptionsLimit: null,
    state: 'notPublished',
    authenticationType: [],
    entraApplicationId: null,
    entraAudience: null,
  };
  const product = await saveProduct(ctx, { ...base, ...changes, displayName: displayName! }, !existing, application);
  return { product, created: !existing };
}

/** PATCH: change only the properties sent. */
export async function patchProduct(ctx: ManagementContext, id: string, body: unknown, ifMatch: string | undefined): Promise<ProductRecord> {
  requireIfMatch(ifMatch);
  const existing = await requireProduct(ctx, id);
  checkIfMatch(ifMatch, productResource(ctx, existing));
  const input = BodyValidator.fromBody(body);
  const displayName = input.string('displayName', { max: 300 });
  const changes = readProductChanges(input);
  const application = readApplication(input);
  input.done();
  return saveProduct(ctx, { ...existing, ...changes, ...(displayName !== undefined ? { displayName } : {}) }, false, application);
}

function readProductChanges(input: BodyValidator): Partial<ProductRecord> {
  const changes: { -readonly [K in keyof ProductRecord]?: ProductRecord[K] } = {};
  const description = input.nullableString('description', 1000);
  if (description !== undefined) changes.description = description;
  const terms = input.nullableString('terms', 100_000);
  if (terms !== undefined) changes.terms = terms;
  const subscriptionRequired = input.boolean('subscriptionRequired');
  if (subscriptionRequired !== undefined) changes.subscriptionRequired = subscriptionRequired;
  const approvalRequired = input.boolean('approvalRequired');
  if (approvalRequired !== undefined) changes.approvalRequired = approvalRequired;
  const subscriptionsLimit = input.integer('subscriptionsLimit', 0, 2_147_483_647);
  if (subscriptionsLimit !== undefined) changes.subscriptionsLimit = subscriptionsLimit;
  const state = input.oneOf('state', STATES);
  if (state !== undefined) changes.state = state;
  const authenticationType = input.stringArray('authenticationType', AUTH_TYPES);
  if (authenticationType !== undefined) changes.authenticationType = authenticationType;
  return changes;
}

/** `properties.application.entra` as sent (types checked by the route's schema); null or absent: unchanged. */
interface ApplicationInput {
  readonly applicationId: string;
  readonly audience: string | undefined;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function readApplication(input: BodyValidator): ApplicationInput | undefined {
  const entra = (input.raw('application') as { entra?: { applicationId?: unknown; audience?: unknown } | null } | null | undefined)?.entra;
  if (entra === undefined || entra === null) return undefined;
  const applicationId = typeof entra.applicationId === 'string' ? entra.applicationId : undefined;
  if (applicationId === undefined || !GUID.test(applicationId)) {
    input.fail('application.entra.applicationId', "must be the application (client) id of an Entra application, a GUID like '5555aaaa-…'.");
    return undefined;
  }
  const audience = typeof entra.audience === 'string' && entra.audience !== '' ? entra.audience : undefined;
  if (audience !== undefined && audience.toLowerCase() !== applicationId.toLowerCase() && audience.toLowerCase() !== `api://${applicationId.toLowerCase()}`) {
    input.fail('application.entra.audience', `must be the application id or api://{applicationId}; '${audience}' is neither.`);
    return undefined;
  }
  return { applicationId: applicationId.toLowerCase(), audience };
}

/**
 * Writes the product. Turning application-token on for the first time makes the managed identity
 * create the backend app APIMProductApplication<product> (with its app role) before anything is written,
 * and removes it again if the write fails, so nothing is left half done. One event, after the record.
 */
function saveProduct(ctx: ManagementContext, product: ProductRecord, created: boolean, application?: ApplicationInput): Promise<ProductRecord> {
  return oneChange(ctx, async () => saveProductSteps(ctx, application ? await useOwnApplication(ctx, product, application) : product, created));
}

/**
 * Bring your own backend application: the Entra application named by `application.entra.applicationId`
 * must exist; the product's app role (and a service principal) are created on it when missing. The
 * same application sent again (an exported product PUT back) changes nothing; another one replacing
 * the product's current application is refused, as its clients' grants are on the current one.
 */
async function useOwnApplication(ctx: ManagementContext, product: ProductRecord, application: ApplicationInput): Promise<ProductRecord> {
  const audience = application.audience ?? product.entraAudience ?? application.applicationId;
  if (product.entraApplicationId !== null) {
    if (product.entraApplicationId.toLowerCase() === application.applicationId) return { ...product, entraAudience: audience };
    throw validationError([
      {
        target: 'application.entra.applicationId',
        message: `application.entra.applicationId cannot change: product '${product.id}' already uses application '${product.entraApplicationId}', and its client applications' grants are on it. Remove the product and create it again to use another application.`,
      },
    ]);
  }
  const action = `use the Entra application '${application.applicationId}' for product '${product.id}'`;
  const app = await asManagedIdentity(ctx, action, (d) => d.getApplicationByAppId(application.applicationId));
  if (!app) {
    throw validationError([{ target: 'application.entra.applicationId', message: `application.entra.applicationId must name an application in this directory; '${application.applicationId}' does not.` }]);
  }
  const roleValue = productRoleValue(product);
  if (!app.appRoles.some((role) => role.value === roleValue && role.isEnabled)) {
    await asManagedIdentity(ctx, action, (d) =>
      d.addAppRole(app.id, { value: roleValue, displayName: roleValue, description: `Access to the APIs of product '${product.displayName}'.` }),
    );
  }
  if (!(await asManagedIdentity(ctx, action, (d) => d.getServicePrincipalByAppId(app.appId)))) {
    await asManagedIdentity(ctx, action, (d) => d.createServicePrincipal({ appId: app.appId, appRoleAssignmentRequired: true }));
  }
  return { ...product, entraApplicationId: app.appId, entraAudience: audience };
}

async function saveProductSteps(ctx: ManagementContext, product: ProductRecord, created: boolean): Promise<ProductRecord> {
  let toSave = product;
  let createdAppObjectId: string | undefined;
  if (product.authenticationType.includes('application-token') && product.entraApplicationId === null) {
    const backend = await createBackendApplication(ctx, product);
    createdAppObjectId = backend.objectId;
    toSave = { ...product, entraApplicationId: backend.appId, entraAudience: backend.appId };
    crashPoint('product.backendCreated');
  }
  try {
    await commitChange(ctx, async (tx) => {
      await tx.management.putProduct(toSave);
      return { result: undefined, event: { type: created ? 'product.created' : 'product.updated', productId: product.id } };
    });
  } catch (error) {
    if (createdAppObjectId) await asManagedIdentity(ctx, `remove the backend application of product '${product.id}'`, (d) => d.deleteApplication(createdAppObjectId!)).catch(() => undefined);
    throw error;
  }
  return toSave;
}

async function createBackendApplication(ctx: ManagementContext, product: ProductRecord): Promise<{ appId: string; objectId: string }> {
  const action = `create the Entra application that represents product '${product.id}'`;
  const roleValue = productRoleValue(product);
  const app = await asManagedIdentity(ctx, action, (d) =>
    d.createApplication({
      displayName: `${BACKEND_APP_PREFIX}${product.displayName.replace(/[^A-Za-z0-9]/g, '') || product.id}`,
      description: `Represents the API Management product '${product.displayName}' of service '${ctx.instance.serviceName}'.`,
      appRoles: [{ value: roleValue, displayName: roleValue, description: `Access to the APIs of product '${product.displayName}'.` }],
    }),
  );
  try {
    await asManagedIdentity(ctx, action, (d) => d.createServicePrincipal({ appId: app.appId, appRoleAssignmentRequired: true }));
  } catch (error) {
    await asManagedIdentity(ctx, action, (d) => d.deleteApplication(app.id)).catch(() => undefined);
    throw error;
  }
  return { appId: app.appId, objectId: app.id };
}

export async function deleteProduct(ctx: ManagementContext, id: string, ifMatch: string | undefined, deleteSubscriptions: boolean): Promise<boolean> {
  requireIfMatch(ifMatch);
  const existing = await ctx.store.management.getProduct(id);
  if (!existing) return false;
  checkIfMatch(ifMatch, productResource(ctx, existing));
  const productId = existing.id;
  const links = await ctx.store.management.listProductLinks({ productId });
  if (links.length > 0) {
    const apps = [...new Set(links.map((link) => link.clientApplicationId))].join(', ');
    throw new AppError('Conflict', `Product '${productId}' is still linked to client applications: ${apps}. Remove those product links first.`);
  }
  const subscriptions = await ctx.store.management.countSubscriptions({ scope: `/products/${productId}` });
  if (subscriptions > 0 && !deleteSubscriptions) {
    throw new AppError('Conflict', `Product '${productId}' has ${subscriptions} subscription(s). Delete them first or pass deleteSubscriptions=true.`);
  }
  await oneChange(ctx, async () => {
    // The backend app goes first: when the managed identity may not delete it, the product stays and
    // the error says why, instead of leaving an orphan application in the directory.
    if (existing.entraApplicationId) {
      const appId = existing.entraApplicationId;
      const action = `delete the Entra application that represents product '${productId}'`;
      const app = await asManagedIdentity(ctx, action, (d) => d.getApplicationByAppId(appId));
      // Only an application Portico created for the product (APIMProductApplication…) goes; one the
      // caller brought (application.entra on PUT) is theirs and stays, with the product's role on it.
      if (app && app.displayName.startsWith(BACKEND_APP_PREFIX)) await removeAsManagedIdentity(ctx, action, (d) => d.deleteApplication(app.id));
    }
    await commitChange(ctx, async (tx) => {
      // The ids the delete itself removed, not the list read above: a subscription created in between
      // must leave the gateway's snapshot too, or its key would outlive it.
      const removed = await tx.management.deleteProduct(productId);
      return { result: undefined, event: { type: 'product.deleted', productId, subscriptionIds: removed, entraApplicationId: existing.entraApplicationId } };
    });
  });
  return true;
}

