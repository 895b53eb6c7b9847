/** The developer data API (/developer/api, src/portal/developer): types and calls, through the shared request helper. */
import { request, setCsrfToken } from '../shared/api.js';

const BASE = '/developer/api';

export interface DeveloperUser {
  readonly id: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
}

export interface Operation {
  readonly id: string;
  readonly displayName: string;
  readonly method: string;
  readonly urlTemplate: string;
  readonly description: string | null;
  readonly templateParameters: readonly { name: string; required: boolean; defaultValue?: string }[];
}

export interface Api {
  readonly id: string;
  readonly displayName: string;
  readonly description: string | null;
  readonly path: string;
  readonly operations: readonly Operation[];
}

export interface Product {
  readonly id: string;
  readonly displayName: string;
  readonly description: string | null;
  readonly subscriptionKey: boolean;
  readonly applicationToken: boolean;
  readonly audience: string | null;
  readonly scope: string | null;
  readonly subscriptionRequired: boolean;
  readonly approvalRequired: boolean;
  /** How many subscriptions to it one user may hold; null: no limit. */
  readonly subscriptionsLimit: number | null;
  /** Why the product page offers no Subscribe (open, or token-only); null when it does. */
  readonly noSubscribeReason: string | null;
  readonly apis: readonly Api[];
}

export interface Application {
  readonly id: string;
  readonly displayName: string;
  readonly description: string | null;
  readonly clientId: string;
  readonly tenantId: string;
  readonly state: string;
  readonly products: readonly { id: string; displayName: string; linkState: string; audience: string | null; scope: string | null }[];
}

export interface Subscription {
  readonly id: string;
  readonly displayName: string;
  readonly scope: string;
  readonly productId: string | null;
  readonly productName: string | null;
  readonly state: string;
  readonly createdDate: string;
  readonly expirationDate: string | null;
}

export interface TokenOverview {
  readonly tenantId: string;
  readonly tokenUrl: string;
  readonly grantType: string;
  readonly gatewayUrl: string;
}

export interface NewSecret {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly expiresAt: string;
}

export interface TryItCall {
  readonly applicationId: string;
  readonly clientSecret: string;
  readonly productId: string;
  readonly apiId: string;
  readonly operationId: string;
  readonly templateParameters?: Record<string, string>;
  readonly query?: { name: string; value: string }[];
  readonly headers?: { name: string; value: string }[];
  readonly body?: string;
}

export interface TryItResult {
  readonly token: { url: string; clientId: string; scope: string; status: number; expiresIn?: number | null; error?: string; errorDescription?: string };
  readonly request?: { method: string; url: string; headers: Record<string, string>; body: string | null };
  readonly response?: { status: number; headers: Record<string, string>; body: string; truncated: boolean };
}

interface Signed {
  readonly user: DeveloperUser;
  readonly csrfToken: string;
}

export async function portalConfig(): Promise<{ signUpAllowed: boolean }> {
  return request(`${BASE}/config`);
}

/** The signed-in developer, or undefined. */
export async function currentDeveloper(): Promise<DeveloperUser | undefined> {
  const me = await request<({ signedIn: true } & Signed) | { signedIn: false }>(`${BASE}/me`, { signIn: true });
  if (!me.signedIn) return undefined;
  setCsrfToken(me.csrfToken);
  return me.user;
}

export async function signIn(email: string, password: string): Promise<DeveloperUser> {
  const signed = await request<Signed>(`${BASE}/signin`, { method: 'POST', body: { email, password }, signIn: true });
  setCsrfToken(signed.csrfToken);
  return signed.user;
}

export async function signUp(fields: { email: string; firstName: string; lastName: string; password: string }): Promise<DeveloperUser> {
  const signed = await request<Signed>(`${BASE}/signup`, { method: 'POST', body: fields, signIn: true });
  setCsrfToken(signed.csrfToken);
  return signed.user;
}

export async function signOut(): Promise<void> {
  try {
    await request<void>(`${BASE}/signout`, { method: 'POST', signIn: true });
  } finally {
    setCsrfToken('');
  }
}

export const listProducts = async (): Promise<Product[]> => (await request<{ value: Product[] }>(`${BASE}/products`)).value;
export const getProduct = (id: string): Promise<Product> => request(`${BASE}/products/${encodeURIComponent(id)}`);
export const listApplications = async (): Promise<Application[]> => (await request<{ value: Application[] }>(`${BASE}/applications`)).value;
export const getApplication = (id: string): Promise<Application> => request(`${BASE}/applications/${encodeURIComponent(id)}`);
export const newClientSecret = (id: string): Promise<NewSecret> => request(`${BASE}/applications/${encodeURIComponent(id)}/secrets`, { method: 'POST' });
export const listSubscriptions = async (): Promise<Subscription[]> => (await request<{ value: Subscription[] }>(`${BASE}/subscriptions`)).value;
/** "Subscribe": a new subscription of the signed-in developer to the product (active, or submitted when approval is required). */
export const subscribe = (productId: string, displayName: string): Promise<Subscription> =>
  request(`${BASE}/products/${encodeURIComponent(productId)}/subscriptions`, { method: 'POST', body: { displayName } });
export const revealKeys = (id: string): Promise<{ primaryKey: string; secondaryKey: string }> => request(`${BASE}/subscriptions/${encodeURIComponent(id)}/reveal`, { method: 'POST' });
export const tokenOverview = (): Promise<TokenOverview> => request(`${BASE}/token`);
export const tryIt = (call: TryItCall): Promise<TryItResult> => request(`${BASE}/try-it`, { method: 'POST', body: call });

/**
 * The secret minted last in this page (by "+ New client secret"), so Try it can use it without
 * asking. Page memory only: gone on reload, never stored.
 */
let minted: { applicationId: string; clientSecret: string } | undefined;
export function rememberMintedSecret(applicationId: string, clientSecret: string): void {
  minted = { applicationId, clientSecret };
}
export function mintedSecretFor(applicationId: string): string | undefined {
  return minted?.applicationId === applicationId ? minted.clientSecret : undefined;
}
