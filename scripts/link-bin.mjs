#!/usr/bin/env node
// Links the `portico` command into the checkout's own node_modules/.bin (run by `npm install`
// through the prepare script), so that `npx portico` runs bin/portico.js at once.
//
// Why not package.json's "bin": npm exec (npx) treats a project whose own package.json has a bin
// of that name as "self-execution" and installs the checkout into its cache (~/.npm/_npx) first —
// 40 s the first time on a small machine, ~4 s every later time. Without a "bin", npx looks in
// node_modules/.bin, finds this link, and runs it directly (about a second, nothing installed).
//
// `node scripts/link-bin.mjs [project dir]`; quiet when the link is already right.
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const binDir = join(root, 'node_modules', '.bin');
const TARGET = '../../bin/portico.js';

/** The entry at `path` (a link not followed), or undefined. */
function entryAt(path) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

if (!existsSync(join(root, 'bin', 'portico.js'))) {
  process.stderr.write(`link-bin: ${join(root, 'bin', 'portico.js')} is missing; not linking the portico command.\n`);
  process.exit(1);
}
mkdirSync(binDir, { recursive: true });

if (process.platform === 'win32') {
  // Symbolic links need extra rights on Windows: a .cmd shim, as npm writes for its own bins.
  const shim = join(binDir, 'portico.cmd');
  const text = '@ECHO off\r\nnode "%~dp0\\..\\..\\bin\\portico.js" %*\r\n';
  if (!existsSync(shim) || readFileSync(shim, 'utf8') !== text) writeFileSync(shim, text);
  process.exit(0);
}

const link = join(binDir, 'portico');
const existing = entryAt(link);
if (existing?.isSymbolicLink() && readlinkSync(link) === TARGET) process.exit(0);
if (existing !== undefined) {
  process.stderr.write(`link-bin: replacing ${link} (it did not point to ${TARGET}).\n`);
  unlinkSync(link);
}
symlinkSync(TARGET, link);
