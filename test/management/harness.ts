/**
 * Helpers for the management API suites: raw ARM requests (any api-version, token or body), the
 * Graph-shaped directory API as the bootstrap admin, and a few set-up steps several suites share.
 */
import { expect } from 'vitest';
import type { Booted } from '../helpers/boot.js';
import { clientCredentialsToken, ManagementClient, type ArmResponse } from '../helpers/clients.js';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
export const APPLICATION_ADMINISTRATOR = '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3';

export interface RawRequest {
  readonly method?: string;
  /** Sent as `Authorization: Bearer …`; omit for an anonymous call. */
  readonly token?: string;
  readonly headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent as is. */
  readonly body?: unknown;
}

/** One request to any URL; the body is parsed as JSON when there is one. */
export async function raw(url: string, request: RawRequest = {}): Promise<ArmResponse & { text: string }> {
  const headers: Record<string, string> = { ...(request.token ? { authorization: `Bearer ${request.token}` } : {}) };
  let body: string | undefined;
  if (typeof request.body === 'string') body = request.body;
  else if (request.body !== undefined) {
    body = JSON.stringify(request.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(url, { method: request.method ?? 'GET', headers: { ...headers, ...request.headers }, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** The service's absolute ARM URL, e.g. serviceUrl(p, '/products', '2022-08-01'). */
export function serviceUrl(portico: Booted, path: string, apiVersion?: string): string {
  const c = portico.credentials;
  const base = `${portico.managementUrl}/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/Microsoft.ApiManagement/service/${c.serviceName}${path}`;
  return apiVersion === undefined ? base : `${base}${path.includes('?') ? '&' : '?'}api-version=${apiVersion}`;
}

/** The full ARM id of the service. */
export function serviceId(portico: Booted): string {
  const c = portico.credentials;
  return `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/Microsoft.ApiManagement/service/${c.serviceName}`;
}

/** The Graph-shaped directory API at {identityUrl}/v1.0, called as the bootstrap admin (Privileged Role Administrator). */
export class GraphClient {
  private token: string | undefined;

  constructor(private readonly portico: Booted) {}

  async call(method: string, path: string, body?: unknown): Promise<ArmResponse & { text: string }> {
    const c = this.portico.credentials;
    this.token ??= await clientCredentialsToken(c.identityUrl, c.tenantId, c.admin.clientId, c.admin.clientSecret, GRAPH_SCOPE);
    return raw(`${this.portico.identityUrl}/v1.0${path}`, { method, token: this.token, body });
  }

  /** Applications whose displayName equals `name`. */
  async applicationsNamed(name: string): Promise<{ id: string; appId: string; displayName: string; appRoles: { id: string; value: string; allowedMemberTypes: string[]; isEnabled: boolean }[] }[]> {
    const response = await this.call('GET', `/applications?$filter=${encodeURIComponent(`displayName eq '${name}'`)}`);
    expect(response.status).toBe(200);
    return response.body.value;
  }

  async applicationByAppId(appId: string): Promise<{ id: string; appId: string; displayName: string; appRoles: { id: string; value: string }[] } | undefined> {
    const response = await this.call('GET', `/applications?$filter=${encodeURIComponent(`appId eq '${appId}'`)}`);
    expect(response.status).toBe(200);
    return response.body.value[0];
  }

  async servicePrincipalByAppId(appId: string): Promise<{ id: string; appId: string; appRoleAssignmentRequired: boolean; appRoles: { id: string; value: string }[] } | undefined> {
    const response = await this.call('GET', `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${appId}'`)}`);
    expect(response.status).toBe(200);
    return response.body.value[0];
  }

  async applicationCount(): Promise<number> {
    const response = await this.call('GET', '/applications');
    expect(response.status).toBe(200);
    return response.body.value.length;
  }
}

/** The service managed identity's directory role assignments (the SP is named after the service). */
export async function managedIdentityRoles(graph: GraphClient, serviceName: string): Promise<{ principalId: string; assignments: { id: string; roleDefinitionId: string }[] }> {
  const sps = await graph.call('GET', `/servicePrincipals?$filter=${encodeURIComponent(`displayName eq '${serviceName}'`)}`);
  expect(sps.status).toBe(200);
  expect(sps.body.value).toHaveLength(1);
  const principalId = sps.body.value[0].id as string;
  const assignments = await graph.call('GET', `/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent(`principalId eq '${principalId}'`)}`);
  expect(assignments.status).toBe(200);
  return { principalId, assignments: assignments.body.value };
}

/** PATCH a product's authenticationType (If-Match: *) and return the response. */
export function setAuthenticationType(admin: ManagementClient, productId: string, types: string[]): Promise<ArmResponse> {
  return admin.call('PATCH', `/products/${productId}`, { properties: { authenticationType: types } }, { 'if-match': '*' });
}

/** A user with a unique email. */
export async function putUser(admin: ManagementClient, id: string): Promise<void> {
  const response = await admin.call('PUT', `/users/${id}`, { properties: { email: `${id}@example.com`, firstName: id, lastName: 'Tester' } });
  expect(response.status).toBe(201);
}

/** A product with application-token on (published), returning its audience. */
export async function tokenProduct(admin: ManagementClient, id: string, displayName: string): Promise<string> {
  const response = await admin.call('PUT', `/products/${id}`, { properties: { displayName, authenticationType: ['application-token'], state: 'published' } });
  expect(response.status).toBe(201);
  return response.body.properties.application.entra.audience as string;
}

/** The full product ids an application is linked to, read as Azure exposes them (its productLinks), in link-name order. */
export async function linkedProductIds(admin: ManagementClient, appId: string): Promise<string[]> {
  const links = await admin.call('GET', `/clientApplications/${appId}/productLinks`);
  return (links.body as { value: { properties: { productId: string } }[] }).value.map((link) => link.properties.productId);
}
