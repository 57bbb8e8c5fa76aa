/**
 * The bot phase in real Chromium: the built-in bot greets a visitor on a customer's site with a menu of
 * buttons, answers a button and a keyword, hands off on "Talk to a human", and goes silent once an agent
 * replies. Menu labels come from admins and are rendered as text.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Message } from '@parley/shared';
import { sql } from 'drizzle-orm';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { loginAs, makeAccount, type TestAccount } from '../apps/server/test/factories.ts';
import type { TestServer } from '../apps/server/test/harness.ts';
import type { HttpClient } from '../apps/server/test/http-client.ts';
import { launchBrowser, screenshot, watchForScriptErrors } from './support/browser.ts';
import { startE2EServer, startHostSite } from './support/server.ts';

let server: TestServer & { publicUrl: string };
let browser: Browser;
let host: { origin: string; close: () => Promise<void> };
const pages: Record<string, string> = {};
let account: TestAccount;
let agent: HttpClient;

const HOSTILE = '<img src=x onerror=alert(1)>Returns';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(probe: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => null);
    if (value) return value;
    await sleep(150);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function customerPage(inboxId: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme Outdoor</title></head>
<body><h1>Acme Outdoor</h1>
<script src="${server.publicUrl}/widget.js" data-inbox="${inboxId}" async></script></body></html>`;
}

const frameOf = (page: Page): FrameLocator => page.frameLocator('[data-parley] iframe');

async function openWidget(page: Page): Promise<FrameLocator> {
  const launcher = page.locator('[data-parley] button[aria-haspopup]');
  await launcher.waitFor({ state: 'visible', timeout: 10_000 });
  await launcher.click();
  const frame = frameOf(page);
  await frame.locator('.pw-header').waitFor({ state: 'visible' });
  return frame;
}

async function write(frame: FrameLocator, text: string): Promise<void> {
  const input = frame.locator('#pw-input');
  await input.fill(text);
  await input.press('Enter');
}

const api = (path: string) => `/api/accounts/${account.accountId}${path}`;

async function conversationWith(text: string): Promise<string> {
  return eventually(async () => {
    const list = await agent.get(api('/conversations?limit=100'));
    for (const c of list.body.conversations as Array<{ id: string }>) {
      const page = await agent.get(api(`/conversations/${c.id}/messages?limit=200`));
      if ((page.body.messages as Message[]).some((m) => m.body === text)) return c.id;
    }
    return null;
  }, `a conversation with "${text}"`);
}

async function phaseOf(conversationId: string): Promise<string | null> {
  const rows = await server.ctx.database.rows<{ bot_phase: string | null }>(
    sql`select bot_phase from conversations where id = ${conversationId}`,
  );
  return rows[0]?.bot_phase ?? null;
}

before(async () => {
  server = await startE2EServer();
  host = await startHostSite(pages);
  account = await makeAccount(server, {
    inboxSettings: {
      allowedOrigins: [host.origin],
      title: 'Acme Support',
      bot: {
        enabled: true,
        name: 'Acme Bot',
        greeting: 'Hi! I am the Acme bot.',
        menu: {
          text: 'What do you need?',
          options: [
            { id: 'hours', label: 'Opening hours', reply: 'We are open 9:00–17:00.' },
            { id: 'returns', label: HOSTILE, reply: 'Returns are free for 60 days.' },
          ],
        },
        keywords: [{ keywords: ['shipping'], reply: 'Shipping takes 2 days.' }],
      },
    },
  });
  agent = await loginAs(server, account.admin.email);
  pages['/'] = customerPage(account.inboxId);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await host?.close();
  await server?.close();
});

describe('bot in the widget', () => {
  test('the bot greets with buttons, answers, hands off on "Talk to a human", and an agent takes over', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = watchForScriptErrors(page);
    await page.goto(`${host.origin}/`);
    const frame = await openWidget(page);

    await write(frame, 'Hello');
    await frame.locator('.pw-bubble', { hasText: 'Hi! I am the Acme bot.' }).waitFor();
    const choices = frame.locator('.pw-choices .pw-choice');
    await choices.first().waitFor();
    assert.deepEqual(await choices.allTextContents(), ['Opening hours', HOSTILE, 'Talk to a human']);
    // The admin's label is text: no element was made from it.
    assert.equal(await frame.locator('.pw-choices img').count(), 0);
    const human = frame.locator('.pw-botbar .pw-human');
    assert.equal(await human.isVisible(), false, 'the menu offers a person already');
    await screenshot(page, 'bot-menu');

    // A button sends its label, and the bot answers that option; the menu's buttons go away.
    await frame.locator('.pw-choice', { hasText: 'Opening hours' }).click();
    await frame.locator('.pw-msg--me .pw-bubble', { hasText: 'Opening hours' }).waitFor();
    await frame.locator('.pw-bubble', { hasText: 'We are open 9:00–17:00.' }).waitFor();
    assert.equal(await choices.count(), 0);
    const conversationId = await conversationWith('Opening hours');
    const pressed = await agent.get(api(`/conversations/${conversationId}/messages?limit=200`));
    const sent = (pressed.body.messages as Message[]).find((m) => m.body === 'Opening hours');
    assert.deepEqual(sent?.attributes, { buttonId: 'hours' });

    await write(frame, 'how long is shipping?');
    await frame.locator('.pw-bubble', { hasText: 'Shipping takes 2 days.' }).waitFor();
    // Without a menu on screen, the bar offers a person while the bot holds the conversation.
    await human.waitFor({ state: 'visible' });

    // "Talk to a human": requested, shown in the thread, the button goes.
    await human.click();
    await frame.locator('.pw-activity', { hasText: 'You asked for a person' }).waitFor();
    await human.waitFor({ state: 'hidden' });
    assert.equal(await phaseOf(conversationId), 'requested');
    const requested = await agent.get(api('/conversations?view=requested'));
    assert.deepEqual(
      (requested.body.conversations as Array<{ id: string }>).map((c) => c.id),
      [conversationId],
    );
    await screenshot(page, 'bot-handoff');

    // An agent replies: the visitor sees it, the bot is silent from then on.
    const reply = await agent.post(api(`/conversations/${conversationId}/messages`), {
      clientMsgId: `agent-${Date.now()}`,
      body: 'Hi, this is Ana from Acme. How can I help?',
    });
    assert.equal(reply.status, 201);
    await frame.locator('.pw-bubble', { hasText: 'this is Ana from Acme' }).waitFor();
    await frame.locator('.pw-activity', { hasText: 'joined the conversation' }).waitFor();
    assert.equal(await phaseOf(conversationId), 'accepted');
    await write(frame, 'and shipping again?');
    await frame.locator('.pw-msg--me .pw-bubble', { hasText: 'and shipping again?' }).waitFor();
    await sleep(2_500); // longer than the job poll: the bot would have answered by now
    assert.equal(await frame.locator('.pw-bubble', { hasText: 'Shipping takes 2 days.' }).count(), 1);
    assert.equal(await human.isVisible(), false);
    await screenshot(page, 'bot-accepted');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a visitor typing "quero falar com atendente" in Portuguese is handed off', async () => {
    const context = await browser.newContext({ locale: 'pt-BR' });
    const page = await context.newPage();
    const problems = watchForScriptErrors(page);
    await page.goto(`${host.origin}/`);
    const frame = await openWidget(page);
    await write(frame, 'Olá');
    await frame.locator('.pw-choice', { hasText: 'Opening hours' }).waitFor();
    await write(frame, 'Quanto tempo o shipping leva?');
    await frame.locator('.pw-bubble', { hasText: 'Shipping takes 2 days.' }).waitFor();
    await frame.locator('.pw-botbar .pw-human', { hasText: 'Falar com um atendente' }).waitFor();
    await write(frame, 'Quero falar com atendente');
    await frame.locator('.pw-activity', { hasText: 'Você pediu para falar com uma pessoa' }).waitFor();
    const conversationId = await conversationWith('Quero falar com atendente');
    assert.equal(await phaseOf(conversationId), 'requested');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
