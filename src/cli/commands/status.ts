import type { Command } from 'commander';
import { CliError, usageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { seg } from '../context.js';
import { send } from '../http.js';
import { textOf } from '../output.js';
import { act, leaf, type Deps } from './shared.js';

interface Endpoint {
  url: string;
  up: boolean;
  detail: string;
}

/** `portico status`: what is running where, and how much of each resource there is. */
export function registerStatusCommand(program: Command, deps: Deps, version: string): void {
  leaf(program, 'status', 'show what is running: service, URLs, versions and resource counts; or wait until every node has applied a config version', [
    'portico status',
    'portico status --output json',
    'portico status --wait-version 42 --timeout 10   # the version a write answered in x-portico-config-version',
  ])
    .option('--wait-version <version>', 'wait until every live node has applied this config version (x-portico-config-version of a write); fails when one has not within --timeout')
    .option('--timeout <seconds>', 'with --wait-version: how long to wait, 0 to 60 seconds (default 30)')
    .action(
    act(deps, async (ctx, _args, options) => {
      if (options['waitVersion'] !== undefined) return waitForVersion(ctx, String(options['waitVersion']), options['timeout'] === undefined ? '30' : String(options['timeout']));
      const management = await probe(`${ctx.managementUrl}/metadata/endpoints`);
      const identity = await probe(`${ctx.identityUrl}/${seg(ctx.tenantId)}/v2.0/.well-known/openid-configuration`);
      const gateway = await probe(`${ctx.gatewayUrl}/`, true);
      if (!management.up) throw new CliError(`error: the management API at ${ctx.managementUrl} does not answer (${management.detail}). Is Portico running?`);
      const service = await ctx.armGet('');
      // Six independent lists: read together, not one after another.
      const collections = [['products', '/products'], ['apis', '/apis'], ['users', '/users'], ['groups', '/groups'], ['subscriptions', '/subscriptions'], ['clientApplications', '/clientApplications']] as const;
      const sizes = await Promise.all(collections.map(async ([, path]) => (await ctx.armList(path)).length));
      const counts: Record<string, number> = Object.fromEntries(collections.map(([name], i) => [name, sizes[i]!]));
      const result = {
        service: { id: service.id, name: service.name, provisioningState: textOf(service.properties?.provisioningState), tenantId: ctx.tenantId },
        versions: { cli: version, apiVersion: ctx.settings.apiVersion },
        endpoints: { management: { url: ctx.managementUrl, up: management.up }, identity: { url: ctx.identityUrl, up: identity.up }, gateway: { url: ctx.gatewayUrl, up: gateway.up } },
        counts,
      };
      ctx.out.result(result, () => {
        ctx.out.fields([
          ['Service', `${service.name ?? '?'} (${textOf(service.properties?.provisioningState) ?? 'unknown'})`],
          ['Tenant ID', ctx.tenantId],
          ['CLI version', version],
          ['API version', ctx.settings.apiVersion],
        ]);
        ctx.out.line();
        ctx.out.table(
          ['LISTENER', 'URL', 'STATUS'],
          [
            ['management', management.url, management.detail],
            ['identity', identity.url, identity.detail],
            ['gateway', gateway.url, gateway.detail],
          ].map(([name, url, detail]) => [name!, new URL(url!).origin, detail!]),
        );
        ctx.out.line();
        ctx.out.table(['RESOURCE', 'COUNT'], Object.entries(counts).map(([name, count]) => [name, String(count)]));
      });
    }),
  );
}

/** Up when the listener answers at all (the gateway answers 404 at `/`); the status says how. */
async function probe(url: string, anyStatus = false): Promise<Endpoint> {
  try {
    const response = await send(url);
    const up = anyStatus || (response.status >= 200 && response.status < 300);
    return { url, up, detail: up ? 'up' : `HTTP ${response.status}` };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { url, up: false, detail: /connection refused/.test(message) ? 'down (connection refused)' : 'down' };
  }
}


interface NodeRow {
  nodeId: string;
  roles: string[];
  appliedVersion: number;
  applied: boolean;
  feedConnected: boolean;
  lastSeenAt: string;
}

/** `portico status --wait-version N`: GET …/configurationStatus, waiting on the server; an error when not every node applied it. */
async function waitForVersion(ctx: CliContext, version: string, timeout: string): Promise<void> {
  if (!/^\d{1,16}$/.test(version)) throw usageError(`--wait-version takes a config version (a whole number, as a write's x-portico-config-version header gives), got "${version}".`);
  if (!/^\d{1,2}(\.\d{1,3})?$/.test(timeout) || Number(timeout) > 60) throw usageError(`--timeout takes 0 to 60 seconds, got "${timeout}".`);
  const status = (await ctx.arm('GET', `/configurationStatus?version=${version}&timeout=${timeout}`)).body as { version: number; currentVersion: number; complete: boolean; nodes: NodeRow[] };
  ctx.out.result(status, () => {
    ctx.out.fields([
      ['Config version', String(status.version)],
      ['Current version', String(status.currentVersion)],
      ['Applied by every live node', status.complete ? 'yes' : 'no'],
    ]);
    ctx.out.line();
    ctx.out.table(
      ['NODE', 'ROLES', 'APPLIED', 'VERSION', 'FEED', 'LAST SEEN'],
      status.nodes.map((node) => [node.nodeId, node.roles.join(','), node.applied ? 'yes' : 'no', String(node.appliedVersion), node.feedConnected ? 'connected' : 'lost', node.lastSeenAt]),
    );
  });
  if (!status.complete) {
    const behind = status.nodes.filter((node) => !node.applied).map((node) => node.nodeId);
    throw new CliError(
      status.nodes.length === 0
        ? `error: no live node reported within ${timeout} s; is Portico running?`
        : `error: ${behind.length} of ${status.nodes.length} live nodes had not applied config version ${status.version} within ${timeout} s: ${behind.join(', ')}`,
    );
  }
}
