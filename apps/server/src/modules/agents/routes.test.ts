import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loginAs, makeAccount, makeMember, makeToken, visitorOf } from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { RealtimeClient } from '../../../test/realtime-client.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
});
after(async () => {
  await server?.close();
});

describe('members of an account', () => {
  test('every member can list the people of their account, with roles', async () => {
    const account = await makeAccount(server);
    const agent = await makeMember(server, account.accountId, 'agent');
    const client = await loginAs(server, agent.email);
    const res = await client.get(`/api/accounts/${account.accountId}/agents`);
    assert.equal(res.status, 200);
    const members = res.body.members as Array<{ email: string; role: string }>;
    assert.deepEqual(members.map((m) => m.role).sort(), ['admin', 'agent']);
    assert.ok(members.some((m) => m.email === account.admin.email));
  });

  test('another account answers 404, and its member ids cannot be used', async () => {
    const mine = await makeAccount(server);
    const theirs = await makeAccount(server);
    const admin = await loginAs(server, mine.admin.email);
    assert.equal((await admin.get(`/api/accounts/${theirs.accountId}/agents`)).status, 404);
    const patched = await admin.request(
      'PATCH',
      `/api/accounts/${mine.accountId}/agents/${theirs.admin.userId}`,
      {
        role: 'agent',
      },
    );
    assert.equal(patched.status, 404);
    assert.equal(patched.body.error && (patched.body.error as { code: string }).code, 'user_not_found');
  });

  test('admins change roles; agents may not; the last admin cannot be demoted or removed', async () => {
    const account = await makeAccount(server);
    const agent = await makeMember(server, account.accountId, 'agent');
    const admin = await loginAs(server, account.admin.email);
    const asAgent = await loginAs(server, agent.email);
    const base = `/api/accounts/${account.accountId}/agents`;

    const denied = await asAgent.request('PATCH', `${base}/${agent.userId}`, { role: 'admin' });
    assert.equal(denied.status, 403);

    const lastAdmin = await admin.request('PATCH', `${base}/${account.admin.userId}`, { role: 'agent' });
    assert.equal(lastAdmin.status, 409);
    assert.equal((lastAdmin.body.error as { code: string }).code, 'last_admin');
    const removeLast = await admin.request('DELETE', `${base}/${account.admin.userId}`);
    assert.equal(removeLast.status, 409);

    const promoted = await admin.request('PATCH', `${base}/${agent.userId}`, { role: 'supervisor' });
    assert.equal(promoted.status, 200);
    assert.equal((promoted.body.member as { role: string }).role, 'supervisor');

    const bad = await admin.request('PATCH', `${base}/${agent.userId}`, { role: 'owner' });
    assert.equal(bad.status, 400);
    assert.equal((bad.body.error as { code: string }).code, 'validation_failed');
    const extra = await admin.request('PATCH', `${base}/${agent.userId}`, { role: 'agent', admin: true });
    assert.equal(extra.status, 400);
    assert.equal((await admin.request('PATCH', `${base}/not-a-uuid`, { role: 'agent' })).status, 400);
  });

  test('removing a member ends their access to the account', async () => {
    const account = await makeAccount(server);
    const agent = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const admin = await loginAs(server, account.admin.email);
    const asAgent = await loginAs(server, agent.email);
    assert.equal((await asAgent.get(`/api/accounts/${account.accountId}/conversations`)).status, 200);
    const removed = await admin.request(
      'DELETE',
      `/api/accounts/${account.accountId}/agents/${agent.userId}`,
    );
    assert.equal(removed.status, 204);
    assert.equal((await asAgent.get(`/api/accounts/${account.accountId}/conversations`)).status, 404);
    const members = await admin.get(`/api/accounts/${account.accountId}/inboxes/${account.inboxId}/members`);
    assert.deepEqual(members.body.userIds, []);
  });

  test('API tokens need conversation_read to list members and can never manage them', async () => {
    const account = await makeAccount(server);
    const agent = await makeMember(server, account.accountId, 'agent');
    const reader = await makeToken(server, account.accountId, ['conversation_read']);
    const none = await makeToken(server, account.accountId, ['contact_read']);
    const headers = (t: string) => ({ authorization: `Bearer ${t}` });
    const base = `${server.url}/api/accounts/${account.accountId}/agents`;
    assert.equal((await fetch(base, { headers: headers(reader) })).status, 200);
    assert.equal((await fetch(base, { headers: headers(none) })).status, 403);
    const patch = await fetch(`${base}/${agent.userId}`, {
      method: 'PATCH',
      headers: { ...headers(reader), 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'admin' }),
    });
    assert.equal(patch.status, 403);
  });
});

describe('preferences', () => {
  test('start with defaults, merge changes, and validate them', async () => {
    const account = await makeAccount(server);
    const client = await loginAs(server, account.admin.email);
    const initial = await client.get('/api/me/preferences');
    assert.deepEqual(initial.body, { soundMuted: false, locale: null });
    const muted = await client.request('PATCH', '/api/me/preferences', { soundMuted: true });
    assert.deepEqual(muted.body, { soundMuted: true, locale: null });
    const locale = await client.request('PATCH', '/api/me/preferences', { locale: 'pt-BR' });
    assert.deepEqual(locale.body, { soundMuted: true, locale: 'pt-BR' });
    assert.deepEqual((await client.get('/api/me/preferences')).body, { soundMuted: true, locale: 'pt-BR' });
    assert.equal((await client.request('PATCH', '/api/me/preferences', { locale: 'xx' })).status, 400);
    assert.equal((await client.request('PATCH', '/api/me/preferences', {})).status, 400);
    assert.equal((await client.request('PATCH', '/api/me/preferences', '{"soundMuted":')).status, 400);
  });

  test('need a signed-in person and the CSRF token', async () => {
    const account = await makeAccount(server);
    assert.equal((await fetch(`${server.url}/api/me/preferences`)).status, 401);
    const client = await loginAs(server, account.admin.email);
    const csrf = client.csrfToken;
    client.csrfToken = null;
    assert.equal((await client.request('PATCH', '/api/me/preferences', { soundMuted: true })).status, 403);
    client.csrfToken = csrf;
  });
});

describe('live access follows membership', () => {
  test('a removed member loses the account feed at once and cannot subscribe again', async () => {
    const account = await makeAccount(server);
    const agent = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const asAgent = await loginAs(server, agent.email);
    const ws = await RealtimeClient.connect(server.url, {
      cookie: asAgent.cookie ?? '',
      origin: 'http://localhost:3000',
    });
    await ws.waitFor((f) => f.type === 'ready');
    ws.send({ type: 'subscribe', ref: 'feed', topic: { kind: 'account', accountId: account.accountId } });
    await ws.waitFor((f) => f.type === 'subscribed');

    const admin = await loginAs(server, account.admin.email);
    const removed = await admin.request(
      'DELETE',
      `/api/accounts/${account.accountId}/agents/${agent.userId}`,
    );
    assert.equal(removed.status, 204);
    const deadline = Date.now() + 5_000;
    while (!ws.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(ws.closed?.code, 4401, 'the socket restarts');

    const visitor = await visitorOf(server, account.inboxId, { name: 'After removal' });
    await visitor.post('/api/client/conversations', {
      message: { clientMsgId: 'r-1', body: 'secret stuff' },
    });
    const again = await RealtimeClient.connect(server.url, {
      cookie: asAgent.cookie ?? '',
      origin: 'http://localhost:3000',
    });
    await again.waitFor((f) => f.type === 'ready');
    again.send({ type: 'subscribe', ref: 'feed2', topic: { kind: 'account', accountId: account.accountId } });
    const answer = await again.waitFor((f) => (f.type === 'error' || f.type === 'subscribed') && 'ref' in f);
    assert.equal(answer.type, 'error');
    assert.equal(answer.type === 'error' && answer.code, 'account_not_found');
    await again.close();
  });

  test('an agent taken off an inbox has their feed restarted without it', async () => {
    const account = await makeAccount(server);
    const agent = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const asAgent = await loginAs(server, agent.email);
    const ws = await RealtimeClient.connect(server.url, {
      cookie: asAgent.cookie ?? '',
      origin: 'http://localhost:3000',
    });
    await ws.waitFor((f) => f.type === 'ready');
    const admin = await loginAs(server, account.admin.email);
    const res = await admin.request(
      'DELETE',
      `/api/accounts/${account.accountId}/inboxes/${account.inboxId}/members/${agent.userId}`,
    );
    assert.deepEqual(res.body.userIds, []);
    const deadline = Date.now() + 5_000;
    while (!ws.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(ws.closed?.code, 4401);
  });
});
