import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { makeAccount, PASSWORD, type TestAccount } from '../apps/server/test/factories.ts';
import { HttpClient } from '../apps/server/test/http-client.ts';
import { launchBrowser, screenshot, signIn, watchForScriptErrors } from './support/browser.ts';
import { startE2EServer } from './support/server.ts';

/**
 * The public API from the dashboard's side: an admin creates a token (shown once) and revokes it; a
 * conversation an integration starts through the Drift-compatible endpoint opens from the link other
 * systems keep, with the integration in its header.
 */
let server: Awaited<ReturnType<typeof startE2EServer>>;
let browser: Browser;
let account: TestAccount;
let admin: { context: BrowserContext; page: Page; problems: string[] };

before(async () => {
  server = await startE2EServer();
  browser = await launchBrowser();
  account = await makeAccount(server);
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  admin = { context, page, problems: watchForScriptErrors(page) };
  await page.goto(`${server.publicUrl}/settings/api-tokens`);
  await signIn(page, account.admin.email, PASSWORD);
});

after(async () => {
  assert.deepEqual(admin?.problems ?? [], []);
  await browser?.close();
  await server?.close();
});

let token = '';

describe('API tokens and integrations', () => {
  test('an admin creates a token, sees it once, and the list shows only its prefix', async () => {
    const { page } = admin;
    await page.goto(`${server.publicUrl}/settings/api-tokens`);
    await page.getByText('No API tokens yet').waitFor();
    await page.getByTestId('new-token').first().click();
    await page.locator('input[name=tokenName]').fill('Shop integration');
    await page.getByRole('checkbox', { name: 'Read contacts' }).check();
    await page.waitForTimeout(200);
    await screenshot(page, 'api-01-new-token');
    await page.getByTestId('create-token').click();

    const secret = page.getByTestId('token-secret');
    await secret.waitFor();
    token = (await secret.textContent()) ?? '';
    assert.match(token, /^pat_[A-Za-z0-9_-]+$/);
    await page.getByText('This is the only time the token is shown').waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, 'api-02-token-shown-once');
    await page.getByTestId('token-done').click();

    const row = page.locator('[data-token="Shop integration"]');
    await row.waitFor();
    // pat_<prefix>_<secret>; the prefix itself may hold _ and -.
    const prefix = token.slice('pat_'.length, 'pat_'.length + 8);
    assert.match((await row.textContent()) ?? '', new RegExp(`pat_${prefix}_…`));
    assert.match((await row.textContent()) ?? '', /Read conversations.*Write conversations.*Read contacts/);
    assert.match((await row.textContent()) ?? '', /Never/);
    assert.equal(await page.getByText(token).count(), 0, 'the secret is gone from the page');

    // It works, and its last use shows once the list is read again.
    const api = new HttpClient(server.publicUrl);
    api.bearer = token;
    assert.equal((await api.get('/api/v1/conversations')).status, 200);
    await page.reload();
    await row.waitFor();
    assert.doesNotMatch((await row.textContent()) ?? '', /Never/);
    await page.waitForTimeout(300);
    await screenshot(page, 'api-03-token-list');
  });

  test('the link /inboxes/{inboxId}/conversations/{id} opens the conversation with its integration', async () => {
    const { page } = admin;
    const api = new HttpClient(server.publicUrl);
    api.bearer = token;
    const started = await api.post('/api/v1/conversations/new', {
      email: 'buyer@example.test',
      message: {
        body: 'Order #5521 has not arrived',
        attributes: { integrationSource: 'Shop orders <b>', autoAssigneeId: account.admin.userId },
      },
    });
    assert.equal(started.status, 200, started.text);
    const { id, inboxId } = started.body as { id: string; inboxId: string };

    await page.goto(`${server.publicUrl}/inboxes/${inboxId}/conversations/${id}`);
    await page.getByTestId('conversation-pane').waitFor();
    assert.match(page.url(), new RegExp(`/inbox/all/${id}$`));
    const source = page.getByTestId('integration-source');
    await source.getByText('Started from Shop orders <b>').waitFor();
    await page.getByTestId('message-bubble').getByText('Order #5521 has not arrived').waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, 'api-04-integration-header');

    const unnamed = await api.post('/api/v1/conversations/new', {
      email: 'other@example.test',
      message: { body: 'No source here' },
    });
    await page.goto(`${server.publicUrl}/inboxes/${unnamed.body.inboxId}/conversations/${unnamed.body.id}`);
    await page
      .getByTestId('integration-source')
      .getByText('Conversation started from an integration')
      .waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, 'api-05-integration-unnamed');
  });

  test('revoking asks first, then the token stops working', async () => {
    const { page } = admin;
    await page.goto(`${server.publicUrl}/settings/api-tokens`);
    await page.locator('[data-token="Shop integration"]').getByTestId('revoke-token').click();
    await page.getByText('Integrations that use it stop working at once').waitFor();
    await page.getByTestId('confirm').click();
    await page.getByText('No API tokens yet').waitFor();
    const api = new HttpClient(server.publicUrl);
    api.bearer = token;
    assert.equal((await api.get('/api/v1/conversations')).status, 401);
  });
});
