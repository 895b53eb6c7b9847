#!/usr/bin/env node
// Compiles src/ into dist/ (tsc -p tsconfig.build.json), builds the portals in web/ into dist/web/
// (vite build, vite.config.ts) and stamps the build.
// `--if-stale` (what `npm start` runs first) builds only when something the build reads changed
// since the last stamped build: a file or folder under src/ or web/ (a deleted file changes its
// folder's mtime), the tsconfig files, vite.config.ts or package.json. A fresh clone has no stamp, so it builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');
const inputs = ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'vite.config.ts'].map((file) => join(root, file));
/** The portals are built only in a checkout that has them (the build script's own test runs without). */
const hasPortals = existsSync(join(root, 'web')) && existsSync(join(root, 'vite.config.ts'));

/** The newest mtime (ms) of a path and, for a folder, of everything under it. */
function newestMtime(path) {
  const stats = statSync(path);
  let newest = stats.mtimeMs;
  if (stats.isDirectory()) for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function isStale() {
  if (!existsSync(stamp) || !existsSync(join(root, 'dist', 'cli', 'index.js'))) return true;
  if (hasPortals && !existsSync(join(root, 'dist', 'web', 'admin', 'index.html'))) return true;
  const built = statSync(stamp).mtimeMs;
  return [join(root, 'src'), join(root, 'web'), ...inputs].some((path) => existsSync(path) && newestMtime(path) > built);
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);

// The stamp gets the time the build started: a file saved during the build makes the next start build again.
const started = new Date();
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
process.stderr.write(process.argv.includes('--if-stale') ? 'Compiling Portico (src/ changed since the last build)…\n' : '');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
if (hasPortals) {
  const vite = spawnSync(process.execPath, [join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js'), 'build', '--config', join(root, 'vite.config.ts')], { stdio: 'inherit', cwd: root });
  if (vite.status !== 0) process.exit(vite.status ?? 1);
}
writeFileSync(stamp, `built from src/ at ${started.toISOString()}\n`);
utimesSync(stamp, started, started);
