/**
 * Subscribe in the developer portal, in Debian's Chromium (playwright-core): Products → a product →
 * name the subscription → Subscribe; "Your subscriptions" on the product page; the key behind Show
 * keys on Subscriptions works at the gateway at once (no approval) or only after an administrator
 * activates it (approval required); the product's limit is said in words; open and token-only
 * products offer no Subscribe and say why. axe on each screen, and no unexpected console errors.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';
import { failedLoad, launchBrowser, NARROW, openPortalPage, type PortalPage } from '../helpers/browser.js';

const SUITE = 'developer-subscribe';
const KEY_INVALID = { statusCode: 401, message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.' };

describe('developer portal: Subscribe in a browser', () => {
  let portico: Booted;
  let admin: ManagementClient;
  let browser: Browser;
  let dev: PortalPage;

  const gateway = async (key: string) => {
    const response = await fetch(`${portico.gatewayUrl}/echo/resource?param1=sample`, { headers: { 'ocp-apim-subscription-key': key } });
    const text = await response.text();
    return { status: response.status, body: response.headers.get('content-type') === 'application/json' ? JSON.parse(text) : text };
  };

  /** Opens a product's page from Products, as a developer would. */
  const openProduct = async (name: string): Promise<void> => {
    const { page } = dev;
    await page.getByRole('navigation').getByRole('link', { name: 'Products' }).click();
    await page.getByRole('link', { name, exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name, level: 1 }).isVisible()).toBe(true);
  };

  const subscribeAs = async (name: string): Promise<void> => {
    const { page } = dev;
    await page.getByLabel('Subscription name').fill(name);
    await page.getByRole('button', { name: 'Subscribe' }).click();
  };

  /** Show keys on Subscriptions; the primary key as shown. */
  const revealPrimaryKey = async (subscription: string): Promise<string> => {
    const { page } = dev;
    await page.getByRole('navigation').getByRole('link', { name: 'Subscriptions' }).click();
    await page.getByRole('button', { name: `Show keys of ${subscription}` }).click();
    const value = page.getByTestId(`value-primary key of ${subscription}`);
    await expect.poll(() => value.isVisible()).toBe(true);
    return (await value.textContent())!;
  };

  const stateOnSubscriptions = async (subscription: string): Promise<string | null> =>
    dev.page.getByRole('row').filter({ hasText: subscription }).getByRole('cell').nth(2).textContent();

  beforeAll(async () => {
    portico = await bootPortico();
    admin = new ManagementClient(portico.credentials);
    // Not about limits: Starter's 5 calls a minute would get in the way.
    expect((await admin.call('DELETE', '/products/starter/policies/policy')).status).toBe(200);
    expect((await admin.call('PUT', '/users/erin', { properties: { email: 'erin@example.com', firstName: 'Erin', lastName: 'Developer', password: 'erin-password-1' } })).status).toBe(201);
    expect((await admin.call('PUT', '/products/open', { properties: { displayName: 'Open', state: 'published', subscriptionRequired: false } })).status).toBe(201);
    expect((await admin.call('PUT', '/products/tokens', { properties: { displayName: 'Tokens only', state: 'published', authenticationType: ['application-token'] } })).status).toBe(201);
    browser = await launchBrowser();
    dev = await openPortalPage(browser, SUITE);
    dev.page.setDefaultTimeout(10_000);
    const { page } = dev;
    await page.goto(`${portico.managementUrl}/developer`);
    await page.getByLabel('Email').fill('erin@example.com');
    await page.getByLabel('Password').fill('erin-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Products', level: 1 }).waitFor();
  });
  afterAll(async () => {
    await dev?.close();
    await browser?.close();
    await portico?.stop();
  });

  test('Starter (no approval): Subscribe makes an active subscription, listed under Your subscriptions, whose key works', async () => {
    const { page } = dev;
    await openProduct('Starter');
    expect(await page.getByRole('heading', { name: 'Your subscriptions' }).isVisible()).toBe(true);
    expect(await page.locator('main').textContent()).toContain('You have no subscription to Starter.');
    await dev.checkAccessibility('product page');
    await subscribeAs('Erin on Starter');
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Subscription “Erin on Starter” is active.');
    const table = page.getByRole('table', { name: 'Your subscriptions to Starter' });
    await expect.poll(() => table.getByRole('row').filter({ hasText: 'Erin on Starter' }).textContent()).toContain('active');
    expect(await page.locator('main').textContent()).toContain('One user may hold 1 subscription to this product; you hold 1.');
    await dev.checkAccessibility('product page after Subscribe');
    await dev.screenshot('01-subscribed-starter');
    const key = await revealPrimaryKey('Erin on Starter');
    expect(await stateOnSubscriptions('Erin on Starter')).toBe('active');
    expect((await gateway(key)).status).toBe(200);
  });

  test("Starter's limit of one: a second Subscribe is refused in words", async () => {
    const { page } = dev;
    await openProduct('Starter');
    await subscribeAs('Another one');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('You already have 1 subscription to Starter, the most this product allows for one user (1).');
    await dev.screenshot('02-limit-reached');
    expect((await admin.call('GET', '/users/erin/subscriptions')).body.value).toHaveLength(1);
  });

  test('Unlimited (approval required): the subscription is submitted, its key refused until an administrator activates it', async () => {
    const { page } = dev;
    await openProduct('Unlimited');
    expect(await page.locator('main').textContent()).toContain('An administrator approves subscriptions to this product');
    await subscribeAs('Erin on Unlimited');
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Subscription “Erin on Unlimited” is submitted: an administrator must approve it before its keys work.');
    await expect.poll(() => page.getByRole('table', { name: 'Your subscriptions to Unlimited' }).textContent()).toContain('submitted');
    await dev.screenshot('03-submitted-unlimited');
    const key = await revealPrimaryKey('Erin on Unlimited');
    expect(await stateOnSubscriptions('Erin on Unlimited')).toBe('submitted');
    expect(await gateway(key)).toEqual({ status: 401, body: KEY_INVALID });
    const [mine] = (await admin.call('GET', `/users/erin/subscriptions?$filter=${encodeURIComponent("displayName eq 'Erin on Unlimited'")}`)).body.value as { name: string }[];
    expect((await admin.call('PATCH', `/subscriptions/${mine!.name}`, { properties: { state: 'active' } })).status).toBe(200);
    await page.reload();
    await expect.poll(() => stateOnSubscriptions('Erin on Unlimited')).toBe('active');
    await dev.checkAccessibility('subscriptions');
    await dev.screenshot('04-subscriptions');
    expect((await gateway(key)).status).toBe(200);
  });

  test('open and token-only products offer no Subscribe and say why', async () => {
    const { page } = dev;
    await openProduct('Open');
    expect(await page.locator('main').textContent()).toContain('This product is open: its APIs can be called without a subscription key, so there is nothing to subscribe to.');
    expect(await page.getByRole('button', { name: 'Subscribe' }).count()).toBe(0);
    await dev.checkAccessibility('open product');
    await openProduct('Tokens only');
    expect(await page.locator('main').textContent()).toContain('This product is reached with an OAuth 2.0 token of a client application, not with a subscription key.');
    expect(await page.getByRole('button', { name: 'Subscribe' }).count()).toBe(0);
    await dev.screenshot('05-token-only');
  });

  test('the product page is readable in a narrow window', async () => {
    const narrow = await openPortalPage(browser, SUITE, NARROW);
    try {
      await narrow.context.addCookies(await dev.context.cookies());
      await narrow.page.goto(`${portico.managementUrl}/developer/products/unlimited`);
      await expect.poll(() => narrow.page.getByRole('heading', { name: 'Your subscriptions' }).isVisible()).toBe(true);
      await narrow.checkAccessibility('narrow product page');
      const overflow = await narrow.page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow).toBeLessThanOrEqual(0);
      await narrow.screenshot('06-narrow-product');
      expect(narrow.unexpectedConsoleErrors()).toEqual([]);
    } finally {
      await narrow.close();
    }
  });

  test('no console error but the refusal the test provoked', () => {
    expect(dev.unexpectedConsoleErrors(failedLoad(409))).toEqual([]);
  });
});
