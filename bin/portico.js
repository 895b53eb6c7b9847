#!/usr/bin/env node
// The `portico` command. The code lives in dist/ (compiled from src/ by `npm run build`, which
// `npm install` runs through the prepare script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/index.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('Portico is not built yet: run `npm install` (or `npm run build`) first.\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
