/**
 * The contact profile in the dashboard: attributes edited in place (hostile names and values stay text),
 * the journey with a transfer and a tag change, the side panel, merging two contacts from the contact
 * page, and blocking a contact, which the chat widget then shows to the visitor.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Contact, ContactDetail, Tag } from '@parley/shared';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import {
  loginAs,
  makeAccount,
  makeMember,
  PASSWORD,
  type TestAccount,
  visitorOf,
} from '../apps/server/test/factories.ts';
import type { TestServer } from '../apps/server/test/harness.ts';
import type { HttpClient } from '../apps/server/test/http-client.ts';
import { launchBrowser, screenshot, screenshotDir, signIn, watchForScriptErrors } from './support/browser.ts';
import { startE2EServer, startHostSite } from './support/server.ts';

let server: TestServer & { publicUrl: string };
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
let account: TestAccount;
let api: HttpClient;
let agent: { userId: string; email: string; name: string };
let host: { origin: string; close: () => Promise<void> };
const hostPages: Record<string, string> = {};

const HOSTILE_LABEL = '<img src=x onerror=alert(1)>Segment';
const HOSTILE_VALUE = '<script>alert("value")</script><b>bold</b>';
let ana: HttpClient & { contactId: string };
let duplicate: HttpClient & { contactId: string };
let anaConversation = '';
let duplicateConversation = '';
let counter = 0;
const msgId = () => `e2e-${Date.now()}-${counter++}`;

const base = () => `/api/accounts/${account.accountId}`;

async function contactOf(contactId: string): Promise<ContactDetail> {
  const res = await api.get(`${base()}/contacts/${contactId}`);
  assert.equal(res.status, 200, res.text);
  return res.body as unknown as ContactDetail;
}

async function eventually<T>(probe: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`timed out waiting for ${what}`);
}

before(async () => {
  server = await startE2EServer();
  host = await startHostSite(hostPages);
  account = await makeAccount(server, { inboxSettings: { allowedOrigins: [host.origin] } });
  agent = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
  api = await loginAs(server, account.admin.email);
  hostPages['/'] =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme Outdoor</title></head>
<body><h1>Gear for every trail</h1>
<script src="${server.publicUrl}/widget.js" data-inbox="${account.inboxId}" async></script></body></html>`;

  for (const definition of [
    { key: 'plan', label: 'Plan', type: 'list', options: ['free', 'pro', 'enterprise'] },
    { key: 'seats', label: 'Seats', type: 'number' },
    { key: 'renewal', label: 'Renewal date', type: 'date' },
    { key: 'vip', label: 'VIP', type: 'boolean' },
    { key: 'crm', label: 'CRM record', type: 'link' },
    { key: 'segment', label: HOSTILE_LABEL, type: 'text' },
  ]) {
    const res = await api.post(`${base()}/attribute-definitions`, definition);
    assert.equal(res.status, 201, res.text);
  }

  ana = await visitorOf(server, account.inboxId, { name: 'Ana Souza', email: 'ana@example.test' });
  const started = await ana.post('/api/client/conversations', {
    message: { clientMsgId: msgId(), body: 'My boots arrived in the wrong size' },
  });
  anaConversation = (started.body.conversation as { id: string }).id;
  await ana.post('/api/client/context', {
    url: 'https://shop.example/orders/42',
    title: 'Order #42',
    locale: 'pt-BR',
    timezone: 'America/Sao_Paulo',
  });
  const transfer = await api.post(`${base()}/conversations/${anaConversation}/transfer`, {
    assigneeId: agent.userId,
    note: 'Exchange for a larger size',
  });
  assert.equal(transfer.status, 200, transfer.text);
  const tag = await api.post(`${base()}/tags`, { name: 'returns' });
  await api.request('PUT', `${base()}/conversations/${anaConversation}/tags/${(tag.body.tag as Tag).id}`);
  const edited = await api.request('PATCH', `${base()}/contacts/${ana.contactId}`, {
    phone: '+55 11 98765-4321',
    company: 'Trail Runners',
    attributes: { segment: HOSTILE_VALUE, renewal: '2026-03-01', crm: 'https://crm.example/c/ana' },
  });
  assert.equal(edited.status, 200, edited.text);

  duplicate = await visitorOf(server, account.inboxId, { name: 'Ana S.', email: 'ana.souza@work.example' });
  const second = await duplicate.post('/api/client/conversations', {
    message: { clientMsgId: msgId(), body: 'Writing from my work address' },
  });
  duplicateConversation = (second.body.conversation as { id: string }).id;

  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1440, height: 960 }, locale: 'en-US' });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  problems = watchForScriptErrors(page);
  await page.goto(`${server.publicUrl}/contacts`);
  await signIn(page, account.admin.email, PASSWORD);
});

after(async () => {
  await browser?.close();
  await host?.close();
  await server?.close();
});

describe('contacts in the dashboard', () => {
  test('settings: an admin defines a list attribute with its options', async () => {
    await page.goto(`${server.publicUrl}/settings/attributes`);
    await page.getByTestId('attribute-row').first().waitFor();
    await page.getByTestId('new-attribute').click();
    const modal = page.getByRole('dialog');
    await modal.locator('input[name=attributeLabel]').fill('Shoe size region');
    assert.equal(await modal.locator('input[name=attributeKey]').inputValue(), 'shoe_size_region');
    await modal.getByLabel('Type', { exact: true }).click();
    await page.getByRole('option', { name: 'List', exact: true }).click();
    const options = modal.getByTestId('attribute-options');
    for (const option of ['EU', 'US', 'UK']) {
      await options.fill(option);
      await options.press('Enter');
    }
    await modal.getByRole('button', { name: 'Save' }).click();
    await page.locator('[data-testid=attribute-row][data-key=shoe_size_region]').waitFor();
    await screenshot(page, 'contacts-00-attribute-settings');
    const listed = await api.get(`${base()}/attribute-definitions`);
    const created = (listed.body.definitions as Array<{ key: string; type: string; options: string[] }>).find(
      (d) => d.key === 'shoe_size_region',
    );
    assert.deepEqual([created?.type, created?.options], ['list', ['EU', 'US', 'UK']]);
    // The hostile label is text in the settings too.
    assert.equal(await page.getByText(HOSTILE_LABEL, { exact: true }).count(), 1);
  });

  test('the list searches by phone; an attribute is edited in place; hostile names and values stay text', async () => {
    await page.goto(`${server.publicUrl}/contacts`);
    await page.getByTestId('contacts-table').waitFor();
    await page.getByTestId('contacts-search').fill('98765');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=contact-row]').length === 1);
    await screenshot(page, 'contacts-01-list');
    await page.getByTestId('contact-row').getByText('Ana Souza').click();
    await page.getByTestId('contact-screen').waitFor();
    assert.equal(await page.getByTestId('contact-title').textContent(), 'Ana Souza');

    // A list attribute: pick the option, it saves.
    await page.getByTestId('attr-plan-edit').click();
    await page.getByRole('option', { name: 'pro', exact: true }).click();
    await page.getByTestId('attr-plan').getByText('pro', { exact: true }).waitFor();
    // A number: type and press Enter.
    await page.getByTestId('attr-seats-edit').click();
    await page.getByTestId('attr-seats-input').fill('12');
    await page.getByTestId('attr-seats-input').press('Enter');
    await page.getByTestId('attr-seats').getByText('12', { exact: true }).waitFor();
    // A yes/no attribute is a switch.
    await page.getByTestId('attr-vip').getByRole('switch').click({ force: true });
    await page.getByTestId('attr-vip').getByText('Yes', { exact: true }).waitFor();
    // A bad link is refused with the server's reason, and nothing changes.
    await page.getByTestId('attr-crm-edit').click();
    await page.getByTestId('attr-crm-input').fill('javascript:alert(1)');
    await page.getByTestId('attr-crm-input').press('Enter');
    await page
      .getByTestId('attr-crm')
      .getByText(/needs an http\(s\) link/)
      .waitFor();
    await page.getByTestId('attr-crm-input').press('Escape');

    const saved = (await contactOf(ana.contactId)).contact;
    assert.equal(saved.attributes.plan, 'pro');
    assert.equal(saved.attributes.seats, 12);
    assert.equal(saved.attributes.vip, true);
    assert.equal(saved.attributes.crm, 'https://crm.example/c/ana');

    const hostile = page.getByTestId('attr-segment');
    assert.equal(await hostile.locator('.field__label').textContent(), HOSTILE_LABEL);
    await hostile.getByText(HOSTILE_VALUE, { exact: true }).waitFor();
    assert.equal(await hostile.locator('img, script, b').count(), 0);
    assert.deepEqual(problems, []);
  });

  test('the journey tells the transfer and the tag change, and the edits', async () => {
    const journey = page.getByTestId('journey');
    await journey.getByText(`Admin transferred the conversation to ${agent.name}`).waitFor();
    await journey.getByText('Admin added the tag “returns” to the conversation').waitFor();
    await journey.getByText('Ana Souza started a conversation in Website').waitFor();
    await journey.getByText('Admin changed VIP').waitFor();
    await page.getByTestId('contact-conversations').getByText('My boots arrived in the wrong size').waitFor();
    await screenshot(page, 'contacts-02-page-journey');
  });

  test('the side panel beside the conversation edits the contact and shows the latest journey', async () => {
    await page.goto(`${server.publicUrl}/inbox/all/${anaConversation}`);
    const panel = page.getByTestId('contact-panel');
    await panel.getByTestId('contact-page').getByText('Order #42').waitFor();
    // The latest entries: the attribute edits made on the contact page.
    await panel.getByTestId('journey').getByText('Admin changed VIP').waitFor();
    await panel.getByTestId('field-company-edit').click();
    await panel.getByTestId('field-company-input').fill('Trail Runners Ltd');
    await panel.getByTestId('field-company-input').press('Enter');
    await panel.getByTestId('field-company').getByText('Trail Runners Ltd').waitFor();
    await panel.getByTestId('journey').getByText('Admin changed Company').waitFor();
    await screenshot(page, 'contacts-03-panel');
    assert.equal((await contactOf(ana.contactId)).contact.company, 'Trail Runners Ltd');
  });

  test('merges the duplicate from the contact page; the conversations are together', async () => {
    await page.goto(`${server.publicUrl}/contacts/${ana.contactId}`);
    await page.getByTestId('merge-open').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('merge-search').fill('work.example');
    await dialog.getByTestId('merge-candidate').getByText('Ana S.').click();
    const confirm = dialog.getByTestId('merge-confirm');
    await confirm.getByText('Conversations: 1').waitFor();
    await confirm.getByText(/Fills in: .*E-mail|Both have a value.*E-mail/).waitFor();
    await screenshot(page, 'contacts-04-merge-dialog');
    await dialog.getByTestId('merge-submit').click();
    await page.getByText('Contacts merged; conversations moved: 1').waitFor();

    const conversations = page.getByTestId('contact-conversation');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=contact-conversation]').length === 2,
    );
    assert.deepEqual(
      (
        await conversations.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-conversation-id')))
      ).sort(),
      [anaConversation, duplicateConversation].sort(),
    );
    await page.getByTestId('journey').getByText('Admin merged Ana S. into this contact').waitFor();
    const merged = await contactOf(duplicate.contactId);
    assert.equal(merged.contact.mergedIntoId, ana.contactId);

    await page.goto(`${server.publicUrl}/contacts`);
    await page.getByTestId('contacts-table').waitFor();
    assert.equal(await page.getByTestId('contact-row').filter({ hasText: 'Ana S.' }).count(), 0);
    // The duplicate's widget session keeps working, as the merged contact.
    const wrote = await duplicate.post(`/api/client/conversations/${duplicateConversation}/messages`, {
      clientMsgId: msgId(),
      body: 'Still me',
    });
    assert.equal(wrote.status, 201, wrote.text);
  });

  test('blocking a contact: the widget tells the visitor; unblocking lets them write again', async () => {
    const visitorContext = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'en-US',
    });
    const visitorPage = await visitorContext.newPage();
    const visitorProblems = watchForScriptErrors(visitorPage);
    await visitorPage.goto(`${host.origin}/`);
    const launcher = visitorPage.locator('[data-parley] button[aria-haspopup]');
    await launcher.waitFor({ state: 'visible' });
    await launcher.click();
    const widget: FrameLocator = visitorPage.frameLocator('[data-parley] iframe');
    await widget.locator('.pw-header').waitFor({ state: 'visible' });
    const send = async (text: string) => {
      await widget.locator('#pw-input').fill(text);
      await widget.locator('#pw-input').press('Enter');
    };
    await send('Hello, I am a new visitor');
    await widget.locator('.pw-bubble', { hasText: 'Hello, I am a new visitor' }).first().waitFor();

    const contactId = await eventually(async () => {
      const res = await api.get(`${base()}/contacts?q=`);
      const contacts = (res.body.contacts as Contact[]) ?? [];
      const detail = await Promise.all(contacts.map((c) => contactOf(c.id)));
      return detail.find((d) =>
        d.conversations.some((c) => c.lastMessagePreview === 'Hello, I am a new visitor'),
      )?.contact.id;
    }, 'the widget visitor');

    await page.goto(`${server.publicUrl}/contacts/${contactId}`);
    await page.getByTestId('block').click();
    await page.getByTestId('confirm').click();
    await page.getByTestId('contact-blocked').first().waitFor();
    await page.getByTestId('journey').getByText('Admin blocked the contact').waitFor();

    await send('Can you hear me?');
    await widget.getByText('You can no longer send messages in this chat.').waitFor();
    await widget.locator('.pw-msg--failed', { hasText: 'Can you hear me?' }).waitFor();
    await visitorPage.screenshot({ path: `${screenshotDir}/contacts-05-widget-blocked.png` });
    const whileBlocked = await contactOf(contactId);
    assert.ok(!whileBlocked.conversations.some((c) => c.lastMessagePreview === 'Can you hear me?'));

    await page.getByTestId('unblock').click();
    await page.getByTestId('block').waitFor();
    await send('Thanks for letting me back');
    await widget
      .locator('.pw-msg--them, .pw-msg', { hasText: 'Thanks for letting me back' })
      .first()
      .waitFor();
    await eventually(async () => {
      const detail = await contactOf(contactId);
      return detail.conversations.some((c) => c.lastMessagePreview === 'Thanks for letting me back');
    }, 'the message after unblocking');
    await widget.getByText('You can no longer send messages in this chat.').waitFor({ state: 'hidden' });
    assert.deepEqual(visitorProblems, []);
    assert.deepEqual(problems, []);
    await visitorContext.close();
  });
});
