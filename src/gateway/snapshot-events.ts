import type { Logger } from 'pino';
import type { ChangeEvent } from '../shared/change-events.js';
import type { Store } from '../store/store.js';
import { buildSigningKeys, readCatalog, toClientAppEntry, toSubscriptionKeyRow, type Snapshot } from './snapshot.js';

/**
 * Applies one change event to a snapshot by re-reading only the rows it names, and returns the new
 * snapshot (sharing everything else), or undefined when the event needs a full rebuild. The caller
 * has checked that event.version is the snapshot's version + 1 (otherwise it rebuilds).
 *
 * Store work per event, whatever the data size: a subscription 1 query, a user 1 (+1 per
 * subscription a deletion names), a client application or product link 2 (the record and its
 * links), signing keys 1 (the small key table), directory events the gateway does not read 0.
 * Products, APIs and operations change rarely and shape the per-API structures (each API's
 * products and operations), so their events re-read that small catalog whole (readCatalog: its
 * five tables (product policies included) and one backend application per product), keeping the high-volume maps as they are.
 * `directory.changed`, which does not say precisely what changed, rebuilds in full.
 */
export async function applyChange(snapshot: Snapshot, event: ChangeEvent, store: Store, logger?: Logger, now: number = Date.now()): Promise<Snapshot | undefined> {
  const versioned: Snapshot = { ...snapshot, version: event.version };
  switch (event.type) {
    case 'subscription.created':
    case 'subscription.updated':
    case 'subscription.deleted':
    case 'subscription.keyRegenerated':
      return refreshSubscriptions(versioned, [event.subscriptionId], store);
    case 'user.created':
    case 'user.updated':
    case 'user.stateChanged':
      return refreshUser(versioned, event.userId, store);
    case 'user.deleted':
      return refreshSubscriptions(await refreshUser(versioned, event.userId, store), event.subscriptionIds, store);
    case 'clientApplication.created':
    case 'clientApplication.updated':
    case 'clientApplication.deleted':
    case 'productLink.created':
    case 'productLink.deleted':
    case 'productLink.approved':
    case 'productLink.rejected':
      return refreshClientApplication(versioned, event.clientApplicationId, store);
    case 'batch.imported':
      return applyImportedBatch(versioned, event, store);
    case 'signingKey.created':
    case 'signingKey.rotated':
    case 'signingKey.activated':
      return { ...versioned, signingKeys: await buildSigningKeys(await store.directory.listSigningKeys(), now, logger) };
    // The gateway reads no credentials, service principals or role assignments.
    case 'application.credentialAdded':
    case 'application.credentialRemoved':
    case 'application.keyCredentialsChanged':
    case 'servicePrincipal.created':
    case 'appRoleAssignment.created':
    case 'appRoleAssignment.deleted':
    case 'directoryRoleAssignment.created':
    case 'directoryRoleAssignment.deleted':
      return versioned;
    // Of applications, the gateway reads only products' backend apps (their roles).
    case 'application.created':
    case 'application.deleted':
      return snapshot.index.backendAppIds.has(event.appId) ? withCatalog(versioned, store, logger) : versioned;
    case 'product.created':
    // Also announces a change of the product's policy (its limits are part of the catalog).
    case 'product.updated':
    case 'product.apiAdded':
    case 'product.apiRemoved':
    case 'api.created':
    case 'api.updated':
    case 'operation.created':
    case 'operation.updated':
    case 'operation.deleted':
      return withCatalog(versioned, store, logger);
    // A product is deleted only once no client application links to it; its subscriptions went with it.
    case 'product.deleted':
    case 'api.deleted':
      return refreshSubscriptions(await withCatalog(versioned, store, logger), event.subscriptionIds, store);
    // Says only which directory objects may have changed (a multi-step write failed part-way).
    case 'directory.changed':
      return undefined;
    default: {
      const unknown: never = event;
      logger?.warn({ event: (unknown as ChangeEvent).type }, 'gateway does not know this change event; rebuilding its snapshot');
      return undefined;
    }
  }
}

async function withCatalog(snapshot: Snapshot, store: Store, logger: Logger | undefined): Promise<Snapshot> {
  const catalog = await readCatalog(store, logger);
  return { ...snapshot, apis: catalog.apis, products: catalog.products, backendOrigins: catalog.backendOrigins, index: { ...snapshot.index, backendAppIds: catalog.backendAppIds } };
}

/** Re-reads each named subscription: its old key hashes leave, its current ones (if it still exists) come in. */
async function refreshSubscriptions(snapshot: Snapshot, ids: readonly string[], store: Store): Promise<Snapshot> {
  let keys = snapshot.subscriptionsByKeyHash;
  for (const id of ids) {
    const record = await store.management.getSubscription(id);
    keys = keys.with(id, record ? toSubscriptionKeyRow(record) : undefined);
  }
  return { ...snapshot, subscriptionsByKeyHash: keys };
}

async function refreshUser(snapshot: Snapshot, id: string, store: Store): Promise<Snapshot> {
  const record = await store.management.getUser(id);
  const key = id.toLowerCase();
  return { ...snapshot, userStates: record ? snapshot.userStates.set(key, record.state) : snapshot.userStates.delete(key) };
}

/** Re-reads one client application and its product links (the products its tokens may call). */
async function refreshClientApplication(snapshot: Snapshot, id: string, store: Store): Promise<Snapshot> {
  const [record, links] = await Promise.all([store.management.getClientApplication(id), store.management.listProductLinks({ clientApplicationId: id })]);
  const key = id.toLowerCase();
  const before = snapshot.index.clientAppsById.get(key);
  let byEntraId = snapshot.clientAppsByEntraId;
  let byId = snapshot.index.clientAppsById;
  if (before && byEntraId.get(before.entraApplicationId) === before) byEntraId = byEntraId.delete(before.entraApplicationId);
  if (record) {
    const entry = toClientAppEntry(record, links);
    byEntraId = byEntraId.set(entry.entraApplicationId, entry);
    byId = byId.set(key, entry);
  } else {
    byId = byId.delete(key);
  }
  return { ...snapshot, clientAppsByEntraId: byEntraId, index: { ...snapshot.index, clientAppsById: byId } };
}

/**
 * A bulk import batch: the rows it names, read a few hundred keys per statement (O(batch), not one
 * statement per row: a batch names up to a thousand), then put in the maps as the single events do.
 */
async function applyImportedBatch(snapshot: Snapshot, event: Extract<ChangeEvent, { type: 'batch.imported' }>, store: Store): Promise<Snapshot> {
  const appIds = event.clientApplications.map((app) => app.clientApplicationId);
  const [users, subscriptions, apps] = await Promise.all([
    store.management.getUsers(event.userIds),
    store.management.getSubscriptions(event.subscriptionIds),
    store.management.getClientApplications(appIds),
  ]);
  const links = await store.management.listProductLinksOfApplications(apps.map((app) => app.id));

  let userStates = snapshot.userStates;
  const usersById = new Map(users.map((user) => [user.id.toLowerCase(), user]));
  for (const id of event.userIds) {
    const record = usersById.get(id.toLowerCase());
    userStates = record ? userStates.set(id.toLowerCase(), record.state) : userStates.delete(id.toLowerCase());
  }

  let keys = snapshot.subscriptionsByKeyHash;
  const subscriptionsById = new Map(subscriptions.map((s) => [s.id.toLowerCase(), s]));
  for (const id of event.subscriptionIds) {
    const record = subscriptionsById.get(id.toLowerCase());
    keys = keys.with(id, record ? toSubscriptionKeyRow(record) : undefined);
  }

  let byEntraId = snapshot.clientAppsByEntraId;
  let appsById = snapshot.index.clientAppsById;
  const appRecords = new Map(apps.map((app) => [app.id.toLowerCase(), app]));
  for (const id of appIds) {
    const key = id.toLowerCase();
    const before = appsById.get(key);
    if (before && byEntraId.get(before.entraApplicationId) === before) byEntraId = byEntraId.delete(before.entraApplicationId);
    const record = appRecords.get(key);
    if (record) {
      const entry = toClientAppEntry(record, links.get(record.id) ?? []);
      byEntraId = byEntraId.set(entry.entraApplicationId, entry);
      appsById = appsById.set(key, entry);
    } else {
      appsById = appsById.delete(key);
    }
  }
  return {
    ...snapshot,
    userStates,
    subscriptionsByKeyHash: keys,
    clientAppsByEntraId: byEntraId,
    index: { ...snapshot.index, clientAppsById: appsById },
  };
}
