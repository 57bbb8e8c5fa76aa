/**
 * Routing settings through the dashboard: an admin switches an inbox to the messaging style, turns on the
 * built-in bot with a menu and a keyword answer, sets an agent's capacity and skills, creates a tag and a
 * rule that uses it, disables the rule, and every change is what the API then returns.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Inbox, RoutingProfile, Rule, Tag } from '@parley/shared';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  loginAs,
  makeAccount,
  makeMember,
  PASSWORD,
  type TestAccount,
} from '../apps/server/test/factories.ts';
import type { TestServer } from '../apps/server/test/harness.ts';
import type { HttpClient } from '../apps/server/test/http-client.ts';
import { launchBrowser, screenshot, signIn, watchForScriptErrors } from './support/browser.ts';
import { startE2EServer } from './support/server.ts';

let server: TestServer & { publicUrl: string };
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
let account: TestAccount;
let api: HttpClient;
let agent: { userId: string; email: string; name: string };

const HOSTILE_TAG = '<img src=x onerror=alert(1)>vip';

before(async () => {
  server = await startE2EServer();
  account = await makeAccount(server, { inboxSettings: { style: 'live_chat' } });
  agent = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
  api = await loginAs(server, account.admin.email);
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'en-US' });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  problems = watchForScriptErrors(page);
  await page.goto(`${server.publicUrl}/settings/inboxes`);
  await signIn(page, account.admin.email, PASSWORD);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const base = () => `/api/accounts/${account.accountId}`;

async function pick(label: string, option: string, scope = page.locator('body')): Promise<void> {
  await scope.getByLabel(label, { exact: true }).first().click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

describe('routing settings in the dashboard', () => {
  test('the inbox becomes messaging with a 7-day close, no auto-assign, a skill and a bot', async () => {
    await page.goto(`${server.publicUrl}/settings/inboxes/${account.inboxId}`);
    await page.getByTestId('inbox-editor').waitFor();
    await page.getByTestId('inbox-style').getByText('Messaging', { exact: true }).click();
    const days = page.getByLabel('Close solved conversations after (days, 1–28)', { exact: true });
    await days.fill('7');
    await page.getByRole('switch', { name: 'Assign conversations automatically' }).click({ force: true });
    await page.getByRole('switch', { name: 'Reassign when an agent goes offline' }).click({ force: true });
    const skills = page.getByTestId('required-skills');
    await skills.fill('billing');
    await skills.press('Enter');

    await page.getByRole('switch', { name: 'Bot answers first' }).click({ force: true });
    await page.locator('input[name=botName]').fill('Acme Bot');
    await page.locator('textarea[name=botGreeting]').fill('Hi! I am the Acme bot.');
    await page.locator('input[name=menuText]').fill('What do you need?');
    await page.getByRole('button', { name: 'Add option' }).click();
    const option = page.getByTestId('bot-option').first();
    await option.getByLabel('Button label', { exact: true }).fill('Opening hours');
    await option.getByLabel('Answer', { exact: true }).fill('We are open 9:00–17:00.');
    await page.getByRole('button', { name: 'Add option' }).click();
    const handoff = page.getByTestId('bot-option').nth(1);
    await handoff.getByLabel('Button label', { exact: true }).fill('Sales');
    await handoff.getByLabel('What the button does', { exact: true }).click();
    await page.getByRole('option', { name: 'Hands off to a person' }).click();
    await page.getByRole('button', { name: 'Add keyword answer' }).click();
    const keyword = page.getByTestId('bot-keyword').first();
    await keyword.getByLabel('Keywords', { exact: true }).fill('shipping');
    await keyword.getByLabel('Keywords', { exact: true }).press('Enter');
    await keyword.getByLabel('Answer for these keywords', { exact: true }).fill('Shipping takes 2 days.');
    await page
      .getByTestId('bot-settings')
      .screenshot({ path: 'test-results/screenshots/settings-routing-01-bot.png' });
    await page.getByTestId('save-inbox').click();
    await page.getByText('Saved').first().waitFor();

    const saved = await api.get(`${base()}/inboxes/${account.inboxId}`);
    assert.equal(saved.status, 200, saved.text);
    const settings = (saved.body.inbox as Inbox).settings;
    assert.equal(settings.style, 'messaging');
    assert.equal(settings.messagingCloseDays, 7);
    assert.equal(settings.autoAssign, false);
    assert.equal(settings.reassignOnOffline, true);
    assert.deepEqual(settings.requiredSkills, ['billing']);
    assert.equal(settings.bot.enabled, true);
    assert.equal(settings.bot.kind, 'builtin');
    assert.equal(settings.bot.name, 'Acme Bot');
    assert.equal(settings.bot.greeting, 'Hi! I am the Acme bot.');
    assert.equal(settings.bot.menu.text, 'What do you need?');
    assert.deepEqual(
      settings.bot.menu.options.map((o) => [o.label, o.action, o.reply]),
      [
        ['Opening hours', 'reply', 'We are open 9:00–17:00.'],
        ['Sales', 'handoff', ''],
      ],
    );
    assert.deepEqual(settings.bot.keywords, [{ keywords: ['shipping'], reply: 'Shipping takes 2 days.' }]);
    assert.equal(settings.bot.webhook, undefined);
    await page.reload();
    await page.getByTestId('inbox-editor').waitFor();
    assert.equal(
      await page.getByLabel('Close solved conversations after (days, 1–28)', { exact: true }).inputValue(),
      '7',
    );
    await page
      .locator('.mantine-Paper-root', {
        has: page.getByRole('heading', { name: 'Conversations and routing' }),
      })
      .screenshot({ path: 'test-results/screenshots/settings-routing-02-routing.png' });
  });

  test("an agent's capacity, per-channel capacity and skills", async () => {
    await page.goto(`${server.publicUrl}/settings/agents`);
    const row = page.locator(`[data-member-email="${agent.email}"]`);
    await row.getByTestId('agent-routing').click();
    const editor = page.getByTestId('routing-editor');
    await editor.getByLabel('Capacity', { exact: true }).fill('3');
    await editor.getByLabel('Website', { exact: true }).fill('2');
    await editor.getByTestId('agent-skills').fill('billing');
    await editor.getByTestId('agent-skills').press('Enter');
    await screenshot(page, 'settings-routing-03-agent');
    await page.getByTestId('save-routing').click();
    await editor.waitFor({ state: 'detached' });
    const list = await api.get(`${base()}/routing/agents`);
    const profile = (list.body.agents as RoutingProfile[]).find((a) => a.userId === agent.userId);
    assert.ok(profile);
    assert.equal(profile.capacity, 3);
    assert.deepEqual(profile.channelCapacity, { web: 2 });
    assert.deepEqual(profile.skills, ['billing']);
    await row.getByText('0 of 3').waitFor();
  });

  test('a tag and a rule that uses it; the rule is disabled, edited and deleted', async () => {
    await page.goto(`${server.publicUrl}/settings/rules`);
    await page.getByText('No rules yet.').waitFor();
    await page.locator('input[name=tagName]').fill(HOSTILE_TAG);
    await page.getByTestId('create-tag').click();
    await page.getByTestId('tags-panel').getByText(HOSTILE_TAG).waitFor();
    const tags = (await api.get(`${base()}/tags`)).body.tags as Tag[];
    const tag = tags.find((t) => t.name === HOSTILE_TAG);
    assert.ok(tag);

    await page.getByTestId('new-rule').click();
    const editor = page.getByTestId('rule-editor');
    await editor.locator('input[name=ruleName]').fill('Refunds are VIP');
    await pick('When', 'A message arrives', editor);
    await editor.getByRole('button', { name: 'Add condition' }).click();
    const condition = editor.getByTestId('rule-condition').first();
    await pick('Condition', 'Message contains', condition);
    await condition.getByLabel('Message contains', { exact: true }).fill('refund');
    await condition.getByLabel('Message contains', { exact: true }).press('Enter');
    const action = editor.getByTestId('rule-action').first();
    await pick('Add tag', HOSTILE_TAG, action);
    await editor.getByRole('button', { name: 'Add action' }).click();
    const second = editor.getByTestId('rule-action').nth(1);
    await pick('Action', 'Set priority', second);
    await pick('Set priority', 'Urgent', second);
    await screenshot(page, 'settings-routing-04-rule');
    await page.getByTestId('save-rule').click();
    await editor.waitFor({ state: 'detached' });
    await page.getByTestId('rule-row').getByText('Refunds are VIP').waitFor();

    let rules = (await api.get(`${base()}/rules`)).body.rules as Rule[];
    assert.equal(rules.length, 1);
    const rule = rules[0];
    assert.ok(rule);
    assert.equal(rule.event, 'message_created');
    assert.equal(rule.enabled, true);
    assert.deepEqual(rule.conditions, [{ type: 'text_contains', values: ['refund'] }]);
    assert.deepEqual(rule.actions, [
      { type: 'add_tag', tagId: tag.id },
      { type: 'set_priority', priority: 'urgent' },
    ]);

    // Disable from the list.
    await page.getByTestId('rule-row').getByRole('switch', { name: 'Enabled' }).click({ force: true });
    await assertEventually(async () => {
      rules = (await api.get(`${base()}/rules`)).body.rules as Rule[];
      return rules[0]?.enabled === false;
    }, 'the rule is disabled');
    await assertEventually(
      async () => !(await page.getByTestId('rule-row').getByRole('switch', { name: 'Enabled' }).isChecked()),
      'the list shows it disabled',
    );
    await page.waitForTimeout(300);
    await screenshot(page, 'settings-routing-05-rules-list');

    // Edit: rename.
    await page.getByTestId('rule-row').getByRole('button', { name: 'Edit rule' }).click();
    await editor.locator('input[name=ruleName]').fill('Refunds first');
    await page.getByTestId('save-rule').click();
    await page.getByTestId('rule-row').getByText('Refunds first').waitFor();
    rules = (await api.get(`${base()}/rules`)).body.rules as Rule[];
    assert.equal(rules[0]?.name, 'Refunds first');
    assert.equal(rules[0]?.enabled, false);

    // Delete.
    await page.getByTestId('rule-row').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No rules yet.').waitFor();
    assert.equal(((await api.get(`${base()}/rules`)).body.rules as Rule[]).length, 0);
    // The hostile tag name stayed text everywhere.
    assert.deepEqual(problems, []);
  });
});

async function assertEventually(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  assert.fail(`timed out waiting until ${what}`);
}
