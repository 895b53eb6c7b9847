/**
 * Built-in directory roles, with Entra's real template ids so role assignments copied from Entra
 * (or scripts written for it) keep working. Only the roles Portico's checks use are defined.
 */

export const ROLE_IDS = Object.freeze({
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  applicationAdministrator: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
  cloudApplicationAdministrator: '158c047a-c907-4556-b7ef-446551a6b5f7',
  privilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  directoryReaders: '88d8e3e3-8f55-4a1e-953a-9b9898b8876b',
});

export interface DirectoryRoleDefinition {
  /** For built-in roles Graph uses the template id as the definition id. */
  readonly id: string;
  readonly templateId: string;
  readonly displayName: string;
  readonly description: string;
  readonly allowedResourceActions: readonly string[];
}

const role = (id: string, displayName: string, description: string, allowedResourceActions: string[]): DirectoryRoleDefinition =>
  Object.freeze({ id, templateId: id, displayName, description, allowedResourceActions: Object.freeze(allowedResourceActions) });

export const DIRECTORY_ROLES: readonly DirectoryRoleDefinition[] = Object.freeze([
  role(ROLE_IDS.globalAdministrator, 'Global Administrator',
    'Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.',
    ['microsoft.directory/allEntities/allProperties/allTasks']),
  role(ROLE_IDS.applicationAdministrator, 'Application Administrator',
    'Can create and manage all aspects of app registrations and enterprise apps.',
    ['microsoft.directory/applications/allProperties/allTasks', 'microsoft.directory/servicePrincipals/allProperties/allTasks',
      'microsoft.directory/servicePrincipals/appRoleAssignedTo/update', 'microsoft.directory/roleAssignments/standard/read']),
  role(ROLE_IDS.cloudApplicationAdministrator, 'Cloud Application Administrator',
    'Can create and manage all aspects of app registrations and enterprise apps except App Proxy.',
    ['microsoft.directory/applications/allProperties/allTasks', 'microsoft.directory/servicePrincipals/allProperties/allTasks',
      'microsoft.directory/servicePrincipals/appRoleAssignedTo/update', 'microsoft.directory/roleAssignments/standard/read']),
  role(ROLE_IDS.privilegedRoleAdministrator, 'Privileged Role Administrator',
    'Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.',
    ['microsoft.directory/roleAssignments/allProperties/allTasks', 'microsoft.directory/roleDefinitions/allProperties/allTasks',
      'microsoft.directory/applications/standard/read', 'microsoft.directory/servicePrincipals/standard/read']),
  role(ROLE_IDS.directoryReaders, 'Directory Readers',
    'Can read basic directory information. Commonly used to grant directory read access to applications and guests.',
    ['microsoft.directory/applications/standard/read', 'microsoft.directory/servicePrincipals/standard/read',
      'microsoft.directory/roleAssignments/standard/read']),
]);

const BY_ID = new Map(DIRECTORY_ROLES.map((r) => [r.id, r]));

export function findDirectoryRole(id: string): DirectoryRoleDefinition | undefined {
  return BY_ID.get(id.toLowerCase());
}

/** What a DirectoryClient call needs; each maps to the roles that grant it. */
export type DirectoryPermission = 'read' | 'manageApplications' | 'manageRoleAssignments';

const APP_MANAGERS = [ROLE_IDS.globalAdministrator, ROLE_IDS.applicationAdministrator, ROLE_IDS.cloudApplicationAdministrator];
const ROLE_MANAGERS = [ROLE_IDS.globalAdministrator, ROLE_IDS.privilegedRoleAdministrator];

export const PERMISSION_ROLES: Readonly<Record<DirectoryPermission, readonly string[]>> = Object.freeze({
  manageApplications: Object.freeze(APP_MANAGERS),
  manageRoleAssignments: Object.freeze(ROLE_MANAGERS),
  read: Object.freeze([...APP_MANAGERS, ROLE_IDS.privilegedRoleAdministrator, ROLE_IDS.directoryReaders]),
});

/** "A, B or C" — the role names a refused caller would need. */
export function describeRoles(roleIds: readonly string[]): string {
  const names = roleIds.map((id) => findDirectoryRole(id)?.displayName ?? id);
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}
