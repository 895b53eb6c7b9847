// The cost of one access-log line, by destination: 100 000 gateway-shaped lines through pino at
// `info`, 100 per event-loop turn, stdout piped to `cat > /dev/null`. Prints CPU µs per line (all
// threads of this process). Why the process logger batches a turn's lines (src/shared/process-logger.ts).
// Run: npm run build && node bench/access-log.mjs
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const LINES = 100_000;
const modes = {
  'no write (pino formatting only)': () => ({ write() {} }),
  'pino.destination sync': (pino) => pino.destination({ dest: 1, sync: true }),
  'pino.destination async, minLength 4096': (pino) => pino.destination({ dest: 1, sync: false, minLength: 4096 }),
  'Portico: one write per 50 ms to pino.destination async': async (pino) => {
    const { BatchedDestination } = await import(new URL('../dist/shared/process-logger.js', import.meta.url).href);
    return new BatchedDestination(pino.destination({ dest: 1, sync: false, maxWrite: 1024 * 1024 }));
  },
};

if (process.argv[2] === undefined) {
  for (const mode of Object.keys(modes)) {
    const run = spawnSync('sh', ['-c', `"${process.execPath}" "${fileURLToPath(import.meta.url)}" "${mode}" | cat > /dev/null`], { encoding: 'utf8' });
    process.stdout.write(run.stderr);
  }
} else {
  const { default: pino } = await import('pino');
  const mode = process.argv[2];
  const destination = await modes[mode](pino);
  const logger = pino({ level: 'info', base: { service: 'portico' } }, destination).child({ listener: 'gateway' }).child({ component: 'gateway' });
  const started = process.cpuUsage();
  let i = 0;
  await new Promise((resolve) => {
    const turn = () => {
      for (let j = 0; j < 100 && i < LINES; j++, i++) {
        logger.info({ reqId: '8c0e09c6-75bc-47f0-887b-2ac59967cb84', method: 'GET', path: '/echo/resource', status: 200, durationMs: 1.3, backendMs: 0.9, apiId: 'echo-api', operationId: 'retrieve-resource', productId: 'unlimited', clientAppId: 'cccccccc-0000-0000-0000-000000000001' }, 'gateway request');
      }
      if (i < LINES) setImmediate(turn);
      else resolve();
    };
    turn();
  });
  destination.flushSync?.();
  const used = process.cpuUsage(started);
  process.stderr.write(`${mode.padEnd(56)} ${((used.user + used.system) / LINES).toFixed(2)} µs CPU per line\n`);
}
