import { CliError, usageError } from './cli-error.js';

/**
 * Where a secret option's value comes from: the value itself, or with `-` the standard input —
 * a prompt without echo when stdin is a terminal, otherwise everything piped in (trimmed).
 * The value is never printed or logged.
 */
export async function readSecretOption(value: string, what: string, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  const secret = value === '-' ? (stdin.isTTY === true ? await promptHidden(`${what}: `, stdin) : await readAll(stdin)) : value;
  if (secret === '') throw usageError(`the ${what} is empty.`);
  return secret;
}

async function readAll(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').trim();
}

/** Reads one line from the terminal in raw mode, echoing nothing; Ctrl+C or Ctrl+D cancels. */
function promptHidden(question: string, stdin: NodeJS.ReadStream): Promise<string> {
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: CliError) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || char === '\u0004') return finish(new CliError('error: cancelled; nothing was changed.', 1, 'Cancelled'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else if (char >= ' ') typed += char;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
