/**
 * The seed page end to end through the portals, in Debian's Chromium: the API manager enables
 * OAuth 2.0 token on Starter, registers an application for a developer and generates a secret;
 * the developer signs in to the developer portal, sees the application, mints a secret, and uses
 * Try it to call POST /echo/resource; then a plain HTTP client (as curl) gets a token with that
 * secret and calls the gateway. Screenshots of each step go to test-results/seed-flow/.
 *
 * Both halves run through the portals' screens. Only the developer's user account is made with the
 * management API: the admin portal's Users screen is a later step (the seed page calls adding users
 * optional). docs/portals.md, Developer portal.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient, requestToken } from '../helpers/clients.js';
import { launchBrowser, openPortalPage, type PortalPage } from '../helpers/browser.js';

const SUITE = 'seed-flow';


describe('the seed flow through the portals', () => {
  let portico: Booted;
  let browser: Browser;
  let adminPortal: PortalPage;
  let developer: PortalPage;
  let audience: string;
  let clientId: string;
  let clientSecret: string;
  let scope: string;

  beforeAll(async () => {
    [browser, portico] = await Promise.all([launchBrowser(), bootPortico()]);
    const admin = new ManagementClient(portico.credentials);
    expect((await admin.call('PUT', '/users/seed-developer', { properties: { email: 'seed.developer@example.com', firstName: 'Seed', lastName: 'Developer', password: 'seed-developer-password' } })).status).toBe(201);
    // Two browser contexts: an administrator and a developer, each with their own cookies.
    adminPortal = await openPortalPage(browser, SUITE);
    developer = await openPortalPage(browser, SUITE);
    for (const portal of [adminPortal, developer]) portal.page.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await adminPortal?.close();
    await developer?.close();
    await browser?.close();
    await portico?.stop();
  });

  test('admin portal: Products → Starter → Properties → Application based access → OAuth 2.0 token → Save', async () => {
    const { page } = adminPortal;
    await page.goto(`${portico.managementUrl}/`);
    await page.getByLabel('Email').fill(portico.credentials.adminUser.email);
    await page.getByLabel('Password').fill(portico.credentials.adminUser.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Starter' }).click();
    const oauth = page.getByRole('checkbox', { name: 'OAuth 2.0 token (most secure)' });
    await oauth.check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
    audience = (await page.getByTestId('value-Audience').textContent()) ?? '';
    expect(audience).toMatch(/^[0-9a-f-]{36}$/);
    await adminPortal.checkAccessibility('Starter properties');
    await adminPortal.screenshot('01-admin-starter-oauth');
  });

  test('admin portal: Applications → + Register application for the developer, then Add secret → Generate', async () => {
    const { page } = adminPortal;
    await page.getByRole('navigation').getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('button', { name: 'Register application' }).click();
    await page.getByLabel('Name').fill('Seed app');
    await page.getByRole('combobox', { name: 'Owner' }).click();
    await page.getByRole('option', { name: 'Seed Developer (seed.developer@example.com)' }).click();
    await page.getByRole('checkbox', { name: 'Starter' }).check();
    await page.getByLabel('Description').fill('The seed page, through the portals');
    await adminPortal.checkAccessibility('Register an application');
    await adminPortal.screenshot('02-admin-register-application');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('button', { name: 'Copy Client ID' }).waitFor();
    clientId = (await page.getByTestId('value-Client ID').textContent()) ?? '';
    expect(clientId).toMatch(/^[0-9a-f-]{36}$/);
    await page.getByRole('button', { name: 'Add secret' }).click();
    const dialog = page.getByRole('dialog', { name: 'New client secret' });
    await dialog.getByRole('button', { name: 'Generate' }).click();
    await dialog.getByRole('button', { name: 'Copy Client secret' }).waitFor();
    expect(((await dialog.getByTestId('value-Client secret').textContent()) ?? '').length).toBeGreaterThanOrEqual(40);
    await adminPortal.checkAccessibility('admin new client secret');
    await adminPortal.screenshot('03-admin-client-secret');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  test('the developer signs in to the developer portal and sees the application', async () => {
    const { page } = developer;
    await page.goto(`${portico.managementUrl}/developer`);
    await page.getByLabel('Email').fill('seed.developer@example.com');
    await page.getByLabel('Password').fill('seed-developer-password');
    await developer.screenshot('04-developer-sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Applications' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'Seed app' }).isVisible()).toBe(true);
    expect(await page.locator('main').textContent()).toContain(clientId);
    await developer.checkAccessibility('applications');
    await developer.screenshot('05-developer-applications');
    await page.getByRole('link', { name: 'Seed app' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Get a token' }).isVisible()).toBe(true);
    scope = (await page.getByTestId('value-Scope').textContent())!;
    expect(scope).toBe(`api://${audience}/.default`);
    await developer.checkAccessibility('application overview');
    await developer.screenshot('06-developer-application-overview');
  });

  test('the developer mints a client secret: shown once, with its expiry', async () => {
    const { page } = developer;
    await page.getByRole('button', { name: 'New client secret' }).click();
    await page.getByRole('button', { name: 'Generate' }).click();
    clientSecret = (await page.getByTestId('value-Client secret').textContent())!;
    expect(clientSecret).toMatch(/^[A-Za-z0-9~._-]{44}$/);
    await developer.checkAccessibility('new client secret');
    await developer.screenshot('07-developer-new-client-secret');
  });

  test('Try it calls POST /echo/resource with a token of the application and shows the echo', async () => {
    const { page } = developer;
    await page.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    await page.getByRole('main').getByRole('button', { name: 'Try it' }).click();
    await expect.poll(() => page.getByLabel('Operation', { exact: true }).isVisible()).toBe(true);
    await page.getByLabel('Operation', { exact: true }).selectOption('echo-api/create-resource');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByTestId('try-it-response').textContent(), { timeout: 15_000 }).toContain('HTTP 200');
    const response = (await page.getByTestId('try-it-response').textContent())!;
    expect(response).toContain('"method": "POST"');
    expect(response).toContain('"param1": "sample"');
    expect(response).toContain('hello');
    await developer.checkAccessibility('try it');
    await developer.screenshot('08-developer-try-it');
  });

  test('curl: a token from that secret with the exact scope opens the Echo API at the gateway', async () => {
    const token = await requestToken(portico.identityUrl, portico.credentials.tenantId, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope });
    expect(token.status).toBe(200);
    const echo = await fetch(`${portico.gatewayUrl}/echo/resource?param1=sample`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.body.access_token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(echo.status).toBe(200);
    const body = (await echo.json()) as { method: string; query: Record<string, string>; body: string };
    expect(body).toMatchObject({ method: 'POST', query: { param1: 'sample' }, body: '{"hello":"world"}' });
  });

  test('no console errors in either portal along the way', () => {
    expect(adminPortal.unexpectedConsoleErrors()).toEqual([]);
    expect(developer.unexpectedConsoleErrors()).toEqual([]);
  });
});
