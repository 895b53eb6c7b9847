/**
 * Real-browser tests of the portals: Debian's Chromium driven by playwright-core. Each page
 * collects console errors (a test fails on any it did not expect), takes screenshots into
 * test-results/ (gitignored) and runs axe-core, failing on serious or critical violations.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const RESULTS = new URL('../../test-results/', import.meta.url).pathname;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const DESKTOP = { width: 1280, height: 800 } as const;
export const NARROW = { width: 390, height: 844 } as const;

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface PortalPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console errors and uncaught exceptions so far. */
  readonly consoleErrors: string[];
  /** Saves test-results/<suite>/<name>.png. */
  screenshot(name: string): Promise<void>;
  /** Runs axe-core on the page as it is; throws listing every serious or critical violation. */
  checkAccessibility(label: string): Promise<void>;
  /** Console errors not matching any of the expected patterns (e.g. the 401 of a wrong password). */
  unexpectedConsoleErrors(...expected: RegExp[]): string[];
  close(): Promise<void>;
}

/** A new browser context (its own cookies) and page. */
export async function openPortalPage(browser: Browser, suite: string, viewport: { width: number; height: number } = DESKTOP): Promise<PortalPage> {
  // Reduced motion: screenshots and axe see screens as they settle, not mid-animation.
  const context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
  const page = await context.newPage();
  // Well inside the test's own timeout, so a missing element fails naming its locator.
  page.setDefaultTimeout(15_000);
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  const directory = join(RESULTS, suite);
  mkdirSync(directory, { recursive: true });
  return {
    page,
    context,
    consoleErrors,
    async screenshot(name) {
      await animationsSettled(page);
      await page.screenshot({ path: join(directory, `${name}.png`), fullPage: true });
    },
    async checkAccessibility(label) {
      await animationsSettled(page); // contrast is only meaningful once fades and slides have ended
      // evaluate is not subject to the page's Content-Security-Policy (an injected <script> would be).
      if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
      // A string, run in the page (this file is compiled without the DOM's types). Fluent UI's focus
      // manager (Tabster) puts invisible, aria-hidden focus guards (data-tabster-dummy) around
      // dialogs and lists to keep Tab inside them; they are meant to be focusable, so axe's
      // aria-hidden-focus rule does not apply to them.
      const violations = (await page.evaluate(`axe.run({ exclude: [['[data-tabster-dummy]']] }, { resultTypes: ['violations'] }).then((result) =>
        result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => JSON.stringify(n.target)).slice(0, 5) })))`)) as {
        id: string; impact: string | null; help: string; targets: string[];
      }[];
      const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      if (serious.length > 0) {
        throw new Error(`axe found ${serious.length} serious or critical violation(s) on ${label}:\n${serious.map((v) => `- ${v.id} (${v.impact}): ${v.help} at ${v.targets.join(', ')}`).join('\n')}`);
      }
    },
    unexpectedConsoleErrors(...expected) {
      return consoleErrors.filter((text) => !expected.some((pattern) => pattern.test(text)));
    },
    close: () => context.close(),
  };
}

/**
 * Waits until no animation runs. (Polled with evaluate: waitForFunction evaluates a string with
 * eval inside the page, which the portal's Content-Security-Policy rightly forbids.)
 */
async function animationsSettled(page: Page): Promise<void> {
  while (await page.evaluate('document.getAnimations().some((animation) => animation.playState === "running")')) {
    await page.waitForTimeout(50);
  }
}

/** Chromium's console line for a response with this status (a failed fetch the test provoked). */
export function failedLoad(status: number): RegExp {
  return new RegExp(`the server responded with a status of ${status}`);
}
