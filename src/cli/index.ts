import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CliError } from './cli-error.js';
import { nonInteractive, processPrompter, type Prompter } from './confirm.js';
import { detectInvocation, portico, setInvocation } from './invocation.js';
import { addGlobalOptions } from './global-options.js';
import type { Io } from './output.js';
import { registerAppCommands } from './commands/app.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerCallCommand } from './commands/call.js';
import { registerDirectoryCommands } from './commands/directory.js';
import { registerImportCommand } from './commands/import.js';
import { registerKeysCommands } from './commands/keys.js';
import { registerLinkCommands } from './commands/link.js';
import { registerProductCommands } from './commands/product.js';
import { addGlobalOptionsToLeaves, type Deps } from './commands/shared.js';
import { registerStartCommand } from './commands/start.js';
import { registerTokenCommand } from './commands/token.js';
import { registerUserCommands } from './commands/user.js';
import { registerApiCommands } from './commands/api.js';
import { registerApplyCommands } from './commands/apply.js';
import { registerGroupCommands } from './commands/group.js';
import { registerStatusCommand } from './commands/status.js';
import { registerSubscriptionCommands } from './commands/subscription.js';

export interface MainOptions {
  io?: Io;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  exit?: (code: number) => void;
  /** Asks for confirmations (default: the process's terminal when given the process's io). */
  prompter?: Prompter;
}

const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/**
 * Runs the `portico` command line (`argv` as in process.argv) and resolves to the exit code:
 * 0 done, 1 the operation failed, 2 the command was called wrongly. `portico start` resolves once
 * Portico is listening and exits the process itself on SIGINT/SIGTERM.
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const io = options.io ?? processIo;
  // `portico app list | head -1` closes the pipe early; that is not an error.
  if (options.io === undefined) process.stdout.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' ? process.exit(0) : undefined));
  const env = options.env ?? process.env;
  setInvocation(detectInvocation(env));
  const json = wantsJson(argv, env);
  const prompter = options.prompter ?? (options.io === undefined ? processPrompter : nonInteractive);
  // In json mode commander's own messages are reported below as one JSON error instead.
  const deps: Deps = { io, environment: { env, cwd: options.cwd ?? process.cwd() }, prompter };
  const program = buildProgram(deps, options.exit ?? ((code) => process.exit(code)), json ? () => undefined : io.err);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      // Commander has printed its message or the help already (unless in json mode).
      if (json) io.err(jsonError('UsageError', error.code === 'commander.help' ? 'a command is missing; add --help to see the commands.' : error.message));
      return 2;
    }
    const exitCode = error instanceof CliError ? error.exitCode : 1;
    const message = error instanceof CliError ? error.message : `error: ${error instanceof Error ? error.message : String(error)}`;
    if (json) io.err(jsonError(error instanceof CliError && error.code !== undefined ? error.code : exitCode === 2 ? 'UsageError' : 'Error', message));
    else io.err(`${message}\n`);
    return exitCode;
  }
}

/** `{"error":{"code","message"}}` on one line; the message without the `error <code>: ` prefix of the text form. */
function jsonError(code: string, message: string): string {
  const plain = message.replace(/^error(?: [^\s:]+)?: /, '').replace(/\n\(add --help for usage\)$/, '').trim();
  return `${JSON.stringify({ error: { code, message: plain } })}\n`;
}

/** Whether the run asked for JSON (known before commander parses, for errors commander reports). */
export function wantsJson(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  let format = env.PORTICO_OUTPUT;
  for (let index = 2; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--') break;
    if ((arg === '-o' || arg === '--output') && index + 1 < argv.length) format = argv[++index];
    else if (arg.startsWith('--output=')) format = arg.slice('--output='.length);
    else if (/^-o[^-]/.test(arg)) format = arg.slice(2);
  }
  return format === 'json';
}

export function buildProgram(deps: Deps, exit: (code: number) => void, commanderErr: (text: string) => void = deps.io.err): Command {
  const program = new Command(portico('').trim())
    .description('Portico: self-hosted API management with an embedded Entra-compatible identity provider.')
    .version(packageVersion(), '-V, --version')
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: deps.io.out, writeErr: commanderErr });
  addGlobalOptions(program);
  program.addHelpText(
    'after',
    [
      '',
      'The commands other than start talk to a running Portico over HTTP, as the admin client in',
      '<PORTICO_DATA_DIR or ./.portico>/credentials.json (written by the first `portico start`).',
      'Global options go before or after the subcommand. Run `portico <command> --help` for details.',
      '',
      'The seed flow, step by step:',
      '  $ portico start',
      '  $ portico product update starter --auth-types subscription-key,application-token',
      '  $ portico user create --email alice@example.com --first-name Alice --last-name Smith',
      '  $ portico app register --name "Contoso Billing" --owner alice --products starter',
      '  $ portico app secret add contoso-billing',
      '  $ portico token --client-id <client id> --client-secret <secret> --product starter',
      '  $ portico call /echo/resource?param1=sample --method POST --data \'{"hello":"world"}\' --token <token>',
      '',
    ]
      .map((line) => line.replace(/^ {2}\$ portico /, `  $ ${portico('')}`))
      .join('\n'),
  );
  registerStartCommand(program, { ...deps, exit });
  registerStatusCommand(program, deps, packageVersion());
  registerProductCommands(program, deps);
  registerApiCommands(program, deps);
  registerUserCommands(program, deps);
  registerGroupCommands(program, deps);
  registerSubscriptionCommands(program, deps);
  registerAppCommands(program, deps);
  registerLinkCommands(program, deps);
  registerApplyCommands(program, deps);
  registerTokenCommand(program, deps);
  registerDirectoryCommands(program, deps);
  registerKeysCommands(program, deps);
  registerImportCommand(program, deps);
  registerCallCommand(program, deps);
  registerAuditCommands(program, deps);
  addGlobalOptionsToLeaves(program);
  return program;
}

function packageVersion(): string {
  try {
    // src/cli/index.ts and dist/cli/index.js both sit two levels below package.json.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
