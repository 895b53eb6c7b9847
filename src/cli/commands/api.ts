import type { Command } from 'commander';
import { props, seg } from '../context.js';
import { textOf, yesNo } from '../output.js';
import { act, leaf, type Deps } from './shared.js';

export function registerApiCommands(program: Command, deps: Deps): void {
  const api = program.command('api').description('list and show APIs and their operations (declare them with `portico apply`)');

  leaf(api, 'list', 'list the APIs of the service', ['portico api list']).action(
    act(deps, async (ctx) => {
      const apis = await ctx.armList('/apis');
      ctx.out.result({ value: apis }, () =>
        ctx.out.table(
          ['ID', 'DISPLAY NAME', 'PATH', 'SERVICE URL'],
          apis.map((item) => {
            const p = props(item);
            return [item.name ?? '', textOf(p.displayName) ?? '', textOf(p.path) ?? '', textOf(p.serviceUrl) ?? ''];
          }),
          'No APIs.',
        ),
      );
    }),
  );

  leaf(api, 'show <apiId>', 'show an API', ['portico api show echo-api']).action(
    act(deps, async (ctx, [apiId]) => {
      const resource = await ctx.armGet(`/apis/${seg(apiId!)}`);
      ctx.out.result(resource, () => {
        const p = props(resource);
        const keyNames = (p.subscriptionKeyParameterNames ?? {}) as Record<string, unknown>;
        ctx.out.fields([
          ['ID', resource.name],
          ['Display name', textOf(p.displayName)],
          ['Description', textOf(p.description)],
          ['Path', textOf(p.path)],
          ['Service URL', textOf(p.serviceUrl)],
          ['Protocols', Array.isArray(p.protocols) ? p.protocols.join(', ') : undefined],
          ['Subscription required', yesNo(p.subscriptionRequired)],
          ['Key header', textOf(keyNames.header)],
          ['Key query parameter', textOf(keyNames.query)],
        ]);
      });
    }),
  );

  leaf(api, 'operations <apiId>', 'list the operations of an API', ['portico api operations echo-api']).action(
    act(deps, async (ctx, [apiId]) => {
      const operations = await ctx.armList(`/apis/${seg(apiId!)}/operations`);
      ctx.out.result({ value: operations }, () =>
        ctx.out.table(
          ['ID', 'METHOD', 'URL TEMPLATE', 'DISPLAY NAME'],
          operations.map((item) => {
            const p = props(item);
            return [item.name ?? '', textOf(p.method) ?? '', textOf(p.urlTemplate) ?? '', textOf(p.displayName) ?? ''];
          }),
          'No operations.',
        ),
      );
    }),
  );
}
