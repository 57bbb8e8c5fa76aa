/**
 * The first-run story from the issue, in real Chromium with the real widget: a newcomer opens the
 * dashboard, creates the account, creates a web inbox, pastes the embed snippet on their own site,
 * chats there as a customer and answers as an agent, in real time.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot, watchForScriptErrors } from './support/browser.ts';
import { startE2EServer, startHostSite } from './support/server.ts';

let server: Awaited<ReturnType<typeof startE2EServer>>;
let host: Awaited<ReturnType<typeof startHostSite>>;
let browser: Browser;
const pages: Record<string, string> = {};

before(async () => {
  server = await startE2EServer();
  host = await startHostSite(pages);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await host?.close();
  await server?.close();
});

test('a newcomer sets up Parley, embeds the widget and answers a customer live', async () => {
  const agentContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const agent = await agentContext.newPage();
  const agentProblems = watchForScriptErrors(agent);

  await agent.goto(server.publicUrl);
  await agent.getByLabel('Company or team name').fill('Trailhead Outfitters');
  await agent.getByLabel('Your name').fill('Rita Ramos');
  await agent.getByLabel('E-mail').fill('rita@trailhead.test');
  await agent.locator('input[name=password]').fill('a very long password');
  await agent.getByRole('button', { name: 'Create workspace' }).click();

  await agent.getByRole('button', { name: 'Create a web inbox' }).first().click();
  await agent.getByLabel('Name').fill('Website');
  await agent.getByRole('button', { name: 'Create', exact: true }).click();
  const snippet = (await agent.getByTestId('embed-snippet').textContent()) ?? '';
  assert.match(
    snippet,
    /^<script src="http:\/\/localhost:\d+\/widget\.js" data-inbox="[0-9a-f-]{36}" async><\/script>$/,
  );

  const origins = agent.getByTestId('allowed-origins');
  await origins.fill(host.origin);
  await origins.press('Enter');
  await agent.getByLabel('Greeting').fill('Hi! Ask us anything about your gear.');
  await agent.getByTestId('save-inbox').click();
  await agent.getByText('Saved').first().waitFor();

  // The snippet, exactly as copied from the dashboard, on the company's own site.
  pages['/'] = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Trailhead Outfitters</title>
<style>body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f8fafc;color:#0f172a}header{padding:20px 40px;background:#fff;border-bottom:1px solid #e2e8f0;font-weight:700}main{padding:48px 40px}</style></head>
<body><header>Trailhead Outfitters</header><main><h1>Boots built for the long way round</h1></main>
${snippet}
</body></html>`;

  await agent.getByRole('link', { name: 'Inbox', exact: true }).click();
  await agent.getByText('No conversations here').waitFor();

  const customerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const customer = await customerContext.newPage();
  const customerProblems = watchForScriptErrors(customer);
  await customer.goto(`${host.origin}/`);
  const launcher = customer.locator('[data-parley] button[aria-haspopup]');
  await launcher.waitFor({ state: 'visible', timeout: 15_000 });
  await launcher.click();
  const widget = customer.frameLocator('[data-parley] iframe');
  await widget.getByText('Hi! Ask us anything about your gear.').waitFor();
  const input = widget.locator('#pw-input');
  await input.fill('Do the Ridge boots run small?');
  await input.press('Enter');

  const row = agent.locator('a.row').filter({ hasText: 'Do the Ridge boots run small?' });
  await row.waitFor({ timeout: 15_000 });
  await agent.getByText('New conversation').first().waitFor();
  await row.click();
  await agent.getByTestId('message-bubble').getByText('Do the Ridge boots run small?').waitFor();
  const contactPage = agent.getByTestId('contact-panel').getByTestId('contact-page');
  await contactPage.getByText(`${host.origin}/`).waitFor();

  const composer = agent.getByTestId('composer-input');
  await composer.fill('They run true to size. Most people take their usual size.');
  await composer.press('Enter');
  await widget
    .locator('.pw-bubble', { hasText: 'They run true to size. Most people take their usual size.' })
    .first()
    .waitFor();

  await input.fill('Perfect, thanks!');
  await input.press('Enter');
  await agent.getByTestId('message-bubble').getByText('Perfect, thanks!').waitFor();

  await screenshot(agent, 'newcomer-01-agent');
  await screenshot(customer, 'newcomer-02-customer');
  assert.deepEqual(agentProblems, []);
  assert.deepEqual(customerProblems, []);
  await customerContext.close();
  await agentContext.close();
});
