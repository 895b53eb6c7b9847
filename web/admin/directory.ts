/**
 * The directory (Microsoft Graph–shaped) API the Entra ID screens call: the same routes scripts
 * call on the identity listener's /v1.0, mounted for the admin session at /graph/v1.0 on this
 * origin (src/portal/admin-graph.ts), so the session cookie and CSRF token apply.
 */
import { request } from '../shared/api.js';

const GRAPH = '/graph/v1.0';

export interface AppRole {
  readonly id: string;
  readonly value: string | null;
  readonly displayName: string;
  readonly description: string;
  readonly allowedMemberTypes: readonly string[];
  readonly isEnabled: boolean;
}

export interface DirectoryApplication {
  readonly id: string;
  readonly appId: string;
  readonly displayName: string;
  readonly description?: string | null;
  readonly createdDateTime: string;
  readonly identifierUris: readonly string[];
  readonly appRoles: readonly AppRole[];
  readonly passwordCredentials: readonly { readonly keyId: string; readonly displayName: string | null; readonly endDateTime: string }[];
}

export interface ServicePrincipal {
  readonly id: string;
  readonly appId: string;
  readonly displayName: string;
  readonly servicePrincipalType: string;
  readonly appRoles: readonly AppRole[];
}

export interface AppRoleAssignment {
  readonly id: string;
  readonly appRoleId: string;
  readonly principalId: string;
  readonly principalDisplayName: string | null;
  readonly resourceId: string;
  readonly resourceDisplayName: string | null;
}

export interface RoleDefinition {
  readonly id: string;
  readonly displayName: string;
  readonly description: string;
}

export interface RoleAssignment {
  readonly id: string;
  readonly principalId: string;
  readonly roleDefinitionId: string;
  readonly directoryScopeId: string;
}

interface GraphList<T> {
  readonly value: T[];
  readonly '@odata.nextLink'?: string;
}

/** Every object of a Graph list, following @odata.nextLink (on this origin). */
async function listAll<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined = `${GRAPH}${path}`;
  while (next) {
    const page: GraphList<T> = await request<GraphList<T>>(next);
    items.push(...page.value);
    const link = page['@odata.nextLink'];
    next = link ? sameOrigin(link) : undefined;
  }
  return items;
}

/** A nextLink names the identity listener's base; its path (already under /graph/v1.0) is what this origin serves. */
function sameOrigin(link: string): string {
  const url = new URL(link, window.location.origin);
  return `${url.pathname}${url.search}`;
}

/** An OData string literal: single quotes doubled. */
function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export const directory = {
  listApplications: () => listAll<DirectoryApplication>('/applications'),
  getApplication: (objectId: string) => request<DirectoryApplication>(`${GRAPH}/applications/${encodeURIComponent(objectId)}`),
  listServicePrincipals: () => listAll<ServicePrincipal>('/servicePrincipals'),
  getServicePrincipal: (id: string) => request<ServicePrincipal>(`${GRAPH}/servicePrincipals/${encodeURIComponent(id)}`),
  async servicePrincipalOf(appId: string): Promise<ServicePrincipal | undefined> {
    const found = await listAll<ServicePrincipal>(`/servicePrincipals?$filter=${encodeURIComponent(`appId eq ${literal(appId)}`)}`);
    return found[0];
  },
  /** What a principal was granted: its API permissions. */
  appRoleAssignmentsOf: (principalId: string) => listAll<AppRoleAssignment>(`/servicePrincipals/${encodeURIComponent(principalId)}/appRoleAssignments`),
  listRoleDefinitions: () => listAll<RoleDefinition>('/roleManagement/directory/roleDefinitions'),
  listRoleAssignments: (roleDefinitionId: string) =>
    listAll<RoleAssignment>(`/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent(`roleDefinitionId eq ${literal(roleDefinitionId)}`)}`),
  assignRole: (principalId: string, roleDefinitionId: string) =>
    request<RoleAssignment>(`${GRAPH}/roleManagement/directory/roleAssignments`, { method: 'POST', body: { principalId, roleDefinitionId, directoryScopeId: '/' } }),
  removeRoleAssignment: (id: string) => request<void>(`${GRAPH}/roleManagement/directory/roleAssignments/${encodeURIComponent(id)}`, { method: 'DELETE' }),
};

/** Case-insensitive "contains" search, as the portal's search boxes behave. */
export function matches(text: string, search: string): boolean {
  return text.toLowerCase().includes(search.trim().toLowerCase());
}
