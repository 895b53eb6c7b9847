/** Where the CLI writes: stdout for results, stderr for progress, warnings and errors. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** `table` (aligned tables and `Label: value` lines; `text` is its older name) or `json`. */
export type OutputFormat = 'table' | 'text' | 'json';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'text'];

/**
 * Prints a command's result: `--output json` prints the raw JSON the server returned (one document
 * on stdout, nothing else there), text prints the tables and lines a person reads.
 */
export class Output {
  constructor(
    readonly format: OutputFormat,
    private readonly io: Io,
  ) {}

  /** Prints `raw` as JSON, or runs `text` to print the readable form. */
  result(raw: unknown, text: () => void): void {
    if (this.format === 'json') this.io.out(`${JSON.stringify(raw, null, 2)}\n`);
    else text();
  }

  line(text = ''): void {
    this.io.out(`${text}\n`);
  }

  /** A step in progress (stderr, so stdout stays clean for pipes; silent in json mode, where stderr carries only warnings and the error). */
  progress(text: string): void {
    if (this.format !== 'json') this.io.err(`${text}\n`);
  }

  warn(text: string): void {
    this.io.err(`warning: ${text}\n`);
  }

  table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, empty = '(none)'): void {
    this.io.out(rows.length === 0 ? `${empty}\n` : formatTable(headers, rows));
  }

  fields(pairs: ReadonlyArray<readonly [string, string | undefined]>): void {
    this.io.out(formatFields(pairs));
  }
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const all = [headers, ...rows].map((row) => row.map(oneLine));
  const widths = headers.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/**
 * `Label: value` lines, one space after the colon (easy to read and to grep: `grep '^Client ID:'`);
 * pairs whose value is undefined are left out.
 */
export function formatFields(pairs: ReadonlyArray<readonly [string, string | undefined]>): string {
  return pairs
    .filter((pair): pair is readonly [string, string] => pair[1] !== undefined)
    .map(([label, value]) => `${label}: ${oneLine(value)}\n`)
    .join('');
}

/** A server value as display text: strings and numbers; anything else (or '') is undefined. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function yesNo(value: unknown): string | undefined {
  return typeof value === 'boolean' ? (value ? 'yes' : 'no') : undefined;
}

/** Keeps a server-supplied value from breaking the layout (or the terminal) with control characters. */
function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}
