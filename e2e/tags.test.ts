/**
 * Tags in the dashboard: a tag created inline on a conversation shows as a chip in the list, the list is
 * filtered by it (and follows live tagging), the filter is saved as a view that survives a reload, and a
 * hostile tag name is only ever text.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Tag } from '@parley/shared';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  loginAs,
  makeAccount,
  PASSWORD,
  type TestAccount,
  visitorOf,
} from '../apps/server/test/factories.ts';
import type { HttpClient } from '../apps/server/test/http-client.ts';
import { launchBrowser, screenshot, signIn, watchForScriptErrors } from './support/browser.ts';
import { startE2EServer } from './support/server.ts';

const HOSTILE = '<img src=x onerror=alert(1)>';

let server: Awaited<ReturnType<typeof startE2EServer>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
let account: TestAccount;
let api: HttpClient;
const people: Record<'ana' | 'bruno' | 'carla', string> = { ana: '', bruno: '', carla: '' };
let billing: Tag | undefined;

async function customer(name: string, message: string): Promise<string> {
  const visitor = await visitorOf(server, account.inboxId, { name });
  const res = await visitor.post('/api/client/conversations', {
    message: { clientMsgId: `first-${name}`, body: message },
  });
  assert.equal(res.status, 201, res.text);
  return (res.body.conversation as { id: string }).id;
}

const row = (conversationId: string) => page.locator(`.row[data-conversation-id="${conversationId}"]`);

async function listed(): Promise<string[]> {
  return page
    .locator('.list__rows .row')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-conversation-id') ?? ''));
}

/** Waits until the list shows exactly these conversations (any order). */
async function waitForList(expected: string[]): Promise<void> {
  const want = [...expected].sort().join(',');
  for (let i = 0; i < 50; i++) {
    if ((await listed()).sort().join(',') === want) return;
    await page.waitForTimeout(100);
  }
  assert.deepEqual((await listed()).sort(), [...expected].sort());
}

before(async () => {
  server = await startE2EServer();
  account = await makeAccount(server);
  api = await loginAs(server, account.admin.email);
  people.carla = await customer('Carla', 'Refund please');
  people.bruno = await customer('Bruno', 'A question about shipping');
  people.ana = await customer('Ana', 'Where is my invoice?');
  // A tag whose name is markup, already on Carla's conversation.
  const hostile = await api.post(`/api/accounts/${account.accountId}/tags`, {
    name: HOSTILE,
    color: '#fab005',
  });
  assert.equal(hostile.status, 201, hostile.text);
  const put = await api.request(
    'PUT',
    `/api/accounts/${account.accountId}/conversations/${people.carla}/tags/${(hostile.body.tag as Tag).id}`,
  );
  assert.equal(put.status, 200, put.text);

  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  page = await context.newPage();
  problems = watchForScriptErrors(page);
  await page.goto(server.publicUrl);
  await signIn(page, account.admin.email, PASSWORD);
});

after(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe('tags in the dashboard', () => {
  test('a tag created inline on a conversation shows as a chip in the header and the list', async () => {
    await page.goto(`${server.publicUrl}/inbox/all`);
    await waitForList([people.ana, people.bruno, people.carla]);
    await row(people.ana).click();
    await page.getByTestId('conversation-title').filter({ hasText: 'Ana' }).waitFor();

    await page.getByTestId('add-tag').click();
    await page.locator('[data-testid="tag-search"]:visible').fill('Billing');
    await page.locator('[data-testid="tag-create"]:visible').waitFor();
    await page.getByRole('button', { name: 'Colour #1c7ed6' }).click();
    await screenshot(page, 'tags-01-create-inline');
    await page.locator('[data-testid="tag-create"]:visible').click();
    await page.keyboard.press('Escape');

    // Beside the contact panel the header is narrow: its tag button counts the tags.
    await page.locator('[data-testid="add-tag"][data-count="1"]').waitFor();
    const chip = row(people.ana).locator('.tag-chip', { hasText: 'Billing' });
    await chip.waitFor();
    // Its colour, with white text for contrast on this blue.
    const style = await chip.evaluate((el) => [
      getComputedStyle(el).backgroundColor,
      getComputedStyle(el).color,
    ]);
    assert.deepEqual(style, ['rgb(28, 126, 214)', 'rgb(255, 255, 255)']);

    const tags = await api.get(`/api/accounts/${account.accountId}/tags`);
    billing = (tags.body.tags as Tag[]).find((t) => t.name === 'Billing');
    assert.ok(billing);
    assert.equal(billing.color, '#1c7ed6');
    await screenshot(page, 'tags-02-chips-in-list');
  });

  test('a hostile tag name is shown as text, never as markup', async () => {
    const chip = row(people.carla).locator('.tag-chip');
    await chip.waitFor();
    assert.equal(await chip.textContent(), HOSTILE);
    assert.equal(await page.locator('.list img[src="x"], .tag-chip img').count(), 0);
    assert.deepEqual(problems, []);
  });

  test('the list filters by tag, follows live tagging, and the filter is saved as a view', async () => {
    assert.ok(billing);
    await page.goto(`${server.publicUrl}/inbox/all`);
    await waitForList([people.ana, people.bruno, people.carla]);
    await page.getByTestId('tag-filter').click();
    await page.locator('[data-testid="tag-search"]:visible').fill('bill');
    await page.locator('[data-testid="tag-option"]:visible').filter({ hasText: 'Billing' }).click();
    await screenshot(page, 'tags-03-filter-dropdown');
    await page.keyboard.press('Escape');
    await page.waitForURL((url) => url.searchParams.get('tags') === billing?.id);
    await waitForList([people.ana]);
    await screenshot(page, 'tags-04-filtered');

    // A colleague tags Bruno's conversation: it joins the filtered list without a reload.
    await api.request(
      'PUT',
      `/api/accounts/${account.accountId}/conversations/${people.bruno}/tags/${billing.id}`,
    );
    await waitForList([people.ana, people.bruno]);

    await page.getByTestId('save-view').click();
    await page.getByTestId('saved-view-name').fill('Billing queue');
    await page.getByTestId('saved-view-submit').click();
    const saved = page.getByTestId('saved-view').filter({ hasText: 'Billing queue' });
    await saved.waitFor();
    assert.equal(await saved.getAttribute('data-active'), 'true');
    await page.getByTestId('saved-view-name').waitFor({ state: 'detached' });
    await row(people.bruno).click();
    await page.getByTestId('conversation-title').filter({ hasText: 'Bruno' }).waitFor();
    await screenshot(page, 'tags-05-saved-view');
    // With the details panel closed the header has room for the chips themselves.
    await page.getByRole('button', { name: 'Details', exact: true }).click();
    await page.getByTestId('conversation-tags').locator('.tag-chip', { hasText: 'Billing' }).waitFor();
    await screenshot(page, 'tags-05b-header-chips');

    // Away from the view, reload, and back through the saved view: the same list.
    await page.getByTestId('clear-filters').click();
    await waitForList([people.ana, people.bruno, people.carla]);
    await page.reload();
    await page.getByTestId('user-menu').waitFor();
    await waitForList([people.ana, people.bruno, people.carla]);
    await page.getByTestId('saved-view').filter({ hasText: 'Billing queue' }).click();
    await page.waitForURL((url) => url.searchParams.get('tags') === billing?.id);
    await waitForList([people.ana, people.bruno]);

    const views = await api.get(`/api/accounts/${account.accountId}/saved-views`);
    assert.equal(views.status, 200);
    assert.deepEqual(views.body.views, [
      {
        ...(views.body.views as Array<Record<string, unknown>>)[0],
        name: 'Billing queue',
        filters: { view: 'all', tagIds: [billing.id] },
      },
    ]);
    assert.deepEqual(problems, []);
  });

  test('the tags settings page renames and recolours', async () => {
    await page.goto(`${server.publicUrl}/settings/tags`);
    const name = page.getByTestId('tag-name').first();
    await name.waitFor();
    await screenshot(page, 'tags-06-settings');
    const input = page.getByLabel('Name of Billing');
    await input.fill('Invoices');
    await input.press('Enter');
    await page.getByTestId('tag-row').locator('.tag-chip', { hasText: 'Invoices' }).waitFor();
    const tags = await api.get(`/api/accounts/${account.accountId}/tags`);
    assert.ok((tags.body.tags as Tag[]).some((t) => t.id === billing?.id && t.name === 'Invoices'));
    // The hostile name is text here too.
    assert.equal(await page.locator('.tag-chip', { hasText: 'onerror' }).first().textContent(), HOSTILE);
    assert.deepEqual(problems, []);
  });

  test("an inbox's automatic tag is on a new customer's conversation as it arrives", async () => {
    await page.goto(`${server.publicUrl}/settings/inboxes/${account.inboxId}`);
    await page.getByTestId('auto-tags-add').click();
    await page.locator('[data-testid="tag-option"]:visible').filter({ hasText: 'Invoices' }).click();
    await page.keyboard.press('Escape');
    await page.getByTestId('auto-tags').locator('.tag-chip', { hasText: 'Invoices' }).waitFor();
    await page.getByTestId('auto-tags').scrollIntoViewIfNeeded();
    await screenshot(page, 'tags-07-auto-tags');
    await page.getByTestId('save-inbox').click();
    await page.getByText('Saved').first().waitFor();

    await page.goto(`${server.publicUrl}/inbox/all`);
    await waitForList([people.ana, people.bruno, people.carla]);
    const dora = await customer('Dora', 'Can I get a copy of my invoice?');
    await row(dora).locator('.tag-chip', { hasText: 'Invoices' }).waitFor();
    assert.deepEqual(problems, []);
  });
});
