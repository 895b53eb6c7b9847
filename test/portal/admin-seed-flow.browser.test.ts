/**
 * The admin half of the seed page, in Chromium, through the admin portal only: Products → Starter →
 * Properties → Application based access → OAuth 2.0 token → Save (the Audience appears), Applications
 * → + Register application, Overview → Client Secret → Add secret → Generate (shown once), Details →
 * Products; then the result checked as curl would: a token with that secret opens the Echo API.
 * Also a product created with OAuth 2.0 token, its APIs and Policies, and its deletion. axe and a
 * screenshot on every screen; no console errors.
 */
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient, requestToken } from '../helpers/clients.js';
import { launchBrowser, openPortalPage, type PortalPage } from '../helpers/browser.js';

let browser: Browser;
let portico: Booted;
let admin: ManagementClient;
let portal: PortalPage;
let page: Page;

beforeAll(async () => {
  [browser, portico] = await Promise.all([launchBrowser(), bootPortico()]);
  admin = new ManagementClient(portico.credentials);
  // The seed page's optional "add one or more users": the Users screen is not part of this step, so the API adds Alice.
  const alice = await admin.call('PUT', '/users/alice', { properties: { email: 'alice@example.com', firstName: 'Alice', lastName: 'Example' } });
  expect(alice.status).toBe(201);
  portal = await openPortalPage(browser, 'admin-seed-flow');
  page = portal.page;
});
afterAll(async () => {
  await portal?.close();
  await browser?.close();
  await portico?.stop();
});

// What the page showed when a step failed.
afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await portal.screenshot(`failed-${context.task.name.slice(0, 40).replace(/[^\w]+/g, '-')}`);
});

const heading = (name: string) => page.getByRole('heading', { name, level: 1 });

/** Waits for the screen, checks it with axe and takes its screenshot. */
async function screen(name: string, label: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await portal.checkAccessibility(label);
  await portal.screenshot(name);
}

let audience = '';
let clientId = '';
let clientSecret = '';

test('sign in and enable OAuth 2.0 token on Starter: Save, then the Audience with a copy button', async () => {
  await page.goto(`${portico.managementUrl}/`);
  await page.getByLabel('Email').fill(portico.credentials.adminUser.email);
  await page.getByLabel('Password').fill(portico.credentials.adminUser.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await heading('Products').waitFor();
  await screen('01-products', 'Products');

  await page.getByRole('link', { name: 'Starter' }).click();
  await heading('Starter').waitFor();
  expect(new URL(page.url()).pathname).toBe('/products/starter');
  const oauth = page.getByRole('checkbox', { name: 'OAuth 2.0 token (most secure)' });
  await oauth.waitFor();
  expect(await oauth.isChecked()).toBe(false);
  expect(await page.getByRole('checkbox', { name: 'Subscription key' }).isChecked()).toBe(true);
  await screen('02-starter-properties', 'Starter, Properties');

  await oauth.check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').getByText('Saved.').waitFor();
  await page.getByRole('button', { name: 'Copy Audience' }).waitFor();
  audience = (await page.getByTestId('value-Audience').textContent()) ?? '';
  expect(audience).toMatch(/^[0-9a-f-]{36}$/);
  await screen('03-starter-oauth-saved', 'Starter with OAuth 2.0 token');

  const starter = await admin.call('GET', '/products/starter');
  expect(starter.body.properties.authenticationType).toEqual(['application-token', 'subscription-key']);
  expect(starter.body.properties.application.entra.audience).toBe(audience);
});

test('+ Register application: Name, Owner, Grant access to selected products (Unlimited disabled with the reason), Register', async () => {
  await page.getByRole('navigation').getByRole('link', { name: 'Applications' }).click();
  await heading('Applications').waitFor();
  await screen('04-applications-empty', 'Applications');
  await page.getByRole('button', { name: 'Register application' }).click();
  await heading('Register an application').waitFor();

  await page.getByLabel('Name').fill('Alice app');
  await page.getByRole('combobox', { name: 'Owner' }).click();
  await page.getByRole('option', { name: 'Alice Example (alice@example.com)' }).click();
  expect(await page.getByRole('checkbox', { name: 'Unlimited' }).isDisabled()).toBe(true);
  await page.getByText('Not available: application based access (OAuth 2.0 token) is not enabled for this product.').waitFor();
  await page.getByRole('checkbox', { name: 'Starter' }).check();
  await page.getByLabel('Description').fill('Calls the Echo API');
  await screen('05-register-application', 'Register an application');

  await page.getByRole('button', { name: 'Register' }).click();
  await heading('Alice app').waitFor();
  expect(new URL(page.url()).pathname).toBe('/applications/alice-app');
  await page.getByRole('button', { name: 'Copy Client ID' }).waitFor();
  clientId = (await page.getByTestId('value-Client ID').textContent()) ?? '';
  expect(clientId).toMatch(/^[0-9a-f-]{36}$/);
  await page.getByText('Alice Example (alice@example.com)').waitFor();
  await screen('06-application-overview', 'Application overview');
});

test('Client Secret → Add secret → Generate: shown once with copy and expiry; after Close it is nowhere on the page', async () => {
  await page.getByRole('button', { name: 'Add secret' }).click();
  const dialog = page.getByRole('dialog', { name: 'New client secret' });
  await dialog.waitFor();
  await screen('07-new-client-secret', 'New client secret');
  await dialog.getByRole('button', { name: 'Generate' }).click();
  await dialog.getByRole('button', { name: 'Copy Client secret' }).waitFor();
  clientSecret = (await dialog.getByTestId('value-Client secret').textContent()) ?? '';
  expect(clientSecret.length).toBeGreaterThanOrEqual(40);
  await dialog.getByText('Expires').waitFor();
  await screen('08-client-secret-shown-once', 'Client secret shown');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached' });
  expect(await page.content()).not.toContain(clientSecret);
  // Add secret again: a new dialog, no secret until Generate.
  await page.getByRole('button', { name: 'Add secret' }).click();
  await page.getByRole('dialog', { name: 'New client secret' }).getByRole('button', { name: 'Generate' }).waitFor();
  expect(await page.content()).not.toContain(clientSecret);
  await page.getByRole('dialog', { name: 'New client secret' }).getByRole('button', { name: 'Close' }).click();
  await page.reload();
  await heading('Alice app').waitFor();
  expect(await page.content()).not.toContain(clientSecret);
});

/** What the seed page's script does with curl: a token for the product, then POST /echo/resource. */
async function callEcho(): Promise<Response> {
  const result = await requestToken(portico.identityUrl, portico.credentials.tenantId, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: `api://${audience}/.default` });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return fetch(`${portico.gatewayUrl}/echo/resource?param1=sample`, { method: 'POST', headers: { authorization: `Bearer ${String(result.body.access_token)}`, 'content-type': 'application/json' }, body: '{"hello":"portal"}' });
}

test('the secret from the portal gets a token that opens the Echo API', async () => {
  const response = await callEcho();
  expect(response.status).toBe(200);
  const echo = (await response.json()) as { method: string; path: string; body: string };
  expect(echo).toMatchObject({ method: 'POST', body: '{"hello":"portal"}' });
});

test('Details → Products: Remove Starter asks first (Cancel keeps it); confirmed, the gateway refuses; + Add product brings it back', async () => {
  await page.getByRole('tab', { name: 'Products' }).click();
  await page.getByRole('table', { name: 'Products this application may call' }).getByRole('link', { name: 'Starter' }).waitFor();
  await screen('09-application-products', 'Application products');
  await page.getByRole('button', { name: 'Remove Starter' }).click();
  const remove = page.getByRole('dialog', { name: 'Remove Starter from Alice app?' });
  await remove.getByText('Alice app can no longer get tokens for Starter').waitFor();
  await screen('09b-remove-product', 'Remove Starter from Alice app');
  await remove.getByRole('button', { name: 'Cancel' }).click();
  await remove.waitFor({ state: 'detached' });
  expect((await admin.call('GET', '/clientApplications/alice-app/productLinks')).body.value).toHaveLength(1);

  await page.getByRole('button', { name: 'Remove Starter' }).click();
  await remove.getByRole('button', { name: 'Remove' }).click();
  await remove.waitFor({ state: 'detached' });
  await page.getByRole('status').getByText('Alice app no longer has access to Starter.').waitFor();
  await page.getByText('This application has access to no product.').waitFor();
  expect((await admin.call('GET', '/clientApplications/alice-app/productLinks')).body.value).toEqual([]);
  const refusedToken = await requestToken(portico.identityUrl, portico.credentials.tenantId, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: `api://${audience}/.default` });
  expect(refusedToken.status).toBe(400); // no role on the product any more: Entra's AADSTS501051

  await page.getByRole('button', { name: 'Add product' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add product' });
  await dialog.getByRole('combobox', { name: 'Product' }).click();
  await page.getByRole('option', { name: 'Starter' }).click();
  await screen('10-add-product', 'Add product');
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByRole('table', { name: 'Products this application may call' }).getByRole('link', { name: 'Starter' }).waitFor();
  expect((await callEcho()).status).toBe(200);
});

test('the product screens: Starter\'s APIs, Applications, Subscriptions and Policies', async () => {
  await page.goto(`${portico.managementUrl}/products/starter/apis`);
  await page.getByRole('table', { name: 'APIs in this product' }).getByText('Echo API').waitFor();
  await screen('11-starter-apis', 'Starter APIs');
  await page.getByRole('tab', { name: 'Applications' }).click();
  await page.getByRole('table', { name: 'Applications with access to this product' }).getByRole('link', { name: 'Alice app' }).waitFor();
  await screen('12-starter-applications', 'Starter applications');
  await page.getByRole('tab', { name: 'Subscriptions' }).click();
  await page.getByRole('table', { name: 'Subscriptions to this product' }).waitFor();
  await screen('13-starter-subscriptions', 'Starter subscriptions');
  await page.getByRole('tab', { name: 'Policies' }).click();
  const rate = page.getByRole('group', { name: 'Rate limit' });
  await rate.getByLabel('Calls').waitFor();
  expect(await rate.getByLabel('Calls').inputValue()).toBe('5');
  expect(await rate.getByLabel('Renewal period (seconds)').inputValue()).toBe('60');
  await rate.getByLabel('Calls').fill('50');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').getByText('Policy saved.').waitFor();
  await screen('14-starter-policies', 'Starter policies');
  const policy = await admin.call('GET', '/products/starter/policies/policy');
  expect(policy.body.properties.limits).toEqual({ rateLimit: { calls: 50, renewalPeriod: 60 }, quota: { calls: 100, renewalPeriod: 604800 } });
});

test('cutting access asks first: unticking OAuth 2.0 token names the applications that lose it (Cancel keeps it); Applications → Remove, confirmed, says it is done', async () => {
  await page.goto(`${portico.managementUrl}/products/starter/properties`);
  await heading('Starter').waitFor();
  await page.getByRole('checkbox', { name: 'OAuth 2.0 token (most secure)' }).uncheck();
  await page.getByRole('button', { name: 'Save' }).click();
  const turnOff = page.getByRole('dialog', { name: 'Turn off access?' });
  await turnOff.getByText('1 application with access to this product will lose it').waitFor();
  await screen('14b-turn-off-access', 'Turn off access');
  await turnOff.getByRole('button', { name: 'Cancel' }).click();
  await turnOff.waitFor({ state: 'detached' });
  expect((await admin.call('GET', '/products/starter')).body.properties.authenticationType).toContain('application-token');

  await page.getByRole('tab', { name: 'Applications' }).click();
  const table = page.getByRole('table', { name: 'Applications with access to this product' });
  await table.getByRole('link', { name: 'Alice app' }).waitFor();
  await page.getByRole('button', { name: 'Remove Alice app' }).click();
  const remove = page.getByRole('dialog', { name: 'Remove Alice app from Starter?' });
  await remove.getByText('Alice app can no longer get tokens for Starter').waitFor();
  await remove.getByRole('button', { name: 'Remove' }).click();
  await page.getByRole('status').getByText('Alice app no longer has access to Starter.').waitFor();
  await page.getByText('No application has access to this product yet.').waitFor();
  expect((await admin.call('GET', '/clientApplications/alice-app/productLinks')).body.value).toEqual([]);
});

test('a product created with OAuth 2.0 token gets its Audience; an API added; deleted after confirmation', async () => {
  await page.getByRole('navigation').getByRole('link', { name: 'Products' }).click();
  await heading('Products').waitFor();
  await page.getByRole('button', { name: 'Add' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add product' });
  await dialog.getByLabel('Display name').fill('Partner');
  expect(await dialog.getByLabel('Id').inputValue()).toBe('partner');
  await dialog.getByRole('checkbox', { name: 'Published' }).check();
  await dialog.getByRole('checkbox', { name: 'OAuth 2.0 token (most secure)' }).check();
  await dialog.getByRole('checkbox', { name: 'Subscription key' }).uncheck();
  await screen('15-add-product', 'Add product');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await heading('Partner').waitFor();
  await page.getByRole('button', { name: 'Copy Audience' }).waitFor();
  const created = await admin.call('GET', '/products/partner');
  expect(created.body.properties).toMatchObject({ displayName: 'Partner', state: 'published', authenticationType: ['application-token'] });

  await page.getByRole('tab', { name: 'APIs' }).click();
  await page.getByText('No APIs in this product.').waitFor();
  await page.getByRole('combobox', { name: 'API to add' }).click();
  await page.getByRole('option', { name: 'Echo API' }).click();
  await page.getByRole('button', { name: 'Add API' }).click();
  await page.getByRole('table', { name: 'APIs in this product' }).getByText('Echo API').waitFor();
  expect((await admin.call('GET', '/products/partner/apis')).body.value.map((api: { name: string }) => api.name)).toEqual(['echo-api']);

  // Remove asks first, naming the API and the product; Cancel removes nothing.
  await page.getByRole('button', { name: 'Remove Echo API' }).click();
  const removeApi = page.getByRole('dialog', { name: 'Remove Echo API from Partner?' });
  await removeApi.getByText('can no longer call Echo API through it').waitFor();
  await screen('15b-remove-api', 'Remove Echo API from Partner');
  await removeApi.getByRole('button', { name: 'Cancel' }).click();
  await removeApi.waitFor({ state: 'detached' });
  expect((await admin.call('GET', '/products/partner/apis')).body.value).toHaveLength(1);
  await page.getByRole('button', { name: 'Remove Echo API' }).click();
  await removeApi.getByRole('button', { name: 'Remove' }).click();
  await removeApi.waitFor({ state: 'detached' });
  await page.getByRole('status').getByText('Echo API is no longer in Partner.').waitFor();
  await page.getByText('No APIs in this product.').waitFor();
  expect((await admin.call('GET', '/products/partner/apis')).body.value).toEqual([]);

  // Remove policy asks first too.
  await page.getByRole('tab', { name: 'Policies' }).click();
  const rate = page.getByRole('group', { name: 'Rate limit' });
  await rate.getByLabel('Calls').fill('10');
  await rate.getByLabel('Renewal period (seconds)').fill('60');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').getByText('Policy saved.').waitFor();
  await page.getByRole('button', { name: 'Remove policy' }).click();
  const removePolicy = page.getByRole('dialog', { name: 'Remove the policy from Partner?' });
  await removePolicy.getByText('Its rate limit and quota stop applying').waitFor();
  await removePolicy.getByRole('button', { name: 'Cancel' }).click();
  await removePolicy.waitFor({ state: 'detached' });
  expect((await admin.call('GET', '/products/partner/policies/policy')).status).toBe(200);
  await page.getByRole('button', { name: 'Remove policy' }).click();
  await removePolicy.getByRole('button', { name: 'Remove' }).click();
  await removePolicy.waitFor({ state: 'detached' });
  await page.getByRole('status').getByText('Policy removed.').waitFor();
  await page.getByText('This product has no policy').waitFor();
  expect((await admin.call('GET', '/products/partner/policies/policy')).status).toBe(404);

  await page.getByRole('button', { name: 'Delete' }).first().click();
  const confirm = page.getByRole('dialog', { name: 'Delete product Partner?' });
  await confirm.waitFor();
  await screen('16-delete-product', 'Delete product');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await heading('Products').waitFor();
  expect((await admin.call('GET', '/products/partner')).status).toBe(404);
});

test('an API error is shown in words: registering with a name the directory refuses', async () => {
  await page.goto(`${portico.managementUrl}/applications/register`);
  await heading('Register an application').waitFor();
  await page.getByLabel('Name').fill('x'.repeat(400));
  await page.getByRole('combobox', { name: 'Owner' }).click();
  await page.getByRole('option', { name: 'Alice Example (alice@example.com)' }).click();
  await page.getByRole('button', { name: 'Register' }).click();
  const alert = page.getByRole('alert');
  await alert.getByText('The application was not registered').waitFor();
  expect(await alert.textContent()).toMatch(/displayName/);
  await screen('17-register-error', 'Register error');
});

test('delete an application after confirmation: gone from the list and from the API', async () => {
  await page.goto(`${portico.managementUrl}/applications/alice-app`);
  await heading('Alice app').waitFor();
  await page.getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete application Alice app?' });
  await confirm.waitFor();
  await screen('18-delete-application', 'Delete application');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await heading('Applications').waitFor();
  await page.getByText('No applications yet.').waitFor();
  expect((await admin.call('GET', '/clientApplications/alice-app')).status).toBe(404);
  const token = await requestToken(portico.identityUrl, portico.credentials.tenantId, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: `api://${audience}/.default` });
  expect(token.status).toBe(400); // the directory application is gone with it: an unknown client
  expect(token.body.error_codes).toEqual([700016]);
});

test('no console errors on the way (other than the refusal the last step provoked)', () => {
  expect(portal.unexpectedConsoleErrors(/status of 400/)).toEqual([]);
});
