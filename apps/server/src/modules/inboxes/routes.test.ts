import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inboxSettingsPatchSchema, inboxSettingsSchema } from '@parley/shared';
import { loginAs, makeAccount, makeMember, visitorOf } from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { HttpClient } from '../../../test/http-client.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
});
after(async () => {
  await server?.close();
});

const code = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;

describe('inbox administration', () => {
  test('the settings patch schema covers every setting', () => {
    assert.deepEqual(
      Object.keys(inboxSettingsPatchSchema.shape).sort(),
      Object.keys(inboxSettingsSchema.shape).sort(),
    );
  });

  test('admins rename an inbox and change some settings; absent keys keep their values', async () => {
    const account = await makeAccount(server, {
      inboxSettings: { allowedOrigins: ['https://shop.example'], greeting: 'Hello' },
    });
    const admin = await loginAs(server, account.admin.email);
    const url = `/api/accounts/${account.accountId}/inboxes/${account.inboxId}`;
    const res = await admin.request('PATCH', url, { name: 'Shop', settings: { color: '#112233' } });
    assert.equal(res.status, 200);
    const inbox = res.body.inbox as { name: string; settings: Record<string, unknown> };
    assert.equal(inbox.name, 'Shop');
    assert.deepEqual(inbox.settings.allowedOrigins, ['https://shop.example']);
    assert.equal(inbox.settings.greeting, 'Hello');
    assert.equal(inbox.settings.color, '#112233');
    assert.equal(inbox.settings.requireIdentityVerification, false);
    const origins = await admin.request('PATCH', url, {
      settings: { allowedOrigins: ['https://a.example', 'https://A.example', 'http://localhost:8080'] },
    });
    assert.deepEqual(
      (origins.body.inbox as { settings: { allowedOrigins: string[] } }).settings.allowedOrigins,
      ['https://a.example', 'http://localhost:8080'],
    );
    assert.equal(((await admin.get(url)).body.inbox as { name: string }).name, 'Shop');
  });

  test('a newly allowed origin can start visitor sessions at once', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const visitor = new HttpClient(server.url);
    visitor.origin = 'https://new-site.example';
    const path = `/api/client/inboxes/${account.inboxId}/sessions`;
    assert.equal((await visitor.post(path, {})).status, 403);
    await admin.request('PATCH', `/api/accounts/${account.accountId}/inboxes/${account.inboxId}`, {
      settings: { allowedOrigins: ['https://new-site.example'] },
    });
    assert.equal((await visitor.post(path, {})).status, 201);
  });

  test('malformed changes are 400 and change nothing', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const url = `/api/accounts/${account.accountId}/inboxes/${account.inboxId}`;
    for (const body of [
      { settings: { color: 'red' } },
      { settings: { allowedOrigins: ['javascript:alert(1)'] } },
      { settings: { allowedOrigins: ['https://x.example/path'] } },
      { settings: { unknown: true } },
      { name: '' },
      { name: 'x', secret: 'y' },
      { settings: { greeting: 'x'.repeat(501) } },
    ]) {
      const res = await admin.request('PATCH', url, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(code(res.body), 'validation_failed');
    }
    const after = (await admin.get(url)).body.inbox as { name: string; settings: { color: string } };
    assert.equal(after.name, 'Website');
    assert.equal(after.settings.color, '#4f46e5');
  });

  test('only admins change inboxes or read the identity secret; other accounts get 404', async () => {
    const account = await makeAccount(server);
    const stranger = await makeAccount(server);
    const agent = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const supervisor = await makeMember(server, account.accountId, 'supervisor');
    const url = `/api/accounts/${account.accountId}/inboxes/${account.inboxId}`;
    for (const email of [agent.email, supervisor.email]) {
      const client = await loginAs(server, email);
      assert.equal((await client.get(url)).status, 200);
      assert.equal((await client.request('PATCH', url, { name: 'Mine now' })).status, 403);
      assert.equal((await client.get(`${url}/identity-secret`)).status, 403);
      assert.equal((await client.request('PUT', `${url}/members/${agent.userId}`)).status, 403);
    }
    const strangerAdmin = await loginAs(server, stranger.admin.email);
    assert.equal((await strangerAdmin.get(`${url}/identity-secret`)).status, 404);
    const crossed = await strangerAdmin.request(
      'PATCH',
      `/api/accounts/${stranger.accountId}/inboxes/${account.inboxId}`,
      { name: 'Stolen' },
    );
    assert.equal(crossed.status, 404);
    assert.equal(code(crossed.body), 'inbox_not_found');

    const admin = await loginAs(server, account.admin.email);
    const secret = await admin.get(`${url}/identity-secret`);
    assert.equal(secret.body.identitySecret, account.identitySecret);
    assert.equal(secret.headers.get('cache-control'), 'no-store');
    const rotated = await admin.post(`${url}/identity-secret`);
    assert.notEqual(rotated.body.identitySecret, account.identitySecret);
    assert.equal(
      (await admin.get(`${url}/identity-secret`)).body.identitySecret,
      rotated.body.identitySecret,
    );
  });

  test('admins choose which agents work an inbox, and that decides what agents see', async () => {
    const account = await makeAccount(server);
    const agent = await makeMember(server, account.accountId, 'agent');
    const stranger = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const asAgent = await loginAs(server, agent.email);
    const visitor = await visitorOf(server, account.inboxId, { name: 'V' });
    await visitor.post('/api/client/conversations', { message: { clientMsgId: 'x1', body: 'hello' } });
    const list = `/api/accounts/${account.accountId}/conversations`;
    const members = `/api/accounts/${account.accountId}/inboxes/${account.inboxId}/members`;
    assert.equal(((await asAgent.get(list)).body.conversations as unknown[]).length, 0);

    const added = await admin.request('PUT', `${members}/${agent.userId}`);
    assert.deepEqual(added.body.userIds, [agent.userId]);
    assert.equal(((await asAgent.get(list)).body.conversations as unknown[]).length, 1);
    assert.deepEqual((await admin.request('PUT', `${members}/${agent.userId}`)).body.userIds, [agent.userId]);

    const foreign = await admin.request('PUT', `${members}/${stranger.admin.userId}`);
    assert.equal(foreign.status, 404);
    assert.equal(code(foreign.body), 'user_not_found');

    const removed = await admin.request('DELETE', `${members}/${agent.userId}`);
    assert.deepEqual(removed.body.userIds, []);
    assert.equal(((await asAgent.get(list)).body.conversations as unknown[]).length, 0);
  });
});
