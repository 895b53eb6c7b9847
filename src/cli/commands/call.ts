import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseHeader } from '../args.js';
import { CliError, usageError } from '../cli-error.js';
import { send } from '../http.js';
import { act, leaf, type Deps } from './shared.js';

export function registerCallCommand(program: Command, deps: Deps): void {
  leaf(program, 'call <path>', 'call an API through the gateway (prints the response body; exit 1 when the status is not 2xx)', [
    'portico call /echo/resource?param1=sample --method POST --data \'{"hello":"world"}\' --token "$TOKEN"',
    'portico call /echo/resource --subscription-key <key>',
    'portico call /echo/resource --header "x-trace: 1" --output json',
  ])
    .option('-X, --method <method>', 'HTTP method (default GET, or POST when --data is given)')
    .option('-d, --data <body>', 'request body; @file reads it from a file')
    .option('--token <token>', 'access token, sent as Authorization: Bearer')
    .option('--subscription-key <key>', 'subscription key, sent as Ocp-Apim-Subscription-Key')
    .option('-H, --header <header>', '"Name: value" request header (repeatable)', parseHeader)
    .option('--gateway-url <url>', 'gateway base URL (default from the credentials file)')
    .action(
      act(deps, async (ctx, [path], options) => {
        const url = gatewayRequestUrl((options.gatewayUrl as string | undefined) ?? ctx.gatewayUrl, path!);
        const headers: Record<string, string> = {};
        for (const [name, value] of (options.header as Array<[string, string]> | undefined) ?? []) headers[name.toLowerCase()] = value;
        if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
        if (options.subscriptionKey !== undefined) headers['ocp-apim-subscription-key'] = String(options.subscriptionKey);
        const body = readBody(options.data as string | undefined);
        if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = looksLikeJson(body) ? 'application/json' : 'text/plain';
        const method = ((options.method as string | undefined) ?? (body === undefined ? 'GET' : 'POST')).toUpperCase();
        const response = await send(url, { method, headers: { accept: '*/*', ...headers }, body });
        ctx.out.result({ status: response.status, headers: Object.fromEntries(response.headers), body: response.body ?? response.text }, () => {
          ctx.out.progress(`HTTP ${response.status} ${response.statusText}`);
          if (response.text !== '') deps.io.out(response.text.endsWith('\n') ? response.text : `${response.text}\n`);
        });
        if (response.status < 200 || response.status > 299) throw new CliError(`error: the gateway answered HTTP ${response.status}.`);
      }),
    );
}

/** `/echo/resource?x=1` (or `echo/resource`) against the gateway; a full http(s) URL is used as-is. */
export function gatewayRequestUrl(gatewayUrl: string, path: string): string {
  if (/^https?:\/\//i.test(path)) return path;
  return `${gatewayUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function readBody(data: string | undefined): string | undefined {
  if (data === undefined || !data.startsWith('@')) return data;
  try {
    return readFileSync(data.slice(1), 'utf8');
  } catch (error) {
    throw usageError(`cannot read ${data.slice(1)}: ${(error as Error).message}`);
  }
}

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
