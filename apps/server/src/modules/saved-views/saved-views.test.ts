import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_SAVED_VIEWS, type SavedView } from '@parley/shared';
import { loginAs, makeAccount, makeMember, makeToken } from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { HttpClient } from '../../../test/http-client.ts';
import { savedViews } from '../../db/schema.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' }, jobPollMs: 0 });
});
after(async () => {
  await server?.close();
});

const code = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;
const names = (body: Record<string, unknown>) => (body.views as SavedView[]).map((v) => v.name);
const TAG = '0195f0a4-7c1e-7000-8000-000000000001';

describe('saved views', () => {
  test('a person saves, lists, renames, refilters, reorders and deletes their own views', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const url = `/api/accounts/${account.accountId}/saved-views`;
    assert.deepEqual((await admin.get(url)).body, { views: [] });

    const filters = {
      view: 'all',
      status: 'open',
      inboxId: account.inboxId,
      tagIds: [TAG],
      priority: 'high',
    };
    const first = await admin.post(url, { name: '  Hot leads ', filters });
    assert.equal(first.status, 201, first.text);
    const hot = first.body.view as SavedView;
    assert.equal(hot.name, 'Hot leads');
    assert.deepEqual(hot.filters, filters);
    assert.equal(hot.position, 0);
    const mine = (await admin.post(url, { name: 'Mine', filters: { view: 'mine' } })).body.view as SavedView;
    const none = (await admin.post(url, { name: 'Everything', filters: {} })).body.view as SavedView;
    assert.deepEqual([mine.position, none.position], [1, 2]);
    assert.deepEqual(names((await admin.get(url)).body), ['Hot leads', 'Mine', 'Everything']);

    const renamed = await admin.request('PATCH', `${url}/${hot.id}`, { name: 'Leads' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.deepEqual((renamed.body.view as SavedView).filters, filters);
    const refiltered = await admin.request('PATCH', `${url}/${hot.id}`, { filters: { assignee: 'none' } });
    assert.deepEqual(
      [(refiltered.body.view as SavedView).name, (refiltered.body.view as SavedView).filters],
      ['Leads', { assignee: 'none' }],
    );

    // The listed views first, the rest after them in their order.
    const reordered = await admin.request('PUT', `${url}/order`, { ids: [none.id] });
    assert.equal(reordered.status, 200, reordered.text);
    assert.deepEqual(names(reordered.body), ['Everything', 'Leads', 'Mine']);
    assert.deepEqual(
      (reordered.body.views as SavedView[]).map((v) => v.position),
      [0, 1, 2],
    );
    assert.deepEqual(names((await admin.get(url)).body), ['Everything', 'Leads', 'Mine']);
    await admin.request('PUT', `${url}/order`, { ids: [mine.id, hot.id, none.id] });
    assert.deepEqual(names((await admin.get(url)).body), ['Mine', 'Leads', 'Everything']);
    const unknown = await admin.request('PUT', `${url}/order`, { ids: [mine.id, account.inboxId] });
    assert.equal(unknown.status, 404);
    assert.equal(code(unknown.body), 'saved_view_not_found');

    assert.equal((await admin.request('DELETE', `${url}/${mine.id}`)).status, 204);
    const again = await admin.request('DELETE', `${url}/${mine.id}`);
    assert.equal(again.status, 404);
    assert.equal(code(again.body), 'saved_view_not_found');
    assert.deepEqual(names((await admin.get(url)).body), ['Leads', 'Everything']);
  });

  test('views belong to one person in one account: others neither see nor touch them; tokens have none', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const agentUser = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const agent = await loginAs(server, agentUser.email);
    const url = `/api/accounts/${account.accountId}/saved-views`;
    const view = (await admin.post(url, { name: 'Admin view', filters: { status: 'new' } })).body
      .view as SavedView;

    // A colleague: an empty list of their own, 404 on the admin's view.
    assert.deepEqual((await agent.get(url)).body, { views: [] });
    for (const res of [
      await agent.request('PATCH', `${url}/${view.id}`, { name: 'Stolen' }),
      await agent.request('DELETE', `${url}/${view.id}`),
      await agent.request('PUT', `${url}/order`, { ids: [view.id] }),
    ]) {
      assert.equal(res.status, 404);
      assert.equal(code(res.body), 'saved_view_not_found');
    }
    assert.equal((await agent.post(url, { name: 'Agent view', filters: {} })).status, 201);
    assert.deepEqual(names((await admin.get(url)).body), ['Admin view']);

    // The same person in another account has other views there.
    const other = await makeAccount(server);
    const otherAdmin = await loginAs(server, other.admin.email);
    await server.ctx.database.db.insert(savedViews).values({
      id: '0195f0a4-7c1e-7000-8000-0000000000aa',
      accountId: other.accountId,
      userId: account.admin.userId,
      name: 'Elsewhere',
      filters: {},
    });
    assert.deepEqual(names((await admin.get(url)).body), ['Admin view']);
    // Another account's member cannot reach this account at all.
    assert.equal((await otherAdmin.get(url)).status, 404);
    const foreign = await otherAdmin.request(
      'PATCH',
      `/api/accounts/${other.accountId}/saved-views/${view.id}`,
      { name: 'x' },
    );
    assert.equal(foreign.status, 404);

    const token = new HttpClient(server.url);
    token.bearer = await makeToken(server, account.accountId, ['conversation_read', 'conversation_write']);
    const refused = await token.get(url);
    assert.equal(refused.status, 403);
    assert.equal(code(refused.body), 'insufficient_scope');
  });

  test('filters are validated by the list filters schema; bad input is 400, never 500', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const url = `/api/accounts/${account.accountId}/saved-views`;
    for (const body of [
      { name: 'x', filters: { tagIds: ['nope'] } },
      { name: 'x', filters: { tagIds: [] } },
      { name: 'x', filters: { tagIds: Array.from({ length: 21 }, () => TAG) } },
      { name: 'x', filters: { status: 'sleeping' } },
      { name: 'x', filters: { view: 'everything' } },
      { name: 'x', filters: { assignee: 'someone' } },
      { name: 'x', filters: { cursor: 'abc' } },
      { name: 'x', filters: { limit: 5 } },
      { name: 'x', filters: { tagIds: TAG } },
      { name: 'x', filters: 'status=open' },
      { name: 'x' },
      { name: '', filters: {} },
      { name: 'a\u0007b', filters: {} },
      { name: 'x'.repeat(61), filters: {} },
      { name: 'x', filters: {}, position: 3 },
    ]) {
      const res = await admin.post(url, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(code(res.body), 'validation_failed', JSON.stringify(body));
    }
    const view = (await admin.post(url, { name: 'ok', filters: {} })).body.view as SavedView;
    for (const body of [{}, { filters: { priority: 'extreme' } }, { name: ' ' }]) {
      const res = await admin.request('PATCH', `${url}/${view.id}`, body);
      assert.equal(res.status, 400, JSON.stringify(body));
    }
    assert.equal((await admin.request('PATCH', `${url}/not-an-id`, { name: 'y' })).status, 400);
    assert.equal((await admin.request('PUT', `${url}/order`, { ids: [] })).status, 400);

    // A hostile name is stored as given and returned as text.
    const hostile = '<img src=x onerror=alert(1)>';
    const stored = await admin.post(url, { name: hostile, filters: {} });
    assert.equal((stored.body.view as SavedView).name, hostile);

    // A person's views are bounded (two are saved already).
    for (let i = 2; i < MAX_SAVED_VIEWS; i++) {
      assert.equal((await admin.post(url, { name: `v${i}`, filters: {} })).status, 201);
    }
    const full = await admin.post(url, { name: 'one too many', filters: {} });
    assert.equal(full.status, 409);
    assert.equal(code(full.body), 'saved_view_limit_reached');
  });
});
