import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  makeAccount,
  makeMember,
  PASSWORD,
  type TestAccount,
  visitorWithConversation,
} from '../apps/server/test/factories.ts';
import { type ReceivedHook, signedWith, startWebhookReceiver } from '../apps/server/test/webhook-receiver.ts';
import { launchBrowser, screenshot, signIn, watchForScriptErrors } from './support/browser.ts';
import { startE2EServer } from './support/server.ts';

/**
 * Webhooks from the dashboard's side: an admin adds an endpoint (its secret shown once), a new
 * conversation reaches a receiver on loopback signed with that secret, the delivery log shows it; a
 * receiver answering 500 with hostile HTML is shown as text, and redelivering from the log sends again.
 */
let server: Awaited<ReturnType<typeof startE2EServer>>;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let browser: Browser;
let account: TestAccount;
let admin: { context: BrowserContext; page: Page; problems: string[] };

const XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script> upstream down';

before(async () => {
  receiver = await startWebhookReceiver();
  // Webhook targets may not be loopback addresses unless the allowlist says so.
  server = await startE2EServer({ WEBHOOK_ALLOWLIST: '127.0.0.1' });
  browser = await launchBrowser();
  account = await makeAccount(server);
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.publicUrl });
  const page = await context.newPage();
  admin = { context, page, problems: watchForScriptErrors(page) };
  await page.goto(`${server.publicUrl}/settings/webhooks`);
  await signIn(page, account.admin.email, PASSWORD);
});

after(async () => {
  assert.deepEqual(admin?.problems ?? [], []);
  await browser?.close();
  await server?.close();
  await receiver?.close();
});

async function eventually<T>(fn: () => T | undefined, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const hookPath = '/hooks/parley';
const hooksOf = (type: string): ReceivedHook[] =>
  receiver.received.filter(
    (h) => h.path === hookPath && (JSON.parse(h.body) as { type: string }).type === type,
  );

let secret = '';

describe('webhooks settings', () => {
  test('an admin adds an endpoint and copies its signing secret, shown once', async () => {
    const { page } = admin;
    await page.getByText('No endpoints yet').waitFor();
    await page.getByTestId('new-webhook').first().click();
    await page.locator('input[name=webhookUrl]').fill(`${receiver.url}${hookPath}`);
    await page.locator('input[name=webhookDescription]').fill('CRM sync');
    // conversation.created and message.created come checked; add status changes.
    await page.locator('[data-event="conversation.status_changed"]').check();
    await page.getByTestId('webhook-inbox').click();
    await page.getByRole('option', { name: 'Website' }).click();
    await page.waitForTimeout(200);
    await screenshot(page, 'webhooks-01-create');
    await page.getByTestId('save-webhook').click();

    const shown = page.getByTestId('webhook-secret');
    await shown.waitFor();
    await page.getByText('you will not see it again').waitFor();
    await page.getByTestId('verify-hint').getByText('webhook-signature').first().waitFor();
    await page.getByTestId('webhook-secret-copy').click();
    secret = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(secret, /^whsec_[A-Za-z0-9+/=]+$/);
    assert.equal(await shown.textContent(), secret);
    await page.waitForTimeout(300);
    await screenshot(page, 'webhooks-02-secret-once');
    await page.getByTestId('webhook-secret-done').click();

    const row = page.locator(`[data-webhook-url="${receiver.url}${hookPath}"]`);
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    assert.match(text, /CRM sync · Website · Added/);
    assert.match(text, /conversation\.created.*message\.created.*conversation\.status_changed/);
    assert.match(text, /Active/);
    assert.equal(await page.getByText(secret).count(), 0, 'the secret is gone from the page');
    await page.waitForTimeout(300);
    await screenshot(page, 'webhooks-03-list');
  });

  test('a new conversation reaches the receiver signed, and the log shows the delivery', async () => {
    const { page } = admin;
    await visitorWithConversation(server, account.inboxId, 'Where is my order?');
    const [hook] = await eventually(() => {
      const got = hooksOf('conversation.created');
      return got.length > 0 ? got : undefined;
    }, 'the conversation.created request');
    assert.ok(hook);
    assert.ok(signedWith(secret, hook), 'the signature verifies with the secret copied from the page');
    assert.equal(
      (JSON.parse(hook.body) as { data: { conversation: { inboxId: string } } }).data.conversation.inboxId,
      account.inboxId,
    );

    await page.locator(`[data-webhook-url="${receiver.url}${hookPath}"]`).locator('a.webhook-url').click();
    await page.getByTestId('webhook-page').waitFor();
    const row = page.locator(`[data-delivery-id="${hook.id}"]`);
    await row.waitFor();
    await row.getByText('Succeeded').waitFor();
    assert.equal(await row.getByTestId('status-code').textContent(), '200');
    assert.match((await row.textContent()) ?? '', /conversation\.created.*\d+ ms/);
    await eventually(() => (hooksOf('message.created').length > 0 ? true : undefined), 'the message');
    await page.getByTestId('delivery-refresh').click();
    await page.locator('[data-delivery-id]').nth(1).waitFor();
    await page.mouse.move(0, 0);
    await page.waitForTimeout(300);
    await screenshot(page, 'webhooks-04-delivery-log');
  });

  test('a 500 with hostile HTML shows as text, and Redeliver sends it again', async () => {
    const { page } = admin;
    // Every attempt fails until the receiver is fixed, automatic retries included.
    receiver.answerWith(() => ({ status: 500, body: XSS, headers: { 'content-type': 'text/html' } }));
    const seen = hooksOf('conversation.created').length;
    await visitorWithConversation(server, account.inboxId, 'Second question');
    const failed = await eventually(() => hooksOf('conversation.created')[seen], 'the failing request');

    await page.getByTestId('delivery-refresh').click();
    const row = page.locator(`[data-delivery-id="${failed.id}"]`);
    await row.getByTestId('status-code').getByText('500').waitFor();
    await row.getByText('Retrying').waitFor();
    await row.getByTestId('next-attempt').waitFor();
    await page.getByTestId('delivery-refresh').click();
    await page.getByTestId('webhook-page').locator('[data-state=failing]').waitFor();
    await page.mouse.move(0, 0);
    await page.waitForTimeout(300);
    await screenshot(page, 'webhooks-05-failing');
    await row.click();
    const drawer = page.getByTestId('delivery-drawer');
    const response = drawer.getByTestId('attempt-response').first();
    await response.waitFor();
    assert.equal(await response.textContent(), XSS);
    assert.equal(await drawer.locator('img, script').count(), 0, 'the response body is never markup');
    const body = (await drawer.getByTestId('delivery-body').textContent()) ?? '';
    assert.deepEqual(JSON.parse(body), JSON.parse(failed.body), 'the exact body sent, pretty-printed');
    assert.match(body, /\n {2}"type": "conversation.created"/);

    receiver.answerWith(() => ({ status: 200, body: 'ok' }));
    const sent = receiver.received.filter((h) => h.id === failed.id).length;
    await drawer.getByTestId('redeliver').click();
    await eventually(
      () => (receiver.received.filter((h) => h.id === failed.id).length > sent ? true : undefined),
      'the redelivery',
    );
    const again = receiver.received.filter((h) => h.id === failed.id);
    assert.equal(new Set(again.map((h) => h.body)).size, 1, 'the same body under the same webhook-id');
    assert.ok(again.every((h) => signedWith(secret, h)));
    await drawer.getByTestId('attempt').nth(1).waitFor();
    assert.equal(await drawer.getByTestId('attempt').first().getByTestId('status-code').textContent(), '200');
    await drawer.getByText('Succeeded').waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, 'webhooks-06-delivery-attempts');
    assert.equal(admin.problems.length, 0, 'no script ran from the response body');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });

    // The filter asks the server for one status only.
    await page.getByTestId('delivery-filter').getByText('Pending').click();
    await page.getByText('No deliveries with this status.').waitFor();
    await page.getByTestId('delivery-filter').getByText('Succeeded').click();
    await row.waitFor();
  });

  test('rotate the secret, turn off and enable again, then delete after confirming', async () => {
    const { page } = admin;
    await page.getByTestId('webhook-menu').click();
    await page.getByTestId('webhook-rotate').click();
    assert.equal(await page.locator('input[name=overlapHours]').inputValue(), '24');
    await page.getByTestId('rotate-secret').click();
    const fresh = (await page.getByTestId('webhook-secret').textContent()) ?? '';
    assert.match(fresh, /^whsec_/);
    assert.notEqual(fresh, secret);
    await page.getByText('The previous secret keeps signing until').waitFor();
    await page.getByTestId('webhook-secret-done').click();
    await page.getByText('The previous secret also signs until').waitFor();

    await page.getByTestId('webhook-menu').click();
    await page.getByRole('menuitem', { name: 'Turn off' }).click();
    await page.getByText('Turned off by an admin.').waitFor();
    await page.getByTestId('webhook-page').getByTestId('webhook-enable').click();
    await page.getByTestId('webhook-page').locator('[data-state=active]').waitFor();

    await page.getByTestId('webhook-edit').click();
    await page.locator('input[name=webhookDescription]').fill('CRM sync (orders)');
    await page.getByTestId('save-webhook').click();
    await page.getByText('CRM sync (orders)').waitFor();

    await page.getByTestId('webhook-menu').click();
    await page.getByTestId('webhook-delete').click();
    await page.getByText('Its delivery log goes with it').waitFor();
    await page.getByTestId('confirm').click();
    await page.getByText('No endpoints yet').waitFor();
  });

  test('agents read why they cannot manage webhooks', async () => {
    const agent = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const page = await context.newPage();
    const problems = watchForScriptErrors(page);
    await page.goto(`${server.publicUrl}/settings/webhooks`);
    await page.locator('input[name=email]').fill(agent.email);
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Only admins manage webhooks.').waitFor();
    assert.equal(await page.getByTestId('new-webhook').count(), 0);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
