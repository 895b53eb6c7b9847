/**
 * The seed page end to end through the portals, in Debian's Chromium: the API manager enables
 * OAuth 2.0 token on Starter, registers an application for a developer and generates a secret;
 * the developer signs in to the developer portal, sees the application, mints a secret, and uses
 * Try it to call POST /echo/resource; then a plain HTTP client (as curl) gets a token with that
 * secret and calls the gateway. Screenshots of each step go to test-results/seed-flow/.
 *
 * The admin half runs through the management API (the same routes the admin portal's screens call),
 * until the admin portal's Properties and Applications screens land (docs/portals.md).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient, requestToken } from '../helpers/clients.js';
import { launchBrowser, openPortalPage, type PortalPage } from '../helpers/browser.js';

const SUITE = 'seed-flow';

async function settled(portal: PortalPage, label: string): Promise<void> {
  // evaluate, not waitForFunction: the portal's Content-Security-Policy forbids the eval the latter uses.
  await expect.poll(() => portal.page.evaluate('document.getAnimations().every((a) => a.playState !== "running")')).toBe(true);
  await portal.checkAccessibility(label);
}

describe('the seed flow through the portals', () => {
  let portico: Booted;
  let admin: ManagementClient;
  let browser: Browser;
  let developer: PortalPage;
  let audience: string;
  let clientId: string;
  let clientSecret: string;
  let scope: string;

  beforeAll(async () => {
    portico = await bootPortico();
    admin = new ManagementClient(portico.credentials);
    browser = await launchBrowser();
    developer = await openPortalPage(browser, SUITE);
    developer.page.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await developer?.close();
    await browser?.close();
    await portico?.stop();
  });

  test('the API manager enables OAuth 2.0 token on Starter (Properties → Application based access → Save)', async () => {
    const starter = await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token', 'subscription-key'] } });
    expect(starter.status).toBe(200);
    audience = starter.body.properties.application.entra.audience;
    expect(audience).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('the API manager registers an application for a developer and generates a secret', async () => {
    expect((await admin.call('PUT', '/users/seed-developer', { properties: { email: 'seed.developer@example.com', firstName: 'Seed', lastName: 'Developer', password: 'seed-developer-password' } })).status).toBe(201);
    const registered = await admin.call('PUT', '/clientApplications/seed-app', { properties: { displayName: 'Seed app', ownerId: '/users/seed-developer', productIds: ['/products/starter'], description: 'The seed page, through the portals' } });
    expect(registered.status).toBe(201);
    clientId = registered.body.properties.entraApplicationId;
    const generated = await admin.call('POST', '/clientApplications/seed-app/listSecrets');
    expect(generated.status).toBe(200);
    expect(generated.body.entra.clientSecret).toMatch(/^[A-Za-z0-9~._-]{44}$/);
  });

  test('the developer signs in to the developer portal and sees the application', async () => {
    const { page } = developer;
    await page.goto(`${portico.managementUrl}/developer`);
    await page.getByLabel('Email').fill('seed.developer@example.com');
    await page.getByLabel('Password').fill('seed-developer-password');
    await developer.screenshot('01-developer-sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Applications' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'Seed app' }).isVisible()).toBe(true);
    expect(await page.locator('main').textContent()).toContain(clientId);
    await settled(developer, 'applications');
    await developer.screenshot('02-developer-applications');
    await page.getByRole('link', { name: 'Seed app' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Get a token' }).isVisible()).toBe(true);
    scope = (await page.getByTestId('value-Scope').textContent())!;
    expect(scope).toBe(`api://${audience}/.default`);
    await settled(developer, 'application overview');
    await developer.screenshot('03-developer-application-overview');
  });

  test('the developer mints a client secret: shown once, with its expiry', async () => {
    const { page } = developer;
    await page.getByRole('button', { name: 'New client secret' }).click();
    await page.getByRole('button', { name: 'Generate' }).click();
    clientSecret = (await page.getByTestId('value-Client secret').textContent())!;
    expect(clientSecret).toMatch(/^[A-Za-z0-9~._-]{44}$/);
    await settled(developer, 'new client secret');
    await developer.screenshot('04-developer-new-client-secret');
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
    await settled(developer, 'try it');
    await developer.screenshot('05-developer-try-it');
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

  test('no console errors in the developer portal along the way', () => {
    expect(developer.unexpectedConsoleErrors()).toEqual([]);
  });
});
