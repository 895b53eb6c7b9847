import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { usageError } from './cli-error.js';
import { trimSlash } from './context.js';
import { OUTPUT_FORMATS, type OutputFormat } from './output.js';

/** The connection and output options every command (but start) takes, and how they resolve. */

export const DEFAULT_API_VERSION = '2025-03-01-preview';

export interface GlobalOptionValues {
  credentials?: string;
  managementUrl?: string;
  identityUrl?: string;
  tenant?: string;
  adminClientId?: string;
  adminClientSecret?: string;
  /** The old spellings of --admin-client-id/--admin-client-secret (hidden; they collided with token's own). */
  clientId?: string;
  clientSecret?: string;
  output?: string;
  apiVersion?: string;
}

export interface Settings {
  credentialsPath: string;
  output: OutputFormat;
  apiVersion: string;
  managementUrl?: string;
  identityUrl?: string;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** Warnings about deprecated spellings used on this command line. */
  deprecations: string[];
}

export interface Environment {
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const GLOBAL_HEADING = 'Global options:';
const globalOptions = new WeakSet<Option>();

/**
 * Adds the connection and output options. They go on the program (before the subcommand) and on
 * every leaf command (after it), so `portico -o json product list` and `portico product list -o json`
 * both work. `except` leaves out names the command uses for something else (token's --client-id).
 */
export function addGlobalOptions(command: Command, except: ReadonlyArray<keyof GlobalOptionValues> = []): Command {
  const options: Array<[keyof GlobalOptionValues, Option]> = [
    ['credentials', new Option('--credentials <file>', 'credentials file written by `portico start` (env PORTICO_CREDENTIALS; default <PORTICO_DATA_DIR or ./.portico>/credentials.json)')],
    ['managementUrl', new Option('--management-url <url>', 'management API base URL (env PORTICO_MANAGEMENT_URL; default from the credentials file)')],
    ['identityUrl', new Option('--identity-url <url>', 'identity provider base URL (env PORTICO_IDENTITY_URL; default from the credentials file)')],
    ['tenant', new Option('--tenant <tenantId>', 'directory (tenant) id (env PORTICO_TENANT_ID; default from the credentials file)')],
    ['adminClientId', new Option('--admin-client-id <id>', 'admin client id (env PORTICO_CLIENT_ID; default from the credentials file)')],
    ['adminClientSecret', new Option('--admin-client-secret <secret>', 'admin client secret (env PORTICO_CLIENT_SECRET; default from the credentials file)')],
    // Deprecated spellings, hidden: `token` uses --client-id/--client-secret for the client application.
    ['clientId', new Option('--client-id <id>', 'deprecated: use --admin-client-id').hideHelp()],
    ['clientSecret', new Option('--client-secret <secret>', 'deprecated: use --admin-client-secret').hideHelp()],
    ['output', new Option('-o, --output <format>', 'output format: table, json, or text (the older name of table) (env PORTICO_OUTPUT; default table)').choices(OUTPUT_FORMATS)],
    ['apiVersion', new Option('--api-version <version>', `management api-version (env PORTICO_API_VERSION; default ${DEFAULT_API_VERSION})`)],
  ];
  for (const [name, option] of options) {
    if (except.includes(name)) continue;
    option.helpGroup(GLOBAL_HEADING);
    globalOptions.add(option);
    command.addOption(option);
  }
  return command;
}

/** The global option values given on the command line, the one nearest the leaf winning. */
export function collectGlobalOptions(command: Command): GlobalOptionValues {
  const chain: Command[] = [];
  for (let current: Command | null = command; current !== null; current = current.parent) chain.unshift(current);
  const values: Record<string, unknown> = {};
  for (const current of chain) {
    for (const option of current.options) {
      if (!globalOptions.has(option)) continue;
      const value: unknown = current.getOptionValue(option.attributeName());
      if (value !== undefined) values[option.attributeName()] = value;
    }
  }
  return values as GlobalOptionValues;
}

/** Flags win over PORTICO_* variables, which win over the credentials file (read later, lazily). */
export function resolveSettings(flags: GlobalOptionValues, { env, cwd }: Environment): Settings {
  const pick = (flag: string | undefined, variable: string): string | undefined => nonEmpty(flag) ?? nonEmpty(env[variable]);
  const output = pick(flags.output, 'PORTICO_OUTPUT') ?? 'table';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(output)) {
    throw usageError(`output format "${output}" is not one of ${OUTPUT_FORMATS.join(', ')} (from PORTICO_OUTPUT).`);
  }
  const managementUrl = pick(flags.managementUrl, 'PORTICO_MANAGEMENT_URL');
  const identityUrl = pick(flags.identityUrl, 'PORTICO_IDENTITY_URL');
  for (const [name, url] of [['--management-url', managementUrl], ['--identity-url', identityUrl]] as const) {
    if (url !== undefined && !isHttpUrl(url)) throw usageError(`${name} must be an http:// or https:// URL, got "${url}".`);
  }
  return {
    credentialsPath: resolve(cwd, pick(flags.credentials, 'PORTICO_CREDENTIALS') ?? defaultCredentialsPath(env)),
    output: output as OutputFormat,
    apiVersion: pick(flags.apiVersion, 'PORTICO_API_VERSION') ?? DEFAULT_API_VERSION,
    managementUrl: managementUrl === undefined ? undefined : trimSlash(managementUrl),
    identityUrl: identityUrl === undefined ? undefined : trimSlash(identityUrl),
    tenantId: pick(flags.tenant, 'PORTICO_TENANT_ID'),
    clientId: pick(flags.adminClientId ?? flags.clientId, 'PORTICO_CLIENT_ID'),
    clientSecret: pick(flags.adminClientSecret ?? flags.clientSecret, 'PORTICO_CLIENT_SECRET'),
    deprecations: [
      ...(flags.clientId !== undefined ? ['--client-id (for the admin client) is deprecated; use --admin-client-id.'] : []),
      ...(flags.clientSecret !== undefined ? ['--client-secret (for the admin client) is deprecated; use --admin-client-secret.'] : []),
    ],
  };
}

/** `<PORTICO_DATA_DIR or ./.portico>/credentials.json`, the place the server writes it. */
export function defaultCredentialsPath(env: NodeJS.ProcessEnv): string {
  return `${nonEmpty(env.PORTICO_DATA_DIR) ?? './.portico'}/credentials.json`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
