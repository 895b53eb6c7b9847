import type { ApiRecord, ClientApplicationRecord, OperationRecord, ProductLinkRecord, ProductRecord, SubscriptionRecord, UserRecord } from '../../management/index.js';

/**
 * What the developer portal shows, shaped for its screens (not ARM resources): only what a
 * developer may see, never a secret. Secrets and keys travel only in the answers of their own
 * show-once (new client secret) and reveal (subscription keys) calls.
 */
export function developerUserView(user: UserRecord) {
  return { id: user.id, email: user.email, firstName: user.firstName, lastName: user.lastName };
}

/** The scope a client-credentials token for the product asks for: `api://<audience>/.default`. */
export function scopeOf(product: Pick<ProductRecord, 'entraAudience'>): string | null {
  return product.entraAudience ? `api://${product.entraAudience}/.default` : null;
}

export function operationView(operation: OperationRecord) {
  return { id: operation.id, displayName: operation.displayName, method: operation.method, urlTemplate: operation.urlTemplate, description: operation.description, templateParameters: operation.templateParameters.map((p) => ({ name: p.name, required: p.required ?? false, ...(p.defaultValue !== undefined ? { defaultValue: p.defaultValue } : {}) })) };
}

export function apiView(api: ApiRecord, operations: readonly OperationRecord[]) {
  return { id: api.id, displayName: api.displayName, description: api.description, path: api.path, operations: operations.map(operationView) };
}

/** APIM: an empty authenticationType means subscription keys. */
function takesSubscriptionKeys(product: ProductRecord): boolean {
  return product.authenticationType.length === 0 || product.authenticationType.includes('subscription-key');
}

/** What the product page needs to offer Subscribe or say why it cannot: null when Subscribe is offered. */
export function whyNoSubscribe(product: ProductRecord): string | null {
  if (!takesSubscriptionKeys(product)) return 'This product is reached with an OAuth 2.0 token of a client application, not with a subscription key. Ask an administrator to register an application for you.';
  if (!product.subscriptionRequired) return 'This product is open: its APIs can be called without a subscription key, so there is nothing to subscribe to.';
  return null;
}

export function productView(product: ProductRecord, apis: ReturnType<typeof apiView>[]) {
  const tokens = product.authenticationType.includes('application-token') && product.entraAudience !== null;
  return {
    id: product.id,
    displayName: product.displayName,
    description: product.description,
    terms: product.terms,
    subscriptionKey: takesSubscriptionKeys(product),
    applicationToken: tokens,
    audience: tokens ? product.entraAudience : null,
    scope: tokens ? scopeOf(product) : null,
    subscriptionRequired: product.subscriptionRequired,
    approvalRequired: product.approvalRequired,
    subscriptionsLimit: product.subscriptionsLimit,
    // Why the product page offers no Subscribe (null: it does).
    noSubscribeReason: whyNoSubscribe(product),
    apis,
  };
}

export function applicationView(app: ClientApplicationRecord, state: string, links: readonly ProductLinkRecord[], products: ReadonlyMap<string, ProductRecord>, tenantId: string) {
  return {
    id: app.id,
    displayName: app.displayName,
    description: app.description,
    clientId: app.entraApplicationId,
    tenantId,
    state,
    products: links.map((link) => {
      const product = products.get(link.productId);
      return {
        id: link.productId,
        displayName: product?.displayName ?? link.productId,
        linkState: link.state,
        audience: product?.entraAudience ?? null,
        scope: product ? scopeOf(product) : null,
      };
    }),
  };
}

export function subscriptionView(subscription: SubscriptionRecord, productName: string | undefined) {
  const productId = subscription.scope.startsWith('/products/') ? subscription.scope.slice('/products/'.length) : null;
  return {
    id: subscription.id,
    displayName: subscription.displayName,
    scope: subscription.scope,
    productId,
    productName: productName ?? null,
    state: subscription.state,
    createdDate: subscription.createdDate,
    expirationDate: subscription.expirationDate ?? null,
  };
}
