import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CliError } from './cli-error.js';
import { addGlobalOptions } from './global-options.js';
import type { Io } from './output.js';
import { registerAppCommands } from './commands/app.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerCallCommand } from './commands/call.js';
import { registerDirectoryCommands } from './commands/directory.js';
import { registerKeysCommands } from './commands/keys.js';
import { registerProductCommands } from './commands/product.js';
import { addGlobalOptionsToLeaves, type Deps } from './commands/shared.js';
import { registerStartCommand } from './commands/start.js';
import { registerTokenCommand } from './commands/token.js';
import { registerUserCommands } from './commands/user.js';

export interface MainOptions {
  io?: Io;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  exit?: (code: number) => void;
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
  const deps: Deps = { io, environment: { env: options.env ?? process.env, cwd: options.cwd ?? process.cwd() } };
  const program = buildProgram(deps, options.exit ?? ((code) => process.exit(code)));
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message or the help already.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
    }
    io.err(`${error instanceof CliError ? error.message : `error: ${error instanceof Error ? error.message : String(error)}`}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}

export function buildProgram(deps: Deps, exit: (code: number) => void): Command {
  const program = new Command('portico')
    .description('Portico: self-hosted API management with an embedded Entra-compatible identity provider.')
    .version(packageVersion(), '-V, --version')
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: deps.io.out, writeErr: deps.io.err });
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
      '  $ portico product update starter --auth-types application-token',
      '  $ portico user create --email alice@example.com --first-name Alice --last-name Smith',
      '  $ portico app register --name "Contoso Billing" --owner alice --products starter',
      '  $ portico app secret contoso-billing',
      '  $ portico token --client-id <client id> --client-secret <secret> --product starter',
      '  $ portico call /echo/resource?param1=sample --method POST --data \'{"hello":"world"}\' --token <token>',
      '',
    ].join('\n'),
  );
  registerStartCommand(program, { ...deps, exit });
  registerProductCommands(program, deps);
  registerUserCommands(program, deps);
  registerAppCommands(program, deps);
  registerTokenCommand(program, deps);
  registerDirectoryCommands(program, deps);
  registerKeysCommands(program, deps);
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
