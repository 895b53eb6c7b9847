/**
 * The developer portal in Debian's Chromium (playwright-core): sign-in and sign-up, Products,
 * Applications with a new client secret shown once, Subscriptions behind a reveal, Try it, CSRF
 * refusal, cookie flags; axe on every screen, a narrow window, and no console errors.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';
import { failedLoad, launchBrowser, NARROW, openPortalPage, type PortalPage } from '../helpers/browser.js';

const SUITE = 'developer-portal';


describe('developer portal in a browser', () => {
  let portico: Booted;
  let admin: ManagementClient;
  let browser: Browser;
  let dev: PortalPage;
  let audience: string;
  let primaryKey: string;
  let mintedSecret: string;

  beforeAll(async () => {
    portico = await bootPortico();
    admin = new ManagementClient(portico.credentials);
    expect((await admin.call('DELETE', '/products/starter/policies/policy')).status).toBe(200);
    const starter = await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } });
    audience = starter.body.properties.application.entra.audience;
    expect((await admin.call('PUT', '/users/dana', { properties: { email: 'dana@example.com', firstName: 'Dana', lastName: 'Developer', password: 'dana-password-1' } })).status).toBe(201);
    expect((await admin.call('PUT', '/clientApplications/dana-app', { properties: { displayName: 'Dana app', ownerId: '/users/dana', productIds: ['/products/starter'], description: 'Calls the Echo API' } })).status).toBe(201);
    expect((await admin.call('PUT', '/subscriptions/dana-unlimited', { properties: { displayName: 'Dana on Unlimited', scope: '/products/unlimited', ownerId: '/users/dana', state: 'active' } })).status).toBe(201);
    primaryKey = (await admin.call('POST', '/subscriptions/dana-unlimited/listSecrets')).body.primaryKey;
    browser = await launchBrowser();
    dev = await openPortalPage(browser, SUITE);
    // Below the test timeout, so a stuck step names itself.
    dev.page.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await dev?.close();
    await browser?.close();
    await portico?.stop();
  });

  test('the sign-in page: a wrong password is said in words, then sign-in opens Products', async () => {
    const { page } = dev;
    await page.goto(`${portico.managementUrl}/developer`);
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in to the developer portal' }).isVisible()).toBe(true);
    await dev.checkAccessibility('developer sign-in');
    await dev.screenshot('01-sign-in');
    await page.getByLabel('Email').fill('dana@example.com');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('The email or password is not right.');
    await page.getByLabel('Password').fill('dana-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Products', level: 1 }).isVisible()).toBe(true);
    const cookies = await dev.context.cookies();
    const session = cookies.find((c) => c.name.includes('developer'));
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate('document.cookie')).toBe('');
  });

  test('Products: the published products, their APIs and operations, the exact scope', async () => {
    const { page } = dev;
    await expect.poll(() => page.getByRole('heading', { name: 'Starter' }).isVisible()).toBe(true);
    const text = await page.locator('main').textContent();
    expect(text).toContain(`api://${audience}/.default`);
    expect(text).toContain('Echo API');
    expect(text).toContain('/resource');
    await dev.checkAccessibility('developer products');
    await dev.screenshot('02-products');
  });

  test('Applications: own app, then Overview with Client ID and how to get a token', async () => {
    const { page } = dev;
    await page.getByRole('link', { name: 'Applications' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'Dana app' }).isVisible()).toBe(true);
    await dev.checkAccessibility('developer applications');
    await dev.screenshot('03-applications');
    await page.getByRole('link', { name: 'Dana app' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Overview' }).isVisible()).toBe(true);
    const clientId = (await admin.call('GET', '/clientApplications/dana-app')).body.properties.entraApplicationId;
    const text = await page.locator('main').textContent();
    expect(text).toContain(clientId);
    expect(text).toContain(`${portico.identityUrl}/${portico.credentials.tenantId}/oauth2/v2.0/token`);
    expect(text).toContain(`api://${audience}/.default`);
    await dev.checkAccessibility('developer application overview');
    await dev.screenshot('04-application-overview');
  });

  test('+ New client secret: Generate shows it once with its expiry; after Close it is gone', async () => {
    const { page } = dev;
    await page.getByRole('button', { name: 'New client secret' }).click();
    await page.getByRole('button', { name: 'Generate' }).click();
    const value = page.getByTestId('value-Client secret');
    await expect.poll(() => value.isVisible()).toBe(true);
    mintedSecret = (await value.textContent())!;
    expect(mintedSecret).toMatch(/^[A-Za-z0-9~._-]{44}$/);
    expect(await page.getByRole('dialog').textContent()).toMatch(/Expires.*20\d\d/);
    await dev.checkAccessibility('new client secret');
    await dev.screenshot('05-new-client-secret');
    await page.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await page.content()).not.toContain(mintedSecret);
    await page.getByRole('button', { name: 'New client secret' }).click();
    expect(await page.getByRole('dialog').textContent()).not.toContain(mintedSecret);
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  test('Subscriptions: keys hidden until Show keys', async () => {
    const { page } = dev;
    await page.getByRole('link', { name: 'Subscriptions' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'Dana on Unlimited', exact: true }).isVisible()).toBe(true);
    expect(await page.content()).not.toContain(primaryKey);
    await dev.checkAccessibility('developer subscriptions');
    await page.getByRole('button', { name: 'Show keys of Dana on Unlimited' }).click();
    await expect.poll(() => page.getByTestId('value-primary key of Dana on Unlimited').textContent()).toBe(primaryKey);
    await dev.screenshot('06-subscription-keys');
    await page.getByRole('button', { name: 'Hide keys' }).click();
    expect(await page.content()).not.toContain(primaryKey);
  });

  test('Try it: a token with the own app, POST /echo/resource through the gateway, request and response shown', async () => {
    const { page } = dev;
    await page.getByRole('link', { name: 'Try it' }).click();
    await expect.poll(() => page.getByLabel('Operation', { exact: true }).isVisible()).toBe(true);
    await page.getByLabel('Operation', { exact: true }).selectOption('echo-api/create-resource');
    await page.getByLabel('Client secret').fill(mintedSecret);
    await dev.checkAccessibility('try it form');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByTestId('try-it-response').textContent(), { timeout: 15_000 }).toContain('HTTP 200');
    expect(await page.getByTestId('try-it-request').textContent()).toContain(`POST ${portico.gatewayUrl}/echo/resource?param1=sample`);
    expect(await page.getByTestId('try-it-response').textContent()).toContain('hello');
    // Only in the password field it was typed into: no text on the page shows it.
    expect(await page.locator('body').innerText()).not.toContain(mintedSecret);
    await dev.checkAccessibility('try it result');
    await dev.screenshot('07-try-it');
  });

  test('Try it: choosing another application clears the last answer, which belonged to the first', async () => {
    expect((await admin.call('PUT', '/clientApplications/dana-second', { properties: { displayName: 'Dana second', ownerId: '/users/dana', productIds: ['/products/starter'] } })).status).toBe(201);
    const { page } = dev;
    try {
      await page.goto(`${portico.managementUrl}/developer/try-it`);
      await expect.poll(() => page.getByLabel('Application', { exact: true }).isVisible()).toBe(true);
      await page.getByLabel('Application', { exact: true }).selectOption('dana-app');
      await page.getByLabel('Client secret').fill('not-the-secret');
      await page.getByRole('button', { name: 'Send' }).click();
      await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('AADSTS7000215');
      await page.getByLabel('Application', { exact: true }).selectOption('dana-second');
      await expect.poll(() => page.locator('body').innerText()).not.toContain('AADSTS7000215');
      expect(await page.getByTestId('try-it-response').count()).toBe(0);
    } finally {
      expect((await admin.call('DELETE', '/clientApplications/dana-second')).status).toBe(200);
    }
  });

  test('a write without the CSRF header is refused, from the page itself', async () => {
    const status = await dev.page.evaluate(async () => (await fetch('/developer/api/applications/dana-app/secrets', { method: 'POST' })).status);
    expect(status).toBe(403);
  });

  test('readable in a narrow window', async () => {
    const narrow = await openPortalPage(browser, SUITE, NARROW);
    try {
      await narrow.context.addCookies(await dev.context.cookies());
      await narrow.page.goto(`${portico.managementUrl}/developer/applications/dana-app`);
      await expect.poll(() => narrow.page.getByRole('heading', { name: 'Overview' }).isVisible()).toBe(true);
      await narrow.checkAccessibility('narrow application overview');
      const overflow = await narrow.page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow).toBeLessThanOrEqual(0);
      await narrow.screenshot('08-narrow-application');
      expect(narrow.unexpectedConsoleErrors()).toEqual([]);
    } finally {
      await narrow.close();
    }
  });

  test('a 240-character name without spaces does not widen the page: Applications table, the application title, Try it dropdowns', async () => {
    const long = `Long${'x'.repeat(236)}`;
    expect((await admin.call('PUT', '/clientApplications/dana-long', { properties: { displayName: long, ownerId: '/users/dana', productIds: ['/products/starter'] } })).status).toBe(201);
    const narrow = await openPortalPage(browser, SUITE, NARROW);
    const overflow = (): Promise<number> => narrow.page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as Promise<number>;
    // Text spilling out of a table cell over its neighbours.
    const spilledCells = (): Promise<number> => narrow.page.evaluate('[...document.querySelectorAll("td, th")].filter((c) => c.scrollWidth > c.clientWidth + 1).length') as Promise<number>;
    try {
      await narrow.context.addCookies(await dev.context.cookies());
      await narrow.page.goto(`${portico.managementUrl}/developer/applications`);
      await expect.poll(() => narrow.page.getByText(long).first().isVisible()).toBe(true);
      expect(await overflow()).toBeLessThanOrEqual(0);
      expect(await spilledCells()).toBe(0);
      await narrow.screenshot('09-long-name-applications');
      await narrow.page.goto(`${portico.managementUrl}/developer/applications/dana-long`);
      await expect.poll(() => narrow.page.getByRole('heading', { name: long, level: 1 }).isVisible()).toBe(true);
      await narrow.screenshot('10-long-name-application');
      expect(await overflow()).toBeLessThanOrEqual(0);
      await narrow.page.goto(`${portico.managementUrl}/developer/try-it`);
      await expect.poll(() => narrow.page.getByLabel('Application', { exact: true }).isVisible()).toBe(true);
      await narrow.page.getByLabel('Application', { exact: true }).selectOption('dana-long');
      await narrow.screenshot('11-long-name-try-it');
      expect(await overflow()).toBeLessThanOrEqual(0);
      await narrow.screenshot('11-long-name-try-it');
      expect(narrow.unexpectedConsoleErrors()).toEqual([]);
    } finally {
      await narrow.close();
      expect((await admin.call('DELETE', '/clientApplications/dana-long')).status).toBe(200);
    }
  });

  test('sign-up: a new developer gets in and owns nothing yet', async () => {
    const fresh = await openPortalPage(browser, SUITE);
    try {
      const { page } = fresh;
      await page.goto(`${portico.managementUrl}/developer`);
      await page.getByRole('button', { name: 'Sign up' }).click();
      await expect.poll(() => page.getByRole('heading', { name: 'Sign up for the developer portal' }).isVisible()).toBe(true);
      // Sign in and Sign up switch back and forth on the same form.
      await page.getByText('Already have an account?').getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('heading', { name: 'Sign in to the developer portal' }).isVisible()).toBe(true);
      expect(await page.getByLabel('First name').count()).toBe(0);
      await page.getByText('No account yet?').getByRole('button', { name: 'Sign up' }).click();
      await expect.poll(() => page.getByRole('heading', { name: 'Sign up for the developer portal' }).isVisible()).toBe(true);
      await page.getByText('Create a user account to see the APIs and your applications.').waitFor();
      await page.getByText('At least 8 characters.').waitFor();
      await fresh.checkAccessibility('developer sign-up');
      await page.getByLabel('First name').fill('Erin');
      await page.getByLabel('Last name').fill('Example');
      await page.getByLabel('Email').fill('erin@example.com');
      await page.getByLabel('Password').fill('erin-password-1');
      await fresh.screenshot('09-sign-up');
      await page.getByRole('button', { name: 'Sign up' }).click();
      await expect.poll(() => page.getByRole('heading', { name: 'Products', level: 1 }).isVisible()).toBe(true);
      await page.getByRole('link', { name: 'Applications' }).click();
      await expect.poll(() => page.locator('main').textContent()).toContain('You own no client application yet.');
      expect(fresh.unexpectedConsoleErrors(failedLoad(401))).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  test('with sign-up turned off (PORTICO_DEVELOPER_SIGNUP=off) the sign-in page offers no Sign up', async () => {
    const closed = await bootPortico({ config: { developerSignUp: false } });
    const visitor = await openPortalPage(browser, SUITE);
    try {
      const { page } = visitor;
      await page.goto(`${closed.managementUrl}/developer`);
      await expect.poll(() => page.getByRole('heading', { name: 'Sign in to the developer portal' }).isVisible()).toBe(true);
      await page.getByText('Use the email and password of your API Management user account.').waitFor();
      expect(await page.getByRole('button', { name: 'Sign up' }).count()).toBe(0);
      expect(await page.getByText('No account yet?').count()).toBe(0);
      expect(visitor.unexpectedConsoleErrors(failedLoad(401))).toEqual([]);
    } finally {
      await visitor.close();
      await closed.stop();
    }
  });

  test('sign-out returns to the sign-in page; no unexpected console errors along the way', async () => {
    const { page } = dev;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in to the developer portal' }).isVisible()).toBe(true);
    // Expected: the 401 of the wrong password and of /me before sign-in, the 403 the CSRF test provoked.
    expect(dev.unexpectedConsoleErrors(failedLoad(401), failedLoad(403))).toEqual([]);
  });
});
