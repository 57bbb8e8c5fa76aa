/**
 * Search end to end: `/` opens the search screen from the inbox, a word finds a message far up a long
 * thread with the word marked (and markup in messages stays text), opening the result shows the
 * conversation scrolled to that message and points it out; filters narrow the results; the contacts
 * tab finds the customer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { contacts } from '../apps/server/src/db/schema.ts';
import { createInbox } from '../apps/server/src/modules/inboxes/commands.ts';
import {
  makeAccount,
  PASSWORD,
  type TestAccount,
  visitorWithConversation,
} from '../apps/server/test/factories.ts';
import type { TestServer } from '../apps/server/test/harness.ts';
import { launchBrowser, screenshot, signIn, watchForScriptErrors } from './support/browser.ts';
import { startE2EServer } from './support/server.ts';

let server: TestServer & { publicUrl: string };
let browser: Browser;
let page: Page;
let problems: string[];
let account: TestAccount;
let conversationId = '';
const TARGET_SEQ = 7;
const LAST_SEQ = 180;

before(async () => {
  server = await startE2EServer();
  account = await makeAccount(server);
  const db = server.ctx.database.db;
  const shop = await createInbox(db, account.accountId, { name: 'Shop', channelType: 'web' });

  // A long thread: the message to find is the 7th of 180, far above the first page the thread loads.
  const started = await visitorWithConversation(server, account.inboxId, 'Hello, I have a question');
  conversationId = started.conversationId;
  await db
    .update(contacts)
    .set({ name: 'Margarethe Quist', email: 'mq@quist.example', company: 'Quist GmbH' })
    .where(sql`${contacts.id} = ${started.visitor.contactId}::uuid`);
  await server.ctx.database.rows(sql`
    insert into messages (id, conversation_id, account_id, seq, kind, sender_kind, sender_name, body, created_at)
    select gen_random_uuid(), ${conversationId}::uuid, ${account.accountId}::uuid, g, 'text',
           case when g % 2 = 0 then 'agent' else 'contact' end,
           case when g % 2 = 0 then 'Admin' else null end,
           case when g = ${TARGET_SEQ} then 'My blue umbrella order never arrived <img src=x onerror=alert(1)>'
                when g = 12 then 'We ship every umbrella order within two days, I am checking yours now'
                else 'Thanks, message number ' || g end,
           now() - (${LAST_SEQ} - g) * interval '1 minute'
    from generate_series(2, ${LAST_SEQ}) g`);
  await server.ctx.database.rows(
    sql`update conversations set last_seq = ${LAST_SEQ} where id = ${conversationId}::uuid`,
  );
  // Another conversation, in another inbox, that also talks about umbrellas.
  await visitorWithConversation(server, shop.id, 'Do you sell umbrella stands?');

  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  problems = watchForScriptErrors(page);
  await page.goto(`${server.publicUrl}/inbox/all`);
  await signIn(page, account.admin.email, PASSWORD);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const results = () => page.getByTestId('search-result');

describe('search', () => {
  test('/ opens search; a word finds the message with the word marked and markup left as text', async () => {
    await page.keyboard.press('/');
    await page.waitForURL(/\/search$/);
    const input = page.getByTestId('search-input');
    await input.waitFor();
    assert.equal(await input.evaluate((node) => node === document.activeElement), true);

    await input.fill('umbrel');
    await page.waitForURL(/q=umbrel/);
    await results().nth(2).waitFor();
    assert.equal(await results().count(), 3);
    const hit = page.locator(`[data-testid=search-result][data-seq="${TARGET_SEQ}"]`);
    await hit.waitFor();
    assert.deepEqual(await hit.locator('mark').allTextContents(), ['umbrella']);
    assert.match((await hit.textContent()) ?? '', /<img src=x onerror=alert\(1\)>/);
    assert.equal(await hit.locator('img').count(), 0);
    await hit.getByText('Margarethe Quist', { exact: true }).waitFor();
    await screenshot(page, 'search-01-results');
    await page.screenshot({ path: '/tmp/search-01-results.png' });

    // A filter narrows the results: only the Shop inbox.
    await page.getByTestId('search-filter-inbox').click();
    await page.getByRole('option', { name: 'Shop' }).click();
    await page.waitForURL(/inbox=/);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=search-result]').length === 1);
    assert.equal(await hit.count(), 0);
    await page.getByTestId('search-clear-filters').click();
    await hit.waitFor();
    assert.deepEqual(problems, []);
  });

  test('opening a result shows the conversation scrolled to that message, pointed out', async () => {
    await page.locator(`[data-testid=search-result][data-seq="${TARGET_SEQ}"]`).click();
    await page.locator(`[data-testid=conversation-pane][data-conversation-id="${conversationId}"]`).waitFor();
    // Far above the first page: older pages are loaded until it is there, then it is in view.
    await page.waitForFunction((seq) => {
      const row = document.querySelector(`.msg[data-seq="${seq}"]`);
      const scroller = document.querySelector('[data-testid=message-scroll]');
      if (!row || !scroller) return false;
      const r = row.getBoundingClientRect();
      const s = scroller.getBoundingClientRect();
      return r.top >= s.top && r.bottom <= s.bottom;
    }, TARGET_SEQ);
    const target = page.locator(`.msg[data-seq="${TARGET_SEQ}"]`);
    assert.match((await target.textContent()) ?? '', /blue umbrella order never arrived/);
    await page.waitForFunction(
      (seq) => document.querySelector(`.msg[data-seq="${seq}"]`)?.classList.contains('msg--focus') === true,
      TARGET_SEQ,
    );
    const newestVisible = await page.evaluate(() => {
      const scroller = document.querySelector('[data-testid=message-scroll]') as HTMLElement;
      return scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 4;
    });
    assert.equal(newestVisible, false);
    await screenshot(page, 'search-02-opened-at-message');
    await page.screenshot({ path: '/tmp/search-02-opened-at-message.png' });
    assert.deepEqual(problems, []);
  });

  test('the contacts tab finds the customer by a piece of their e-mail', async () => {
    await page.goto(`${server.publicUrl}/search?type=contacts`);
    await page.getByTestId('search-input').fill('mq@quist');
    const contact = page.getByTestId('search-contact-result');
    await contact.waitFor();
    assert.equal(await contact.count(), 1);
    assert.ok((await contact.locator('mark').allTextContents()).includes('mq@quist.example'));
    await page.screenshot({ path: '/tmp/search-03-contacts.png' });
    await contact.click();
    await page.waitForURL(/\/contacts\/[0-9a-f-]+$/);
    assert.deepEqual(problems, []);
  });
});
