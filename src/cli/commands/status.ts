import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
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
  leaf(program, 'status', 'show what is running: service, URLs, versions and resource counts', ['portico status', 'portico status --output json']).action(
    act(deps, async (ctx) => {
      const management = await probe(`${ctx.managementUrl}/metadata/endpoints`);
      const identity = await probe(`${ctx.identityUrl}/${seg(ctx.tenantId)}/v2.0/.well-known/openid-configuration`);
      const gateway = await probe(`${ctx.gatewayUrl}/`, true);
      if (!management.up) throw new CliError(`error: the management API at ${ctx.managementUrl} does not answer (${management.detail}). Is Portico running?`);
      const service = await ctx.armGet('');
      const counts: Record<string, number> = {};
      for (const [name, path] of [['products', '/products'], ['apis', '/apis'], ['users', '/users'], ['groups', '/groups'], ['subscriptions', '/subscriptions'], ['clientApplications', '/clientApplications']] as const) {
        counts[name] = (await ctx.armList(path)).length;
      }
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

