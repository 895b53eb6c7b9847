/**
 * `npm start` runs `node scripts/build.mjs --if-stale`: it compiles only when the build's inputs
 * changed since the last stamped build, and always when there is none (a fresh clone). Run on a
 * tiny project in a temporary directory (a copy of the script, this checkout's node_modules).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'portico-build-'));
mkdirSync(join(dir, 'scripts'));
mkdirSync(join(dir, 'src', 'cli'), { recursive: true });
copyFileSync(join(ROOT, 'scripts', 'build.mjs'), join(dir, 'scripts', 'build.mjs'));
symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: [] } }));
writeFileSync(join(dir, 'tsconfig.build.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { rootDir: 'src', outDir: 'dist' }, include: ['src'] }));
writeFileSync(join(dir, 'src', 'cli', 'index.ts'), 'export const main = (): number => 0;\n');
writeFileSync(join(dir, 'src', 'extra.ts'), 'export const extra = 1;\n');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the script as `npm start` does; true when it compiled. */
function startBuild(): boolean {
  const run = spawnSync(process.execPath, [join(dir, 'scripts', 'build.mjs'), '--if-stale'], { cwd: dir, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return run.stderr.includes('Compiling Portico');
}

/** Moves a path's mtime just past the stamp, as an edit after the last build would (no waiting on the clock). */
function touchLater(path: string): void {
  const later = new Date(Math.ceil(statSync(join(dir, 'dist', '.build-stamp')).mtimeMs) + 1);
  utimesSync(path, later, later);
}

it('builds a fresh checkout (no dist), then not again while nothing changed', () => {
  expect(existsSync(join(dir, 'dist'))).toBe(false);
  expect(startBuild()).toBe(true);
  expect(existsSync(join(dir, 'dist', 'cli', 'index.js'))).toBe(true);
  expect(startBuild()).toBe(false);
  expect(startBuild()).toBe(false);
}, 300_000); // each compile starts tsc (seconds on a busy machine)

it('builds again after a source file, a deleted file or a tsconfig changed', () => {
  touchLater(join(dir, 'src', 'extra.ts'));
  expect(startBuild()).toBe(true);
  expect(startBuild()).toBe(false);

  unlinkSync(join(dir, 'src', 'extra.ts'));
  touchLater(join(dir, 'src')); // what deleting a file does to its folder
  expect(startBuild()).toBe(true);
  expect(startBuild()).toBe(false);

  touchLater(join(dir, 'tsconfig.build.json'));
  expect(startBuild()).toBe(true);
  expect(startBuild()).toBe(false);
}, 300_000);

it('builds when dist was removed, even with a stamp-less dist folder left', () => {
  rmSync(join(dir, 'dist', 'cli'), { recursive: true });
  expect(startBuild()).toBe(true);
  expect(existsSync(join(dir, 'dist', 'cli', 'index.js'))).toBe(true);
}, 300_000);
