import { createInterface } from 'node:readline/promises';
import { CliError } from './cli-error.js';

/** How the CLI asks before a destructive or access-cutting change. */
export interface Prompter {
  /** True when stdin is a terminal someone can answer on. */
  readonly interactive: boolean;
  ask(question: string): Promise<string>;
}

export const processPrompter: Prompter = {
  get interactive() {
    return process.stdin.isTTY === true;
  },
  async ask(question) {
    // The question goes to stderr so stdout stays clean for pipes.
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  },
};

/** A prompter for runs that cannot ask (tests, embedding). */
export const nonInteractive: Prompter = { interactive: false, ask: () => Promise.resolve('') };

/**
 * Goes ahead when `yes` (--yes) or the user answers y; otherwise throws. Without a terminal it
 * refuses rather than guessing, so a script never deletes anything it did not say --yes to.
 */
export async function confirm(prompter: Prompter, what: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!prompter.interactive) {
    throw new CliError(`error: ${what}; this needs confirmation, but stdin is not a terminal to ask on. Add --yes to go ahead.`, 2, 'ConfirmationRequired');
  }
  const answer = (await prompter.ask(`${what}. Continue? [y/N] `)).trim().toLowerCase();
  if (answer !== 'y' && answer !== 'yes') throw new CliError('error: cancelled; nothing was changed.', 1, 'Cancelled');
}
