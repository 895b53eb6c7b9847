import type { Command } from 'commander';
import { isGuid } from '../../shared/index.js';
import { CliError } from '../cli-error.js';
import { seg, type CliContext } from '../context.js';
import { asRecord } from '../http.js';
import { textOf } from '../output.js';
import { act, leaf, type Deps } from './shared.js';

type GraphObject = Record<string, unknown>;


export function registerDirectoryCommands(program: Command, deps: Deps): void {
  const directory = program.command('directory').description('inspect the embedded directory (Entra-shaped) and manage directory role assignments');

  leaf(directory, 'apps', 'list directory applications (app registrations)', ['portico directory apps', 'portico directory apps --output json']).action(
    act(deps, async (ctx) => {
      const apps = await ctx.graphList('/applications');
      ctx.out.result({ value: apps }, () =>
        ctx.out.table(
          ['DISPLAY NAME', 'APP ID', 'CREATED'],
          apps.map((app) => [textOf(app.displayName) ?? '', textOf(app.appId) ?? '', textOf(app.createdDateTime) ?? '']),
          'No applications.',
        ),
      );
    }),
  );

  leaf(directory, 'roles', 'list the built-in directory roles', ['portico directory roles']).action(
    act(deps, async (ctx) => {
      const roles = await ctx.graphList('/roleManagement/directory/roleDefinitions');
      ctx.out.result({ value: roles }, () =>
        ctx.out.table(['NAME', 'ID'], roles.map((role) => [textOf(role.displayName) ?? '', textOf(role.id) ?? '']), 'No roles.'),
      );
    }),
  );

  const role = directory.command('role').description('list, assign and remove directory role assignments');

  leaf(role, 'list', 'list directory role assignments (all, or one principal\'s)', [
    'portico directory role list',
    'portico directory role list --principal portico',
  ])
    .option('--principal <nameOrId>', 'service principal display name or object id')
    .action(
      act(deps, async (ctx, _args, options) => {
        const principal = options.principal === undefined ? undefined : await resolvePrincipal(ctx, String(options.principal));
        const query: Record<string, string> = principal === undefined ? {} : { $filter: `principalId eq '${principal.id}'` };
        const assignments = await ctx.graphList('/roleManagement/directory/roleAssignments', query);
        if (ctx.out.format === 'json') return ctx.out.result({ value: assignments }, () => undefined);
        const roleNames = new Map((await roleDefinitions(ctx)).map((item) => [textOf(item.id), textOf(item.displayName)]));
        const principalNames = principal !== undefined ? new Map([[principal.id, principal.displayName]]) : await servicePrincipalNames(ctx);
        ctx.out.table(
          ['ROLE', 'PRINCIPAL', 'PRINCIPAL ID', 'SCOPE', 'ASSIGNMENT ID'],
          assignments.map((item) => {
            const principalId = textOf(item.principalId) ?? '';
            const roleId = textOf(item.roleDefinitionId) ?? '';
            return [roleNames.get(roleId) ?? roleId, principalNames.get(principalId) ?? '', principalId, textOf(item.directoryScopeId) ?? '', textOf(item.id) ?? ''];
          }),
          'No role assignments.',
        );
      }),
    );

  leaf(role, 'assign', 'assign a directory role to a service principal (e.g. the service\'s managed identity)', [
    'portico directory role assign --role "Application Administrator" --principal portico',
  ])
    .requiredOption('--role <nameOrId>', 'role display name (case-insensitive) or id')
    .requiredOption('--principal <nameOrId>', 'service principal display name or object id')
    .action(
      act(deps, async (ctx, _args, options) => {
        const definition = await resolveRole(ctx, String(options.role));
        const principal = await resolvePrincipal(ctx, String(options.principal));
        const existing = await findAssignment(ctx, principal.id, definition.id);
        if (existing !== undefined) {
          ctx.out.result(existing, () => ctx.out.line(`${principal.displayName} already has the ${definition.displayName} role.`));
          return;
        }
        ctx.out.progress(`Assigning ${definition.displayName} to ${principal.displayName}…`);
        const response = await ctx.graph('POST', '/roleManagement/directory/roleAssignments', {
          json: { principalId: principal.id, roleDefinitionId: definition.id, directoryScopeId: '/' },
        });
        ctx.out.result(response.body ?? {}, () =>
          ctx.out.line(`Assigned the ${definition.displayName} role to ${principal.displayName} (${principal.id}).`),
        );
      }),
    );

  leaf(role, 'remove', 'remove a directory role from a service principal', [
    'portico directory role remove --role "Application Administrator" --principal portico',
  ])
    .requiredOption('--role <nameOrId>', 'role display name (case-insensitive) or id')
    .requiredOption('--principal <nameOrId>', 'service principal display name or object id')
    .action(
      act(deps, async (ctx, _args, options) => {
        const definition = await resolveRole(ctx, String(options.role));
        const principal = await resolvePrincipal(ctx, String(options.principal));
        const existing = await findAssignment(ctx, principal.id, definition.id);
        if (existing === undefined) throw new CliError(`error: ${principal.displayName} does not have the ${definition.displayName} role.`);
        await ctx.graph('DELETE', `/roleManagement/directory/roleAssignments/${seg(String(existing.id))}`);
        ctx.out.result({ id: existing.id, deleted: true }, () =>
          ctx.out.line(`Removed the ${definition.displayName} role from ${principal.displayName}.`),
        );
      }),
    );
}

interface Named {
  id: string;
  displayName: string;
}

function roleDefinitions(ctx: CliContext): Promise<GraphObject[]> {
  return ctx.graphList('/roleManagement/directory/roleDefinitions');
}

/** A role by id or by display name, case-insensitive ("application administrator" works). */
export function matchRole(roles: readonly GraphObject[], wanted: string): Named | undefined {
  const lower = wanted.trim().toLowerCase();
  const found = roles.find((role) => textOf(role.id)?.toLowerCase() === lower) ?? roles.find((role) => textOf(role.displayName)?.toLowerCase() === lower);
  return found === undefined ? undefined : { id: String(found.id), displayName: textOf(found.displayName) ?? String(found.id) };
}

async function resolveRole(ctx: CliContext, wanted: string): Promise<Named> {
  const roles = await roleDefinitions(ctx);
  const match = matchRole(roles, wanted);
  if (match === undefined) {
    const names = roles.map((role) => textOf(role.displayName)).filter((name) => name !== undefined);
    throw new CliError(`error: no directory role "${wanted}". Roles: ${names.join(', ')}.`);
  }
  return match;
}

/** A service principal by object id or display name (the managed identity is named after the service). */
async function resolvePrincipal(ctx: CliContext, wanted: string): Promise<Named> {
  const byId: boolean = isGuid(wanted); // a plain boolean: the type guard would narrow `wanted` away below
  if (byId) {
    const found = asRecord((await ctx.graph('GET', `/servicePrincipals/${seg(wanted)}`)).body) ?? {};
    return { id: textOf(found.id) ?? wanted, displayName: textOf(found.displayName) ?? wanted };
  }
  const found = await ctx.graphList('/servicePrincipals', { $filter: `displayName eq '${wanted.replace(/'/g, "''")}'` });
  if (found.length === 0) throw new CliError(`error: no service principal named "${wanted}". Give its display name or object id.`);
  if (found.length > 1) {
    const ids = found.map((item) => textOf(item.id)).join(', ');
    throw new CliError(`error: several service principals are named "${wanted}" (${ids}); give the object id instead.`);
  }
  return { id: String(found[0]!.id), displayName: textOf(found[0]!.displayName) ?? wanted };
}

async function findAssignment(ctx: CliContext, principalId: string, roleId: string): Promise<GraphObject | undefined> {
  const assignments = await ctx.graphList('/roleManagement/directory/roleAssignments', { $filter: `principalId eq '${principalId}'` });
  const same = (a: unknown, b: string): boolean => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
  return assignments.find((item) => same(item.principalId, principalId) && same(item.roleDefinitionId, roleId));
}

/** Names for the PRINCIPAL column; the list still prints (with ids only) if they cannot be read. */
async function servicePrincipalNames(ctx: CliContext): Promise<Map<string | undefined, string | undefined>> {
  try {
    const principals = await ctx.graphList('/servicePrincipals');
    return new Map(principals.map((item) => [textOf(item.id), textOf(item.displayName)]));
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    ctx.out.warn('could not read service principal names; showing ids only.');
    return new Map();
  }
}
