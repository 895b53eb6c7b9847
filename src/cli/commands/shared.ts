import type { Command } from 'commander';
import { CliContext } from '../context.js';
import { addGlobalOptions, collectGlobalOptions, resolveSettings, type Environment, type GlobalOptionValues } from '../global-options.js';
import type { Io } from '../output.js';

/** What every command needs from the outside world (injected so tests can capture output). */
export interface Deps {
  io: Io;
  environment: Environment;
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
  command.addHelpText('after', `\nExamples:\n${examples.map((line) => `  $ ${line}`).join('\n')}\n`);
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
    if (except !== undefined) addGlobalOptions(command, except);
    addGlobalOptionsToLeaves(command);
  }
}

/** Wraps a handler as a commander action: builds the run's context from the parsed options. */
export function act(deps: Deps, handler: Handler): (...params: unknown[]) => Promise<void> {
  return async (...params: unknown[]) => {
    const command = params[params.length - 1] as Command;
    const ctx = new CliContext(resolveSettings(collectGlobalOptions(command), deps.environment), deps.io);
    await handler(ctx, command.processedArgs as string[], command.opts());
  };
}
