import { createReadStream, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { Option } from 'commander';
import { CliError, usageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { asRecord, formatErrorResponse } from '../http.js';
import { act, leaf, type Deps } from './shared.js';

/** The server's limit per batch (management services/import.ts). */
const MAX_BATCH = 1_000;
/** Bytes per request body: under the management listener's default 1 MiB limit, with room to spare. */
const MAX_BATCH_BYTES = 512 * 1024;

interface Line {
  readonly number: number;
  readonly item: Record<string, unknown>;
  readonly text: string;
}

interface Totals {
  created: number;
  updated: number;
  unchanged: number;
  batches: number;
}

export function registerImportCommand(program: Command, deps: Deps): void {
  leaf(program, 'import', 'create or update users, client applications and subscriptions in bulk, from a file', [
    'portico import --file tenants.ndjson',
    'portico import --file tenants.ndjson --from-line 120001   # resume after a failure',
    'portico import --file tenants.json --output json',
  ])
    .requiredOption('--file <path>', 'NDJSON (one resource per line) or, for a .json file, a JSON array of resources')
    .addOption(new Option('--format <format>', 'file format (default: json for *.json, otherwise ndjson)').choices(['ndjson', 'json']))
    .option('--batch-size <n>', `resources per request, 1-${MAX_BATCH}`, String(MAX_BATCH))
    .option('--from-line <n>', 'skip the lines (NDJSON) or array items (JSON) before this one', '1')
    .addHelpText(
      'after',
      [
        '',
        'Each resource is {"type", "name", "properties"} with the properties of its ARM PUT body:',
        '  {"type":"user","name":"alice","properties":{"email":"alice@example.com","firstName":"Alice","lastName":"Smith"}}',
        '  {"type":"clientApplication","name":"billing","properties":{"displayName":"Billing","ownerId":"/users/alice","productIds":["/products/gold"]}}',
        '  {"type":"subscription","name":"alice-starter","properties":{"displayName":"Alice","scope":"/products/starter","ownerId":"/users/alice","state":"active"}}',
        '',
        'Resources are written by name, as PUT does: an existing one is updated, an identical one left',
        'alone, so running the same file again is safe (and resumes an interrupted import). Each batch',
        'is checked whole before anything of it is written; an owner must come before, or in the same',
        'batch as, what it owns (list users first). No secrets: user passwords are refused, subscription',
        'keys are generated unless given, client secrets are minted later (`portico app secret`).',
        'Progress goes to stderr; the summary to stdout. On failure, the exit code is 1 and the message',
        'names the line; the batches before it are written.',
      ].join('\n'),
    )
    .action(
      act(deps, async (ctx, _args, options) => {
        const batchSize = positiveInteger(options.batchSize, '--batch-size');
        if (batchSize > MAX_BATCH) throw usageError(`--batch-size must be at most ${MAX_BATCH}.`);
        const fromLine = positiveInteger(options.fromLine, '--from-line');
        const file = String(options.file);
        const format = (options.format as string | undefined) ?? (file.toLowerCase().endsWith('.json') ? 'json' : 'ndjson');
        await runImport(ctx, file, format === 'json' ? readJsonArray(file) : readNdjson(file), { batchSize, fromLine });
      }),
    );
}

function positiveInteger(value: unknown, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw usageError(`${flag} must be a whole number of at least 1; got "${String(value)}".`);
  return n;
}

async function runImport(ctx: CliContext, file: string, lines: AsyncIterable<Line>, options: { batchSize: number; fromLine: number }): Promise<void> {
  const started = Date.now();
  const totals: Totals = { created: 0, updated: 0, unchanged: 0, batches: 0 };
  let batch: Line[] = [];
  let bytes = 0;
  let lastLine = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await sendBatch(ctx, batch, totals);
    const done = totals.created + totals.updated + totals.unchanged;
    const seconds = (Date.now() - started) / 1000;
    ctx.out.progress(
      `line ${batch[batch.length - 1]!.number}: ${done} resources (created ${totals.created}, updated ${totals.updated}, unchanged ${totals.unchanged}), ` +
        `${Math.round(done / Math.max(seconds, 0.001))}/s`,
    );
    batch = [];
    bytes = 0;
  };
  for await (const line of lines) {
    lastLine = line.number;
    if (line.number < options.fromLine) continue;
    if (batch.length >= options.batchSize || (batch.length > 0 && bytes + line.text.length > MAX_BATCH_BYTES)) await flush();
    batch.push(line);
    bytes += line.text.length + 1;
  }
  await flush();
  const seconds = (Date.now() - started) / 1000;
  const done = totals.created + totals.updated + totals.unchanged;
  const summary = { file, resources: done, ...totals, seconds: Math.round(seconds * 10) / 10, lines: lastLine };
  ctx.out.result(summary, () =>
    ctx.out.line(`Imported ${done} resources from ${file} in ${summary.seconds} s (${totals.batches} batches): created ${totals.created}, updated ${totals.updated}, unchanged ${totals.unchanged}.`),
  );
}

/** Sends one batch; a body too large for the server is split in two and each half sent. */
async function sendBatch(ctx: CliContext, batch: readonly Line[], totals: Totals): Promise<void> {
  const response = await ctx.armSend('POST', '/portico.import', { json: { items: batch.map((line) => line.item) } });
  if (response.status === 413 && batch.length > 1) {
    const half = Math.ceil(batch.length / 2);
    await sendBatch(ctx, batch.slice(0, half), totals);
    await sendBatch(ctx, batch.slice(half), totals);
    return;
  }
  if (response.status !== 200) throw batchError(batch, response.status, response.statusText, response.body, response.text);
  const body = asRecord(response.body) ?? {};
  totals.created += Number(body.created ?? 0);
  totals.updated += Number(body.updated ?? 0);
  totals.unchanged += Number(body.unchanged ?? 0);
  totals.batches++;
}

/** The server names items by their index in the batch; the operator needs the file's line numbers. */
function batchError(batch: readonly Line[], status: number, statusText: string, body: unknown, text: string): CliError {
  const lineOf = (index: string): number | undefined => batch[Number(index)]?.number;
  const error = asRecord(asRecord(body)?.error);
  const details = Array.isArray(error?.details) ? error.details.map((d) => asRecord(d) ?? {}) : [];
  const first = batch[0]!.number;
  const resume = `Nothing of the batch from line ${first} to ${batch[batch.length - 1]!.number} was written; the lines before ${first} were. ` +
    `Fix the file and run again (unchanged resources are skipped), or add --from-line ${first}.`;
  const located = details
    .map((d) => String(d.message ?? ''))
    .map((message) => message.replace(/^items\[(\d+)\]\.?/, (_m, index: string) => `line ${lineOf(index) ?? '?'}: `));
  if (located.length > 0) return new CliError(`error: the import stopped (${status} ${String(error?.code ?? statusText)}):\n  ${located.join('\n  ')}\n${resume}`);
  const message = formatErrorResponse(status, statusText, body, text).replace(/items\[(\d+)\]/g, (_m, index: string) => `line ${lineOf(index) ?? '?'}`);
  return new CliError(`${message}\n${resume}`);
}

async function* readNdjson(file: string): AsyncGenerator<Line> {
  assertReadable(file);
  const reader = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let number = 0;
  for await (const text of reader) {
    number++;
    if (text.trim() === '') continue;
    let item: unknown;
    try {
      item = JSON.parse(text);
    } catch (error) {
      throw new CliError(`error: ${file} line ${number} is not valid JSON (${(error as Error).message}). Each line must be one resource like {"type":"user","name":"…","properties":{…}}.`);
    }
    yield { number, item: resourceAt(file, number, item), text };
  }
}

async function* readJsonArray(file: string): AsyncGenerator<Line> {
  assertReadable(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new CliError(`error: ${file} is not valid JSON (${(error as Error).message}).`);
  }
  const items = Array.isArray(parsed) ? parsed : asRecord(parsed)?.items;
  if (!Array.isArray(items)) throw new CliError(`error: ${file} must hold a JSON array of resources (or {"items": [...]}); for large imports use NDJSON.`);
  // "Line" is the item's position (1-based) in the array here.
  for (const [index, item] of items.entries()) yield { number: index + 1, item: resourceAt(file, index + 1, item), text: JSON.stringify(item) };
}

function resourceAt(file: string, number: number, item: unknown): Record<string, unknown> {
  const record = asRecord(item);
  if (!record || Array.isArray(item)) throw new CliError(`error: ${file} line ${number} must be a JSON object like {"type":"user","name":"…","properties":{…}}.`);
  return record;
}

function assertReadable(file: string): void {
  try {
    if (!statSync(file).isFile()) throw new CliError(`error: ${file} is not a file.`);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`error: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
}
