import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Message, ServerFrame } from '@parley/shared';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { HttpClient } from '../apps/server/test/http-client.ts';
import { RealtimeClient } from '../apps/server/test/realtime-client.ts';
import { launchBrowser, screenshot, watchForScriptErrors } from './support/browser.ts';
import { startE2EServer } from './support/server.ts';

/**
 * The agent dashboard end to end, in order, on one fresh server: first run, inboxes, invitations, a live
 * conversation with a visitor (over the Client API), hostile input, reloads and a 10,000-message thread.
 */
let server: Awaited<ReturnType<typeof startE2EServer>>;
let browser: Browser;
let admin: { context: BrowserContext; page: Page; problems: string[] };
const ADMIN = {
  accountName: 'Acme Support',
  name: 'Maria Admin',
  email: 'maria@acme.test',
  password: 'correct horse battery',
};
let inboxId = '';
let accountId = '';

async function newPage(viewport = { width: 1440, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: 'en-US' });
  const page = await context.newPage();
  const problems = watchForScriptErrors(page);
  return { context, page, problems };
}

before(async () => {
  server = await startE2EServer();
  browser = await launchBrowser();
  admin = await newPage();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('dashboard', () => {
  test('first run: the setup screen creates the account and opens the dashboard', async () => {
    const { page } = admin;
    await page.goto(server.publicUrl);
    await page.getByRole('heading', { name: 'Welcome to Parley' }).waitFor();
    await screenshot(page, 'dashboard-01-setup');
    await page.getByLabel('Company or team name').fill(ADMIN.accountName);
    await page.getByLabel('Your name').fill(ADMIN.name);
    await page.getByLabel('E-mail').fill(ADMIN.email);
    await page.locator('input[name=password]').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.getByText('Create a web inbox and paste its snippet').waitFor();
    assert.match(page.url(), /\/inbox\/all$/);
    await screenshot(page, 'dashboard-02-empty-inbox');
    const session = await page.evaluate(() => fetch('/api/auth/session').then((r) => r.json()));
    accountId = (session as { memberships: Array<{ accountId: string }> }).memberships[0]?.accountId ?? '';
    assert.ok(accountId);
  });

  test('creates a web inbox and shows its embed snippet; origins and theme are saved', async () => {
    const { page } = admin;
    await page.getByRole('button', { name: 'Create a web inbox' }).click();
    await page.getByLabel('Name').fill('Website');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const snippet = page.getByTestId('embed-snippet');
    await snippet.waitFor();
    inboxId = page.url().match(/inboxes\/([0-9a-f-]{36})/)?.[1] ?? '';
    assert.ok(inboxId);
    assert.equal(
      await snippet.textContent(),
      `<script src="${server.publicUrl}/widget.js" data-inbox="${inboxId}" async></script>`,
    );
    const origins = page.getByTestId('allowed-origins');
    await origins.fill('https://shop.example');
    await origins.press('Enter');
    await page.getByLabel('Greeting').fill('Hi! How can we help?');
    await page.getByTestId('save-inbox').click();
    await page.getByText('Saved').first().waitFor();
    await screenshot(page, 'dashboard-03-inbox-settings');
    const saved = await page.evaluate(
      (url) => fetch(url).then((r) => r.json()),
      `/api/accounts/${accountId}/inboxes/${inboxId}`,
    );
    const settings = (saved as { inbox: { settings: { allowedOrigins: string[]; greeting: string } } }).inbox
      .settings;
    assert.deepEqual(settings.allowedOrigins, ['https://shop.example']);
    assert.equal(settings.greeting, 'Hi! How can we help?');
  });

  test('signs out and in again; a wrong password is refused', async () => {
    const { page } = admin;
    await page.goto(`${server.publicUrl}/inbox/all`);
    await page.getByTestId('user-menu').click();
    await page.getByTestId('logout').click();
    await page.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
    await page.locator('input[name=email]').fill(ADMIN.email);
    await page.locator('input[name=password]').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Wrong e-mail or password').waitFor();
    await screenshot(page, 'dashboard-04-login-error');
    await page.locator('input[name=password]').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('user-menu').waitFor();
  });

  test('invites an agent, who accepts in another browser and is signed in', async () => {
    const { page } = admin;
    await page.goto(`${server.publicUrl}/settings/agents`);
    await page.getByTestId('invite-agent').click();
    await page.locator('input[name=inviteEmail]').fill('joao@acme.test');
    await page.locator('input[name=inviteName]').fill('João Agent');
    await page.getByRole('button', { name: 'Invite agent' }).last().click();
    const link = page.getByTestId('invite-link');
    await link.waitFor();
    const url = (await link.textContent()) ?? '';
    assert.match(url, new RegExp(`^${server.publicUrl}/invite/[A-Za-z0-9_-]{40,}$`));
    await screenshot(page, 'dashboard-05-invite-link');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByText('Pending invitations').waitFor();

    const agent = await newPage();
    await agent.page.goto(url);
    await agent.page.getByRole('heading', { name: `Join ${ADMIN.accountName}` }).waitFor();
    await agent.page.locator('input[name=name]').fill('João Agent');
    await agent.page.locator('input[name=password]').fill('another long password');
    await screenshot(agent.page, 'dashboard-06-accept-invite');
    await agent.page.getByRole('button', { name: 'Join and sign in' }).click();
    await agent.page.getByTestId('user-menu').waitFor();
    assert.match(agent.page.url(), /\/inbox\/all$/);
    // The link is spent.
    const again = await new HttpClient(server.publicUrl).get(`/api/invitations/${url.split('/invite/')[1]}`);
    assert.equal(again.status, 410);
    // An agent sees the team but cannot invite.
    await agent.page.goto(`${server.publicUrl}/settings/agents`);
    await agent.page.getByText('Maria Admin').waitFor();
    assert.equal(await agent.page.getByTestId('invite-agent').count(), 0);
    assert.deepEqual(agent.problems, []);
    await agent.context.close();
    await page.reload();
    await page.locator('[data-member-email="joao@acme.test"]').waitFor();
  });
});
