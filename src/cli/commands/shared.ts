import type { Command } from 'commander';
import type { Prompter } from '../confirm.js';
import { CliContext } from '../context.js';
import { portico } from '../invocation.js';
import { addGlobalOptions, collectGlobalOptions, resolveSettings, type Environment, type GlobalOptionValues } from '../global-options.js';
import type { Io } from '../output.js';

/** What every command needs from the outside world (injected so tests can capture output). */
export interface Deps {
  io: Io;
  environment: Environment;
  prompter: Prompter;
}

type Handler = (ctx: CliContext, args: string[], options: Record<string, unknown>) => Promise<void>;

/**
 * Declares a leaf command with an Examples section in its help; it gets the global options from
 * addGlobalOptionsToLeaves. `except` drops global options whose names the command uses itself.
 */
export function leaf(
  parent: Command,
  nameAndArgs: string,
  description: string,
  examples: readonly string[],
  except: ReadonlyArray<keyof GlobalOptionValues> = [],
): Command {
  const command = parent.command(nameAndArgs).description(description);
  leaves.set(command, except);
  // Examples as the user runs Portico (`npx portico …` under npx).
  const shown = examples.map((line) => `  $ ${line.replace(/^portico /, portico(''))}`);
  command.addHelpText('after', `\nExamples:\n${shown.join('\n')}\n`);
  return command;
}

const leaves = new WeakMap<Command, ReadonlyArray<keyof GlobalOptionValues>>();

/**
 * Gives every leaf command the global options. Called once all commands are declared, so that in
 * `--help` a command's own options come first and the global ones after them.
 */
export function addGlobalOptionsToLeaves(root: Command): void {
  for (const command of root.commands) {
    const except = leaves.get(command);
    if (except !== undefined) {
      addGlobalOptions(command, except);
      reportUnknownBeforeMissing(command);
    }
    addGlobalOptionsToLeaves(command);
  }
}

/** Adds `-y, --yes` to a command that asks before a destructive or access-cutting change. */
export function withYes(command: Command): Command {
  return command.option('-y, --yes', 'do not ask for confirmation (needed when stdin is not a terminal, e.g. in scripts)');
}

/**
 * Commander checks required options before unknown ones, so `--product starter` (for --products)
 * was reported as "--products not specified". Report the unknown option first, with commander's
 * did-you-mean suggestion. Commander has no public hook before that check, hence the override.
 */
function reportUnknownBeforeMissing(command: Command): void {
  const internal = command as unknown as {
    args: string[];
    _checkForMissingMandatoryOptions(): void;
    _findOption(flag: string): unknown;
    unknownOption(flag: string): never;
  };
  const original = internal._checkForMissingMandatoryOptions.bind(command);
  internal._checkForMissingMandatoryOptions = () => {
    const end = internal.args.indexOf('--');
    const args = end < 0 ? internal.args : internal.args.slice(0, end);
    const unknown = args.find((arg) => /^--?[^-\d]/.test(arg) && internal._findOption(arg.split('=')[0]!) === undefined);
    if (unknown !== undefined) internal.unknownOption(unknown);
    original();
  };
}

/** Wraps a handler as a commander action: builds the run's context from the parsed options. */
export function act(deps: Deps, handler: Handler): (...params: unknown[]) => Promise<void> {
  return async (...params: unknown[]) => {
    const command = params[params.length - 1] as Command;
    const settings = resolveSettings(collectGlobalOptions(command), deps.environment);
    for (const note of settings.deprecations) deps.io.err(`warning: ${note}\n`);
    const ctx = new CliContext(settings, deps.io, deps.prompter);
    await handler(ctx, command.processedArgs as string[], command.opts());
  };
}
