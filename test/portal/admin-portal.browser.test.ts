/**
 * The admin portal in Debian's Chromium: sign-in (wrong password in words), the session cookie's
 * flags, a write without the CSRF header refused, sign-out, session expiry; axe on every screen;
 * 1280×800 and a narrow window; no console errors.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { failedLoad, launchBrowser, NARROW, openPortalPage, type PortalPage } from '../helpers/browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

/** Fills the sign-in form and submits it. */
async function signIn(portal: PortalPage, email: string, password: string): Promise<void> {
  await portal.page.getByLabel('Email').fill(email);
  await portal.page.getByLabel('Password').fill(password);
  await portal.page.getByRole('button', { name: 'Sign in' }).click();
}

describe('admin portal sign-in', () => {
  let portico: Booted;
  beforeAll(async () => {
    portico = await bootPortico();
  });
  afterAll(async () => portico?.stop());

  test('sign-in: a wrong password is said in words; the right one opens Products; cookie HttpOnly + SameSite=Strict', async () => {
    const portal = await openPortalPage(browser, 'admin-sign-in');
    try {
      const { page } = portal;
      await page.goto(`${portico.managementUrl}/`);
      await page.getByRole('heading', { name: 'Sign in to the admin portal' }).waitFor();
      await page.getByText('Use the admin user from credentials.json, or any user in the Administrators group.').waitFor();
      // The form is the developer portal's too, but administrators are not signed up there.
      expect(await page.getByRole('button', { name: 'Sign up' }).count()).toBe(0);
      expect(await page.getByText('No account yet?').count()).toBe(0);
      await portal.checkAccessibility('the sign-in page');
      await portal.screenshot('01-sign-in');

      await signIn(portal, portico.credentials.adminUser.email, 'not-the-password');
      await page.getByRole('alert').getByText('The email or password is incorrect').waitFor();
      await portal.screenshot('02-wrong-password');

      await signIn(portal, portico.credentials.adminUser.email, portico.credentials.adminUser.password);
      await page.getByRole('heading', { name: 'Products', level: 1 }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/products');
      await page.getByRole('link', { name: 'Starter' }).waitFor();
      await portal.checkAccessibility('Products');
      await portal.screenshot('03-products');

      const [cookie] = (await portal.context.cookies()).filter((c) => c.name === 'portico_admin_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/', secure: false });
      // Script in the page cannot read it.
      expect(await page.evaluate('document.cookie')).not.toContain('portico_admin_session');

      // A write without the CSRF header, from the page itself, is refused.
      const { serviceResourceId } = (await page.evaluate(() => fetch('/portal/api/admin/session').then((r) => r.json()))) as { serviceResourceId: string };
      const refused = await page.evaluate(async (path) => {
        const response = await fetch(path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ properties: { displayName: 'Forged' } }) });
        return { status: response.status, body: (await response.json()) as { error: { code: string } } };
      }, `${serviceResourceId}/products/forged?api-version=2025-03-01-preview`);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('CsrfTokenInvalid');

      // A reload keeps the session; sign-out ends it.
      await page.reload();
      await page.getByRole('heading', { name: 'Products', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to the admin portal' }).waitFor();
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in to the admin portal' }).waitFor();
      expect(portal.unexpectedConsoleErrors(failedLoad(401), failedLoad(403))).toEqual([]);
    } finally {
      await portal.close();
    }
  });

  test('a narrow window (390×844) is readable: the navigation moves above the screen, no sideways scrolling', async () => {
    const portal = await openPortalPage(browser, 'admin-narrow', NARROW);
    try {
      const { page } = portal;
      await page.goto(`${portico.managementUrl}/products`);
      await signIn(portal, portico.credentials.adminUser.email, portico.credentials.adminUser.password);
      await page.getByRole('link', { name: 'Starter' }).waitFor();
      await portal.checkAccessibility('Products, narrow');
      await portal.screenshot('01-products-narrow');
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(NARROW.width);
      for (const [path, name, ready] of [
        ['/products/starter', '02-starter-properties-narrow', 'OAuth 2.0 token (most secure)'],
        ['/applications/register', '03-register-application-narrow', 'Grant access to selected products'],
      ] as const) {
        await page.goto(`${portico.managementUrl}${path}`);
        await page.getByText(ready).first().waitFor();
        await portal.checkAccessibility(path);
        await portal.screenshot(name);
        expect(await page.evaluate('document.documentElement.scrollWidth'), path).toBeLessThanOrEqual(NARROW.width);
      }
      expect(portal.unexpectedConsoleErrors()).toEqual([]);
    } finally {
      await portal.close();
    }
  });
});

describe('admin portal session expiry', () => {
  let portico: Booted;
  beforeAll(async () => {
    portico = await bootPortico({ config: { portalSessionIdleSeconds: 2 } });
  });
  afterAll(async () => portico?.stop());

  test('an idle session ends: the next action shows the sign-in page', async () => {
    const portal = await openPortalPage(browser, 'admin-expiry');
    try {
      const { page } = portal;
      await page.goto(`${portico.managementUrl}/`);
      await signIn(portal, portico.credentials.adminUser.email, portico.credentials.adminUser.password);
      await page.getByRole('heading', { name: 'Products', level: 1 }).waitFor();
      await new Promise((resolve) => setTimeout(resolve, 2500)); // past the idle limit (waiting, not timing an assertion)
      await page.getByRole('link', { name: 'Applications' }).click();
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in to the admin portal' }).waitFor();
      await portal.screenshot('01-expired');
      expect(portal.unexpectedConsoleErrors(failedLoad(401))).toEqual([]);
    } finally {
      await portal.close();
    }
  });
});
