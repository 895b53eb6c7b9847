/**
 * `npm install` (the prepare script) links node_modules/.bin/portico → ../../bin/portico.js, so that
 * `npx portico` runs the checkout's command at once instead of installing the checkout into npm's
 * cache first (which npm does whenever the project's own package.json has a `portico` bin).
 * Run on a tiny project in a temporary directory.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'portico-link-bin-'));
const project = join(dir, 'project');
mkdirSync(join(project, 'bin'), { recursive: true });
mkdirSync(join(project, 'scripts'));
copyFileSync(join(ROOT, 'scripts', 'link-bin.mjs'), join(project, 'scripts', 'link-bin.mjs'));
writeFileSync(join(project, 'package.json'), '{"name":"portico-link-test","version":"0.0.0","private":true,"type":"module"}\n');
writeFileSync(join(project, 'bin', 'portico.js'), '#!/usr/bin/env node\nconsole.log(`the checkout\'s portico ${process.argv.slice(2).join(" ")}`);\n');
chmodSync(join(project, 'bin', 'portico.js'), 0o755);
const link = join(project, 'node_modules', '.bin', 'portico');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function linkBin(): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [join(project, 'scripts', 'link-bin.mjs'), project], { encoding: 'utf8' });
}

describe.skipIf(process.platform === 'win32')('scripts/link-bin.mjs', () => {
  it('links node_modules/.bin/portico to ../../bin/portico.js (relative), creating node_modules/.bin', () => {
    expect(existsSync(join(project, 'node_modules'))).toBe(false);
    expect(linkBin()).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(readlinkSync(link)).toBe('../../bin/portico.js');
    expect(spawnSync(link, ['--version'], { encoding: 'utf8' }).stdout).toBe("the checkout's portico --version\n");
  });

  it('is quiet and changes nothing when the link is already right', () => {
    expect(linkBin()).toEqual(expect.objectContaining({ status: 0, stdout: '', stderr: '' }));
    expect(readlinkSync(link)).toBe('../../bin/portico.js');
  });

  it('replaces a link that points elsewhere, and says so', () => {
    unlinkSync(link);
    symlinkSync('../somewhere/else.js', link);
    const run = linkBin();
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('replacing');
    expect(readlinkSync(link)).toBe('../../bin/portico.js');
  });

  it('makes `npx portico` run the linked command directly: nothing installed into the npx cache, offline', () => {
    // A fresh HOME and cache: nothing cached helps, and --offline keeps npm off the network.
    const home = join(dir, 'home');
    mkdirSync(home);
    const env = { ...process.env, HOME: home, npm_config_cache: join(home, '.npm'), npm_config_update_notifier: 'false', npm_config_offline: 'true' };
    const run = spawnSync('npx', ['--offline', 'portico', '--version'], { cwd: project, env, encoding: 'utf8' });
    expect(run.stdout, run.stderr).toBe("the checkout's portico --version\n");
    expect(existsSync(join(home, '.npm', '_npx'))).toBe(false);
  });
});

it("package.json has no `portico` bin (npx would install the checkout into its cache first) and its prepare step links it", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin?: unknown; scripts: Record<string, string> };
  expect(pkg.bin).toBeUndefined();
  expect(pkg.scripts.prepare).toMatch(/^node scripts\/link-bin\.mjs && /);
});
