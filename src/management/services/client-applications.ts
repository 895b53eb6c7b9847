import { AppError } from '../../errors/index.js';
import { linkGrantsAccess, type ClientApplicationRecord, type ClientApplicationState, type ProductLinkRecord, type ProductLinkState, type ProductRecord } from '../management-store.js';
import type { ManagementContext } from '../context.js';
import { resolveOwnerReference } from './users.js';
import { armResource, childResourceId, parseChildReference, type ArmResource } from '../arm/resource.js';
import { BodyValidator, checkResourceName, validationError } from '../arm/validate.js';
import { checkIfMatch } from '../arm/etag.js';
import { armDateTime } from '../arm/date.js';
import { asManagedIdentity, removeAsManagedIdentity } from './managed-identity.js';
import { commitChange, oneChange } from '../../store/change-unit.js';
import type { ChangeEventBody } from '../../shared/index.js';
import type { ClientApplicationIds } from '../../shared/change-events.js';
import { crashPoint } from '../../shared/test-crash.js';

export async function clientApplicationResource(ctx: ManagementContext, app: ClientApplicationRecord): Promise<ArmResource> {
  return clientApplicationResourceWith(ctx, app, await ctx.store.management.listProductLinks({ clientApplicationId: app.id }));
}

/** A page of client applications with their product links read in one query. */
export async function clientApplicationResources(ctx: ManagementContext, list: readonly ClientApplicationRecord[]): Promise<ArmResource[]> {
  const links = await ctx.store.management.listProductLinksOfApplications(list.map((app) => app.id));
  return list.map((app) => clientApplicationResourceWith(ctx, app, links.get(app.id) ?? []));
}

/**
 * Only the spec's properties (ClientApplicationContractProperties). `productIds` is accepted on PUT as a
 * Portico extension but never returned (links are read as productLinks, as in Azure); `createdDate` is
 * kept in the store and not returned. docs/management-api.md.
 */
function clientApplicationResourceWith(ctx: ManagementContext, app: ClientApplicationRecord, links: readonly ProductLinkRecord[]): ArmResource {
  return armResource(ctx.instance, [['clientApplications', app.id]], {
    displayName: app.displayName,
    description: app.description,
    ownerId: childResourceId(ctx.instance, 'users', app.ownerId),
    state: applicationState(links),
    entraApplicationId: app.entraApplicationId,
    entraTenantId: ctx.instance.tenantId,
  });
}

export function productLinkResource(ctx: ManagementContext, link: ProductLinkRecord): ArmResource {
  return armResource(ctx.instance, [['clientApplications', link.clientApplicationId], ['productLinks', link.id]], {
    productId: childResourceId(ctx.instance, 'products', link.productId),
    // A Portico extension (the spec's link has productId only): where the approval stands.
    state: link.state,
  });
}

/**
 * The application's read-only `state`, derived from its links as the spec describes: `approved`
 * when an administrator approved any link, else `active` when any link is active, `rejected` when
 * every link was rejected, else `pending` (no links, or only pending ones, or pending and rejected).
 */
export function applicationState(links: readonly Pick<ProductLinkRecord, 'state'>[]): ClientApplicationState {
  if (links.some((link) => link.state === 'approved')) return 'approved';
  if (links.some((link) => link.state === 'active')) return 'active';
  if (links.length > 0 && links.every((link) => link.state === 'rejected')) return 'rejected';
  return 'pending';
}


export async function requireClientApplication(ctx: ManagementContext, id: string): Promise<ClientApplicationRecord> {
  const app = await ctx.store.management.getClientApplication(id);
  if (!app) throw new AppError('ResourceNotFound', 'ClientApplication not found.');
  return app;
}

/**
 * PUT: registers the application (directory app APIMApplication<product>, its service principal and
 * a granted role per product) or updates name, description, owner and, when productIds is sent,
 * the set of linked products.
 */
export async function putClientApplication(
  ctx: ManagementContext,
  id: string,
  body: unknown,
  ifMatch: string | undefined,
): Promise<{ app: ClientApplicationRecord; created: boolean }> {
  checkResourceName('client application', id);
  const existing = await ctx.store.management.getClientApplication(id);
  if (existing) checkIfMatch(ifMatch, await clientApplicationResource(ctx, existing));
  const input = BodyValidator.fromBody(body);
  const displayName = input.string('displayName', { required: true, max: 300 });
  const description = input.nullableString('description', 1000);
  const ownerRef = input.string('ownerId', { required: !existing, max: 1000 });
  const productRefs = input.stringArray('productIds');
  for (const readOnly of ['entraApplicationId', 'entraTenantId']) {
    if (input.has(readOnly) && !existing) input.fail(readOnly, 'is read-only: Portico sets it when the application is registered.');
  }
  input.done();

  const ownerId = ownerRef !== undefined ? await resolveOwnerReference(ctx, ownerRef) : existing!.ownerId;
  const products = productRefs !== undefined ? await resolveTokenProducts(ctx, productRefs, 'productIds') : undefined;

  // One event for the whole write, published once the directory steps and the record committed.
  return oneChange(ctx, async () => {
    if (existing) {
      const app: ClientApplicationRecord = {
        ...existing,
        displayName: displayName!,
        description: description !== undefined ? description : existing.description,
        ownerId,
      };
      // Directory work first: when the managed identity may not do it, the record is still unchanged.
      const links = products ? await reconcileLinks(ctx, app, products) : { put: [], deleted: [] };
      await commitChange(ctx, async (tx) => {
        for (const link of links.deleted) await tx.management.deleteProductLink(link.clientApplicationId, link.id);
        for (const link of links.put) await tx.management.putProductLink(link);
        await tx.management.putClientApplication(app);
        return { result: undefined, event: { type: 'clientApplication.updated', ...clientApplicationIds(app) } };
      });
      return { app, created: false };
    }
    const app = await registerApplication(ctx, { id, displayName: displayName!, description: description ?? null, ownerId }, products ?? []);
    return { app, created: true };
  });
}

export function clientApplicationIds(app: ClientApplicationRecord): ClientApplicationIds {
  return {
    clientApplicationId: app.id,
    entraApplicationId: app.entraApplicationId,
    entraObjectId: app.entraObjectId,
    entraServicePrincipalId: app.entraServicePrincipalId,
  };
}

async function registerApplication(
  ctx: ManagementContext,
  fields: { id: string; displayName: string; description: string | null; ownerId: string },
  products: ProductRecord[],
): Promise<ClientApplicationRecord> {
  const action = `register the Entra application for client application '${fields.id}'`;
  const nameSource = products[0]?.displayName ?? fields.displayName;
  const directoryApp = await asManagedIdentity(ctx, action, (d) =>
    d.createApplication({
      displayName: `APIMApplication${nameSource.replace(/[^A-Za-z0-9]/g, '') || fields.id}`,
      description: `Client application '${fields.displayName}' of API Management service '${ctx.instance.serviceName}'.`,
    }),
  );
  crashPoint('registration.applicationCreated');
  try {
    const sp = await asManagedIdentity(ctx, action, (d) => d.createServicePrincipal({ appId: directoryApp.appId }));
    crashPoint('registration.servicePrincipalCreated');
    const app: ClientApplicationRecord = {
      ...fields,
      state: 'active',
      entraApplicationId: directoryApp.appId,
      entraObjectId: directoryApp.id,
      entraServicePrincipalId: sp.id,
      createdDate: new Date().toISOString(),
    };
    const links: ProductLinkRecord[] = [];
    for (const product of products) {
      links.push(await newLink(ctx, app, product, product.id));
      crashPoint('registration.roleGranted');
    }
    await commitChange(ctx, async (tx) => {
      await tx.management.putClientApplication(app);
      for (const link of links) await tx.management.putProductLink(link);
      return { result: undefined, event: { type: 'clientApplication.created', ...clientApplicationIds(app) } };
    });
    crashPoint('registration.recordCommitted');
    return app;
  } catch (error) {
    // Deleting the directory app also removes its service principal and role assignments.
    await asManagedIdentity(ctx, action, (d) => d.deleteApplication(directoryApp.id)).catch(() => undefined);
    throw error;
  }
}

/**
 * A new link: to a product with approvalRequired it is pending and grants nothing yet (no app role
 * assignment, so the token endpoint refuses the product with AADSTS501051 and the gateway treats
 * the app as unlinked); to any other product it is active and granted at once.
 */
async function newLink(ctx: ManagementContext, app: ClientApplicationRecord, product: ProductRecord, linkId: string): Promise<ProductLinkRecord> {
  if (product.approvalRequired) return { id: linkId, clientApplicationId: app.id, productId: product.id, appRoleAssignmentId: null, state: 'pending' };
  return grantProduct(ctx, app, product, linkId, 'active');
}

/** Grants the product's app role to the application's service principal and returns the link to store. */
async function grantProduct(ctx: ManagementContext, app: ClientApplicationRecord, product: ProductRecord, linkId: string, state: ProductLinkState): Promise<ProductLinkRecord> {
  const action = `grant client application '${app.id}' access to product '${product.id}'`;
  const backend = await asManagedIdentity(ctx, action, (d) => d.getApplicationByAppId(product.entraApplicationId!));
  const backendSp = await asManagedIdentity(ctx, action, (d) => d.getServicePrincipalByAppId(product.entraApplicationId!));
  const role = backend?.appRoles.find((r) => r.isEnabled);
  if (!backend || !backendSp || !role) {
    throw new AppError('Conflict', `The Entra application that represents product '${product.id}' is missing or has no enabled app role. Its directory application may have been deleted outside Portico; restore it, or re-create the product.`);
  }
  const assignment = await asManagedIdentity(ctx, action, (d) =>
    d.grantAppRole({ principalId: app.entraServicePrincipalId, resourceId: backendSp.id, appRoleId: role.id }),
  );
  return { id: linkId, clientApplicationId: app.id, productId: product.id, appRoleAssignmentId: assignment.id, state };
}

/** Takes the directory steps (revoke, grant) and returns the link rows to write with the record. */
async function reconcileLinks(
  ctx: ManagementContext,
  app: ClientApplicationRecord,
  products: ProductRecord[],
): Promise<{ put: ProductLinkRecord[]; deleted: ProductLinkRecord[] }> {
  const links = await ctx.store.management.listProductLinks({ clientApplicationId: app.id });
  const wanted = new Set(products.map((p) => p.id));
  const deleted = links.filter((link) => !wanted.has(link.productId));
  for (const link of deleted) await revokeLink(ctx, link);
  const put: ProductLinkRecord[] = [];
  const kept = links.filter((link) => wanted.has(link.productId));
  const linked = new Set(kept.map((l) => l.productId));
  const takenIds = new Set(kept.map((l) => l.id.toLowerCase()));
  for (const product of products) {
    if (linked.has(product.id)) continue;
    const linkId = freeLinkId(product.id, takenIds);
    takenIds.add(linkId.toLowerCase());
    put.push(await newLink(ctx, app, product, linkId));
  }
  return { put, deleted };
}

/**
 * The product id, unless a link of another product already has that name in any case (links are
 * never overwritten, and the store would update 'Gold' when asked to put 'gold'). `taken` is lower case.
 */
export function freeLinkId(productId: string, taken: ReadonlySet<string>): string {
  const free = (name: string) => !taken.has(name.toLowerCase());
  if (free(productId)) return productId;
  for (let n = 2; ; n++) if (free(`${productId}-${n}`)) return `${productId}-${n}`;
}

/** Revoke before the link row goes: when the managed identity may not, nothing has changed yet and the error says why. */
async function revokeLink(ctx: ManagementContext, link: ProductLinkRecord): Promise<void> {
  if (link.appRoleAssignmentId) {
    const assignmentId = link.appRoleAssignmentId;
    await removeAsManagedIdentity(ctx, `revoke product '${link.productId}' from client application '${link.clientApplicationId}'`, (d) => d.revokeAppRole(assignmentId));
  }
}


async function resolveTokenProducts(ctx: ManagementContext, references: string[], target: string): Promise<ProductRecord[]> {
  const products: ProductRecord[] = [];
  for (const [index, reference] of references.entries()) {
    const product = await resolveTokenProduct(ctx, reference, `${target}[${index}]`);
    // '/products/x' and the full ARM id of x are different strings but one product: link it once.
    if (products.some((p) => p.id === product.id)) {
      throw validationError([{ target: `${target}[${index}]`, message: `${target}[${index}] names product '${product.id}' again; list each product once.` }]);
    }
    products.push(product);
  }
  return products;
}

export async function resolveTokenProduct(ctx: ManagementContext, reference: string, target: string): Promise<ProductRecord> {
  const productId = parseChildReference(ctx.instance, 'products', reference);
  const product = productId !== undefined ? await ctx.store.management.getProduct(productId) : undefined;
  if (!product) {
    throw validationError([{ target, message: `${target} must name an existing product, like '/products/{productId}'; '${reference}' does not.` }]);
  }
  if (!product.authenticationType.includes('application-token') || product.entraApplicationId === null) {
    throw validationError([
      { target, message: `${target}: product '${product.id}' does not have application-token access turned on. Add "application-token" to the product's authenticationType first.` },
    ]);
  }
  return product;
}

export async function deleteClientApplication(ctx: ManagementContext, id: string, ifMatch: string | undefined): Promise<boolean> {
  const existing = await ctx.store.management.getClientApplication(id);
  if (!existing) return false;
  checkIfMatch(ifMatch, await clientApplicationResource(ctx, existing));
  const appId = existing.id;
  // The directory app goes first (with its service principal and role grants, so no new token can be
  // issued): when the managed identity may not delete it, nothing has changed yet and the error says why.
  await oneChange(ctx, async () => {
    await removeAsManagedIdentity(ctx, `delete the Entra application of client application '${appId}'`, (d) => d.deleteApplication(existing.entraObjectId));
    crashPoint('deletion.applicationDeleted');
    await commitChange(ctx, async (tx) => {
      await tx.management.deleteClientApplication(appId);
      return { result: undefined, event: { type: 'clientApplication.deleted', ...clientApplicationIds(existing) } };
    });
  });
  return true;
}

/** Client secrets an application may hold in the directory (the embedded directory's MAX_PASSWORDS_PER_APPLICATION). */
const MAX_DIRECTORY_SECRETS = 50;

/** What the management plane names the secrets it mints; only secrets with this name are ever pruned by it. */
export const MINTED_SECRET_PREFIX = 'Generated by API Management on ';

/**
 * Mints a new client secret; earlier secrets stay valid until they expire. listSecrets may be called
 * any number of times: when the application already holds the directory's limit of secrets, the
 * oldest one the management plane minted goes first (a secret added through Graph is never touched;
 * when all of them were, the directory's own error says so). docs/management-api.md.
 */
export async function newClientSecret(ctx: ManagementContext, id: string): Promise<{ entra: { clientSecret: string; expiresAt: string } }> {
  const app = await requireClientApplication(ctx, id);
  const action = `add a client secret to client application '${app.id}'`;
  const existing = await asManagedIdentity(ctx, action, (d) => d.listPasswords(app.entraObjectId));
  if (existing.length >= MAX_DIRECTORY_SECRETS) {
    const minted = existing.filter((secret) => secret.displayName?.startsWith(MINTED_SECRET_PREFIX)).sort((a, b) => a.startDateTime.localeCompare(b.startDateTime));
    for (const secret of minted.slice(0, existing.length - MAX_DIRECTORY_SECRETS + 1)) {
      await removeAsManagedIdentity(ctx, `remove the oldest client secret of client application '${app.id}'`, (d) => d.removePassword(app.entraObjectId, secret.keyId));
    }
  }
  const secret = await asManagedIdentity(ctx, action, (d) => d.addPassword(app.entraObjectId, { displayName: `${MINTED_SECRET_PREFIX}${new Date().toISOString().slice(0, 10)}` }));
  return { entra: { clientSecret: secret.secretText, expiresAt: armDateTime(secret.endDateTime) } };
}

export async function putProductLink(ctx: ManagementContext, appId: string, linkId: string, body: unknown): Promise<{ link: ProductLinkRecord; created: boolean }> {
  checkResourceName('product link', linkId);
  const app = await requireClientApplication(ctx, appId);
  const input = BodyValidator.fromBody(body);
  const productRef = input.string('productId', { required: true, max: 1000 });
  input.done();
  const product = await resolveTokenProduct(ctx, productRef!, 'productId');
  const existing = await ctx.store.management.getProductLink(app.id, linkId);
  if (existing) {
    if (existing.productId === product.id) return { link: existing, created: false };
    throw new AppError('Conflict', `Product link '${existing.id}' already links product '${existing.productId}'. Use another link name or delete it first.`);
  }
  const other = (await ctx.store.management.listProductLinks({ clientApplicationId: app.id })).find((l) => l.productId === product.id);
  if (other) {
    throw new AppError('Conflict', `Client application '${app.id}' is already linked to product '${product.id}' by product link '${other.id}'.`);
  }
  const link = await oneChange(ctx, async () => {
    const created = await newLink(ctx, app, product, linkId);
    await commitLink(ctx, app, created, 'productLink.created');
    return created;
  });
  return { link, created: true };
}

export async function deleteProductLink(ctx: ManagementContext, appId: string, linkId: string): Promise<boolean> {
  const app = await requireClientApplication(ctx, appId);
  const link = await ctx.store.management.getProductLink(app.id, linkId);
  if (!link) return false;
  await oneChange(ctx, async () => {
    await revokeLink(ctx, link);
    // The link goes right after the revocation, and with it the gateway's live check refuses the app.
    await commitChange(ctx, async (tx) => {
      await tx.management.deleteProductLink(link.clientApplicationId, link.id);
      return { result: undefined, event: productLinkEvent('productLink.deleted', app, link) };
    });
  });
  return true;
}

/** Writes the link with its event; a role granted for it is taken back when the write fails. */
async function commitLink(ctx: ManagementContext, app: ClientApplicationRecord, link: ProductLinkRecord, type: ProductLinkEventType): Promise<void> {
  try {
    await commitChange(ctx, async (tx) => {
      await tx.management.putProductLink(link);
      return { result: undefined, event: productLinkEvent(type, app, link) };
    });
  } catch (error) {
    const assignmentId = link.appRoleAssignmentId;
    if (assignmentId) await asManagedIdentity(ctx, 'undo a role grant', (d) => d.revokeAppRole(assignmentId)).catch(() => undefined);
    throw error;
  }
}

/**
 * A Portico extension action (POST …/productLinks/{id}/approve): a pending or rejected link becomes
 * `approved` and its app role is granted, so tokens for the product are issued and accepted again.
 * An active or approved link is returned unchanged, with no event.
 *
 * Approve and reject on one link serialize on the stored state: the write is conditional on the state
 * read (`WHERE state = 'pending'`, in the change's transaction), so of two concurrent decisions one
 * wins and the other gets 409 and takes back what it did in the directory.
 */
export async function approveProductLink(ctx: ManagementContext, appId: string, linkId: string): Promise<ProductLinkRecord> {
  const { app, link } = await requireProductLink(ctx, appId, linkId);
  if (linkGrantsAccess(link.state)) return link;
  const product = await ctx.store.management.getProduct(link.productId);
  if (!product || !product.authenticationType.includes('application-token') || product.entraApplicationId === null) {
    throw new AppError('Conflict', `Product '${link.productId}' does not have application-token access turned on, so link '${link.id}' cannot grant anything. Add "application-token" to the product's authenticationType first.`);
  }
  return oneChange(ctx, async () => {
    const approved = await grantProduct(ctx, app, product, link.id, 'approved');
    let won: boolean;
    try {
      won = await commitTransition(ctx, app, approved, link.state, 'productLink.approved');
    } catch (error) {
      const assignmentId = approved.appRoleAssignmentId;
      if (assignmentId) await asManagedIdentity(ctx, 'undo a role grant', (d) => d.revokeAppRole(assignmentId)).catch(() => undefined);
      throw error;
    }
    if (!won) {
      // The grant is idempotent: a concurrent approval that won holds this very assignment; keep it then.
      const now = await ctx.store.management.getProductLink(app.id, link.id);
      if (approved.appRoleAssignmentId && now?.appRoleAssignmentId !== approved.appRoleAssignmentId) {
        const assignmentId = approved.appRoleAssignmentId;
        await removeAsManagedIdentity(ctx, 'undo a role grant', (d) => d.revokeAppRole(assignmentId));
      }
      throw decidedMeanwhile(link, 'approved', now);
    }
    return approved;
  });
}

/**
 * A Portico extension action (POST …/productLinks/{id}/reject): the link becomes `rejected` and its
 * app role, if any, is revoked, so the gateway refuses the application for the product at once
 * (tokens already issued included). A rejected link is returned unchanged, with no event. Serialized
 * with approve as above.
 */
export async function rejectProductLink(ctx: ManagementContext, appId: string, linkId: string): Promise<ProductLinkRecord> {
  const { app, link } = await requireProductLink(ctx, appId, linkId);
  if (link.state === 'rejected') return link;
  const rejected: ProductLinkRecord = { ...link, appRoleAssignmentId: null, state: 'rejected' };
  await oneChange(ctx, async () => {
    // The revocation only takes back the role the link held as read; a concurrent approval's grant
    // is then either the winner's (and this write loses) or undone by that approval when it loses.
    await revokeLink(ctx, link);
    const won = await commitTransition(ctx, app, rejected, link.state, 'productLink.rejected');
    if (!won) throw decidedMeanwhile(link, 'rejected', await ctx.store.management.getProductLink(app.id, link.id));
  });
  return rejected;
}

/** The conditional write of a decision with its event; false (nothing written, nothing announced) when the link changed since it was read. */
async function commitTransition(ctx: ManagementContext, app: ClientApplicationRecord, next: ProductLinkRecord, from: ProductLinkState, type: ProductLinkEventType): Promise<boolean> {
  return commitChange(ctx, async (tx) => {
    const won = await tx.management.transitionProductLink(next, from);
    return { result: won, event: won ? productLinkEvent(type, app, next) : undefined };
  });
}

function decidedMeanwhile(link: ProductLinkRecord, wanted: ProductLinkState, now: ProductLinkRecord | undefined): AppError {
  const what = now ? `it is '${now.state}' now` : 'it was deleted';
  return new AppError(
    'Conflict',
    `Product link '${link.id}' of client application '${link.clientApplicationId}' was changed by another request while it was being ${wanted} (it was '${link.state}'; ${what}). Read the link again and decide on its current state.`,
  );
}

export async function requireProductLink(ctx: ManagementContext, appId: string, linkId: string): Promise<{ app: ClientApplicationRecord; link: ProductLinkRecord }> {
  const app = await requireClientApplication(ctx, appId);
  const link = await ctx.store.management.getProductLink(app.id, linkId);
  if (!link) throw new AppError('ResourceNotFound', 'ClientApplicationProductLink not found.');
  return { app, link };
}

type ProductLinkEventType = 'productLink.created' | 'productLink.deleted' | 'productLink.approved' | 'productLink.rejected';

function productLinkEvent(type: ProductLinkEventType, app: ClientApplicationRecord, link: ProductLinkRecord): ChangeEventBody {
  return { type, productLinkId: link.id, productId: link.productId, ...clientApplicationIds(app) };
}
