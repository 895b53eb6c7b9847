import type { Command } from 'commander';
import { props, seg } from '../context.js';
import { textOf, yesNo } from '../output.js';
import { act, leaf, type Deps } from './shared.js';

export function registerGroupCommands(program: Command, deps: Deps): void {
  const group = program.command('group').description('list and show groups (the built-in administrators, developers and guests)');

  leaf(group, 'list', 'list groups', ['portico group list']).action(
    act(deps, async (ctx) => {
      const groups = await ctx.armList('/groups');
      ctx.out.result({ value: groups }, () =>
        ctx.out.table(
          ['ID', 'DISPLAY NAME', 'TYPE', 'BUILT-IN'],
          groups.map((item) => [item.name ?? '', textOf(props(item).displayName) ?? '', textOf(props(item).type) ?? '', yesNo(props(item).builtIn) ?? '']),
          'No groups.',
        ),
      );
    }),
  );

  leaf(group, 'show <groupId>', 'show a group', ['portico group show developers']).action(
    act(deps, async (ctx, [groupId]) => {
      const resource = await ctx.armGet(`/groups/${seg(groupId!)}`);
      ctx.out.result(resource, () =>
        ctx.out.fields([
          ['ID', resource.name],
          ['Display name', textOf(props(resource).displayName)],
          ['Description', textOf(props(resource).description)],
          ['Type', textOf(props(resource).type)],
          ['Built-in', yesNo(props(resource).builtIn)],
        ]),
      );
    }),
  );
}
