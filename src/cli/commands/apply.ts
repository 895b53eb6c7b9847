import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { formatPorticoFile, InvalidFileError, parsePorticoFile, planChanges, readServerState, type Change, type PorticoFile } from '../apply/index.js';
import { portico } from '../invocation.js';
import { formatTable } from '../output.js';
import { act, leaf, withYes, type Deps } from './shared.js';

/** A declarative file is small; refuse anything that is clearly something else. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

export function registerApplyCommands(program: Command, deps: Deps): void {
  withYes(
    leaf(program, 'apply', 'make the service match a declarative file (products, APIs and operations, users, applications and their links)', [
      'portico apply -f portico.yaml --dry-run',
      'portico apply -f portico.yaml',
      'portico apply -f portico.yaml --prune --yes',
    ])
      .requiredOption('-f, --file <file>', 'the file to apply (YAML or JSON; format: docs/apply.md)')
      .option('--dry-run', 'print the plan only; change nothing')
      .option('--prune', 'also delete what the file does not name, in the sections it has (never the built-ins)'),
  ).action(
    act(deps, async (ctx, _args, options) => {
      const path = String(options.file);
      const desired = readPorticoFile(path);
      ctx.out.progress(`Reading the current state from ${ctx.managementUrl}…`);
      const current = await readServerState(ctx);
      const changes = await planChanges(ctx, desired, current, options.prune === true);
      const dryRun = options.dryRun === true;
      const summary = changes.map(({ action, kind, id, details }) => ({ action, kind, id, details }));
      if (ctx.out.format !== 'json') printPlan(ctx.out.line.bind(ctx.out), changes, path);
      if (changes.length === 0 || dryRun) {
        if (ctx.out.format === 'json') ctx.out.result({ changes: summary, applied: false }, () => undefined);
        else if (dryRun && changes.length > 0) ctx.out.line('Dry run: nothing was changed.');
        return;
      }
      const risky = changes.filter((change) => change.action === 'delete' || change.cutsAccess);
      if (risky.length > 0) {
        await ctx.confirm(`The plan deletes or cuts access for ${risky.length} resource(s) (${risky.slice(0, 5).map((c) => `${c.kind} ${c.id}`).join(', ')}${risky.length > 5 ? ', …' : ''})`, options);
      }
      let done = 0;
      for (const change of changes) {
        ctx.out.progress(`${change.action} ${change.kind} ${change.id}…`);
        try {
          await change.run(ctx);
        } catch (error) {
          if (!(error instanceof CliError)) throw error;
          const message = error.message.replace(/^error(?: [^\s:]+)?: /, '');
          throw new CliError(`error: ${change.action} ${change.kind} ${change.id} failed: ${message}\n(${done} of ${changes.length} changes were applied before it; fix the file or the server and apply again.)`, 1, error.code);
        }
        done++;
      }
      ctx.out.result({ changes: summary, applied: true }, () => ctx.out.line(`Applied ${done} change${done === 1 ? '' : 's'}.`));
    }),
  );

  leaf(program, 'export', 'write the service\'s current state as a file `portico apply` reads (stdout, or -o FILE)', [
    'portico export',
    'portico export -o portico.yaml',
  ], ['output'])
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .action(
      act(deps, async (ctx, _args, options) => {
        const text = formatPorticoFile(await readServerState(ctx));
        if (options.out === undefined) return void deps.io.out(text);
        try {
          writeFileSync(String(options.out), text, { mode: 0o644 });
        } catch (error) {
          throw new CliError(`error: cannot write ${String(options.out)}: ${(error as Error).message}`);
        }
        ctx.out.progress(`Wrote ${String(options.out)}. Apply it with \`${portico(`apply -f ${String(options.out)}`)}\`.`);
      }),
    );
}

function readPorticoFile(path: string): PorticoFile {
  let text: string;
  try {
    const bytes = readFileSync(path);
    if (bytes.length > MAX_FILE_BYTES) throw new CliError(`error: ${path} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB.`, 2);
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`error: cannot read ${path}: ${(error as Error).message}`, 2);
  }
  try {
    return parsePorticoFile(text);
  } catch (error) {
    if (!(error instanceof InvalidFileError)) throw error;
    const lines = error.message.split('\n').map((line) => `  ${line}`);
    throw new CliError(`error: ${path} is not valid:\n${lines.join('\n')}`, 2, 'InvalidFile');
  }
}

/** The plan as an aligned table, then a one-line count. */
function printPlan(line: (text: string) => void, changes: readonly Change[], path: string): void {
  if (changes.length === 0) return line(`No changes: the service already matches ${path}.`);
  const table = formatTable(['ACTION', 'KIND', 'ID', 'CHANGES'], changes.map((change) => [change.action, change.kind, change.id, change.details.join('; ')]));
  line(table.trimEnd());
  const count = (action: string): number => changes.filter((change) => change.action === action).length;
  line(`Plan: ${count('create')} to create, ${count('update')} to update, ${count('delete')} to delete.`);
}
