import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type Contact, type Conversation, type Message, type TokenScope, tokenScopes } from '@parley/shared';
import { and, eq } from 'drizzle-orm';
import { makeAccount, makeMember, makeToken, visitorWithConversation } from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { HttpClient } from '../../../test/http-client.ts';
import { policies } from '../../auth/policies.ts';
import { apiTokens, cannedReplies, contacts, inboxes } from '../../db/schema.ts';
import { allRoutes } from '../../http/routes.ts';
import { sha256 } from '../../lib/crypto.ts';
import { createDefinition } from '../contacts/attributes.ts';
import { createTag } from '../tags/commands.ts';
import { createTeam } from '../teams/commands.ts';
import { revokeApiToken } from '../tokens/commands.ts';

/** Contract tests of the public API: every /api/v1 endpoint as an integration sees it. */

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
});
after(async () => {
  await server?.close();
});

const code = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;
let counter = 0;
const unique = () => `${Date.now().toString(36)}-${(counter++).toString(36)}`;

async function apiClient(accountId: string, scopes: readonly string[] = tokenScopes): Promise<HttpClient> {
  const client = new HttpClient(server.url);
  client.bearer = await makeToken(server, accountId, [...scopes]);
  return client;
}

async function start(
  api: HttpClient,
  body: Record<string, unknown> = {},
): Promise<{ conversation: Conversation; created: boolean }> {
  const res = await api.post('/api/v1/conversations', {
    email: `customer-${unique()}@example.test`,
    message: { clientMsgId: `m-${unique()}`, body: 'Hello from the shop' },
    ...body,
  });
  assert.equal(res.status, 201, res.text);
  return res.body as { conversation: Conversation; created: boolean };
}

describe('conversations', () => {
  test('start by e-mail creates the contact once (any case) in the API inbox, created on first use', async () => {
    const account = await makeAccount(server);
    const api = await apiClient(account.accountId);
    const first = await start(api, {
      email: 'Ana.Souza@Example.test',
      name: 'Ana Souza',
      integrationSource: 'Shop orders',
      message: { clientMsgId: 'order-1', body: 'Where is my order?' },
    });
    assert.equal(first.created, true);
    assert.equal(first.conversation.contactName, 'Ana Souza');
    assert.equal(first.conversation.startedByIntegration, true);
    assert.equal(first.conversation.integrationSource, 'Shop orders');
    assert.equal(first.conversation.lastMessagePreview, 'Where is my order?');
    const apiInboxes = await server.ctx.database.db
      .select()
      .from(inboxes)
      .where(and(eq(inboxes.accountId, account.accountId), eq(inboxes.channelType, 'api')));
    assert.equal(apiInboxes.length, 1);
    assert.equal(first.conversation.inboxId, apiInboxes[0]?.id);

    const second = await start(api, {
      email: 'ana.souza@example.TEST',
      message: { clientMsgId: 'order-2', body: 'Another question' },
    });
    assert.equal(second.conversation.contactId, first.conversation.contactId);
    assert.equal(second.conversation.integrationSource, null, 'no source given: unnamed integration');
    assert.equal(second.conversation.startedByIntegration, true);
    const stored = await server.ctx.database.db
      .select()
      .from(contacts)
      .where(eq(contacts.accountId, account.accountId));
    assert.equal(stored.filter((c) => c.email === 'ana.souza@example.test').length, 1);

    // The same first message again is the same conversation.
    const retry = await api.post('/api/v1/conversations', {
      email: 'ana.souza@example.test',
      message: { clientMsgId: 'order-1', body: 'Where is my order?' },
    });
    assert.equal(retry.status, 201, retry.text);
    assert.equal((retry.body.conversation as Conversation).id, first.conversation.id);
    assert.equal(retry.body.created, false);
  });

  test('start for a contact by id, in a named inbox; the first message is the contact’s', async () => {
    const account = await makeAccount(server);
    const api = await apiClient(account.accountId);
    const { conversation } = await start(api);
    const again = await start(api, {
      email: undefined,
      contactId: conversation.contactId,
      inboxId: account.inboxId,
    });
    assert.equal(again.conversation.contactId, conversation.contactId);
    assert.equal(again.conversation.inboxId, account.inboxId);
    const messages = await api.get(`/api/v1/conversations/${again.conversation.id}/messages`);
    assert.equal(messages.status, 200, messages.text);
    const [first] = messages.body.messages as Message[];
    assert.equal(first?.senderKind, 'contact');
    assert.equal(first?.senderId, conversation.contactId);
    assert.equal(first?.body, 'Hello from the shop');
  });

  test('bad starts answer 4xx with stable codes', async () => {
    const account = await makeAccount(server);
    const other = await makeAccount(server);
    const api = await apiClient(account.accountId);
    const message = { clientMsgId: 'x1', body: 'Hi' };
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ message }, 400, 'validation_failed'],
      [{ email: 'a@example.test', contactId: randomUUID(), message }, 400, 'validation_failed'],
      [{ email: 'not-an-email', message }, 400, 'validation_failed'],
      [{ email: 'a@example.test', message: { clientMsgId: 'x2', body: '   ' } }, 400, 'validation_failed'],
      [{ contactId: randomUUID(), message }, 404, 'contact_not_found'],
      [{ email: 'a@example.test', inboxId: other.inboxId, message }, 404, 'inbox_not_found'],
    ];
    for (const [body, status, expected] of cases) {
      const res = await api.post('/api/v1/conversations', body);
      assert.equal(res.status, status, `${JSON.stringify(body)} → ${res.text}`);
      assert.equal(code(res.body), expected, JSON.stringify(body));
    }
  });

  test('get, status, assign, unassign and tags use the dashboard’s rules', async () => {
    const account = await makeAccount(server);
    const agent = await makeMember(server, account.accountId, 'agent');
    const api = await apiClient(account.accountId);
    const { conversation } = await start(api);
    const url = `/api/v1/conversations/${conversation.id}`;

    const got = await api.get(url);
    assert.equal(got.status, 200);
    assert.equal((got.body.conversation as Conversation).id, conversation.id);
    assert.equal((got.body.conversation as Conversation).myLastReadSeq, undefined);

    const assigned = await api.post(`${url}/assign`, { assigneeId: agent.userId });
    assert.equal(assigned.status, 200, assigned.text);
    assert.equal((assigned.body.conversation as Conversation).assigneeId, agent.userId);
    const nobody = await api.post(`${url}/assign`, { assigneeId: randomUUID() });
    assert.equal(nobody.status, 404);
    assert.equal(code(nobody.body), 'user_not_found');
    const me = await api.post(`${url}/assign`, { assigneeId: 'me' });
    assert.equal(me.status, 400, 'a token is nobody');

    const solved = await api.post(`${url}/status`, { status: 'solved' });
    assert.equal(solved.status, 200, solved.text);
    assert.equal((solved.body.conversation as Conversation).status, 'solved');
    const reopened = await api.post(`${url}/status`, { status: 'open' });
    assert.equal(reopened.status, 200, reopened.text);
    await api.post(`${url}/status`, { status: 'solved' });
    const closed = await api.post(`${url}/status`, { status: 'closed' });
    assert.equal(closed.status, 200, closed.text);
    const invalid = await api.post(`${url}/status`, { status: 'new' });
    assert.equal(invalid.status, 409);
    assert.equal(code(invalid.body), 'invalid_status_transition');

    const { conversation: second } = await start(api);
    const secondUrl = `/api/v1/conversations/${second.id}`;
    await api.post(`${secondUrl}/assign`, { assigneeId: agent.userId });
    const unassigned = await api.post(`${secondUrl}/unassign`);
    assert.equal(unassigned.status, 200, unassigned.text);
    assert.equal((unassigned.body.conversation as Conversation).assigneeId, null);

    const tag = await createTag(server.ctx, account.accountId, { name: 'vip', color: '#112233' });
    const tagged = await api.request('PUT', `${secondUrl}/tags/${tag.id}`);
    assert.equal(tagged.status, 200, tagged.text);
    assert.deepEqual(
      (tagged.body.tags as Array<{ name: string }>).map((t) => t.name),
      ['vip'],
    );
    const listed = await api.get(`${secondUrl}/tags`);
    assert.deepEqual(
      (listed.body.tags as Array<{ id: string }>).map((t) => t.id),
      [tag.id],
    );
    const filtered = await api.get(`/api/v1/conversations?tagIds=${tag.id}`);
    assert.deepEqual(
      (filtered.body.conversations as Conversation[]).map((c) => c.id),
      [second.id],
    );
    const untagged = await api.request('DELETE', `${secondUrl}/tags/${tag.id}`);
    assert.deepEqual(untagged.body.tags, []);
    const unknownTag = await api.request('PUT', `${secondUrl}/tags/${randomUUID()}`);
    assert.equal(code(unknownTag.body), 'tag_not_found');
  });

  test('list filters by status, inbox and assignee; view=mine and assignee=me are refused', async () => {
    const account = await makeAccount(server);
    const agent = await makeMember(server, account.accountId, 'agent');
    const api = await apiClient(account.accountId);
    const a = await start(api);
    const b = await start(api, { inboxId: account.inboxId });
    await api.post(`/api/v1/conversations/${a.conversation.id}/assign`, { assigneeId: agent.userId });
    const ids = async (query: string) => {
      const res = await api.get(`/api/v1/conversations${query}`);
      assert.equal(res.status, 200, `${query} → ${res.text}`);
      return (res.body.conversations as Conversation[]).map((c) => c.id).sort();
    };
    assert.deepEqual(await ids(''), [a.conversation.id, b.conversation.id].sort());
    assert.deepEqual(await ids(`?inboxId=${account.inboxId}`), [b.conversation.id]);
    assert.deepEqual(await ids(`?assignee=${agent.userId}`), [a.conversation.id]);
    assert.deepEqual(await ids('?assignee=none'), [b.conversation.id]);
    assert.deepEqual(await ids('?status=closed'), []);
    for (const query of ['?assignee=me', '?view=mine', '?cursor=garbage', '?limit=0']) {
      const res = await api.get(`/api/v1/conversations${query}`);
      assert.equal(res.status, 400, `${query} → ${res.text}`);
    }
  });

  test('pages stay stable while new conversations arrive', async () => {
    const account = await makeAccount(server);
    const api = await apiClient(account.accountId);
    const original: string[] = [];
    for (let i = 0; i < 5; i++) original.unshift((await start(api)).conversation.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await api.get(`/api/v1/conversations?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(res.status, 200, res.text);
      seen.push(...(res.body.conversations as Conversation[]).map((c) => c.id));
      cursor = res.body.nextCursor as string | null;
      // Newer conversations arrive between pages; they sort before the cursor and are not repeated.
      if (pages++ === 0) await start(api);
      if (pages === 2) await start(api);
    } while (cursor);
    assert.deepEqual(seen, original);
  });
});

describe('messages', () => {
  test('replies as "API", notes with private, idempotent on clientMsgId, read by seq', async () => {
    const account = await makeAccount(server);
    const api = await apiClient(account.accountId);
    const { conversation } = await start(api);
    const url = `/api/v1/conversations/${conversation.id}/messages`;
    const reply = await api.post(url, { clientMsgId: 'r1', body: 'Your order has shipped.' });
    assert.equal(reply.status, 201, reply.text);
    const message = reply.body.message as Message;
    assert.equal(message.senderKind, 'bot');
    assert.equal(message.senderName, 'API');
    assert.equal(message.seq, 2);
    assert.equal(reply.body.created, true);
    const retried = await api.post(url, { clientMsgId: 'r1', body: 'Your order has shipped.' });
    assert.equal(retried.status, 201);
    assert.equal((retried.body.message as Message).id, message.id);
    assert.equal(retried.body.created, false);
    const changed = await api.post(url, { clientMsgId: 'r1', body: 'Something else' });
    assert.equal(changed.status, 409);
    assert.equal(code(changed.body), 'idempotency_conflict');
    const note = await api.post(url, { clientMsgId: 'n1', body: 'Internal', private: true });
    assert.equal((note.body.message as Message).kind, 'note');

    const all = await api.get(url);
    assert.deepEqual(
      (all.body.messages as Message[]).map((m) => m.seq),
      [1, 2, 3],
    );
    assert.equal(all.body.lastSeq, 3);
    const after = await api.get(`${url}?afterSeq=1&limit=1`);
    assert.deepEqual(
      (after.body.messages as Message[]).map((m) => m.seq),
      [2],
    );
    const before = await api.get(`${url}?beforeSeq=3`);
    assert.deepEqual(
      (before.body.messages as Message[]).map((m) => m.seq),
      [1, 2],
    );
    const bad = await api.post(url, { clientMsgId: 'bad id!', body: 'x' });
    assert.equal(code(bad.body), 'validation_failed');
  });
});

describe('contacts', () => {
  test('create, find, read, edit, tag and delete contacts', async () => {
    const account = await makeAccount(server);
    const api = await apiClient(account.accountId);
    await createDefinition(server.ctx, account.accountId, {
      key: 'plan',
      label: 'Plan',
      type: 'list',
      options: ['free', 'pro'],
    });
    const created = await api.post('/api/v1/contacts', {
      name: 'Ana Souza',
      email: 'Ana@Example.test',
      company: 'Acme',
      externalId: 'customer-77',
      attributes: { plan: 'pro' },
    });
    assert.equal(created.status, 201, created.text);
    const contact = created.body.contact as Contact;
    assert.equal(contact.email, 'ana@example.test');
    assert.deepEqual(contact.attributes, { plan: 'pro' });

    const sameEmail = await api.post('/api/v1/contacts', { email: 'ANA@example.test' });
    assert.equal(sameEmail.status, 409);
    assert.equal(code(sameEmail.body), 'contact_exists');
    assert.deepEqual((sameEmail.body.error as { details: unknown }).details, {
      field: 'email',
      contactId: contact.id,
    });
    const sameExternal = await api.post('/api/v1/contacts', { name: 'Other', externalId: 'customer-77' });
    assert.equal(sameExternal.status, 409);
    assert.equal(
      (sameExternal.body.error as { details: { contactId: string } }).details.contactId,
      contact.id,
    );
    const unknownAttribute = await api.post('/api/v1/contacts', { name: 'X', attributes: { nope: 1 } });
    assert.equal(code(unknownAttribute.body), 'attribute_unknown');
    const badValue = await api.post('/api/v1/contacts', { name: 'X', attributes: { plan: 'gold' } });
    assert.equal(code(badValue.body), 'attribute_invalid');
    assert.equal(code((await api.post('/api/v1/contacts', {})).body), 'validation_failed');

    const bob = await api.post('/api/v1/contacts', { name: 'Bob Stone', phone: '+1 555 0100' });
    assert.equal(bob.status, 201, bob.text);
    const search = async (q: string) => {
      const res = await api.get(`/api/v1/contacts?q=${encodeURIComponent(q)}`);
      assert.equal(res.status, 200, res.text);
      return (res.body.contacts as Contact[]).map((c) => c.name);
    };
    assert.deepEqual(await search('ana@example'), ['Ana Souza']);
    assert.deepEqual(await search('stone'), ['Bob Stone']);
    const page = await api.get('/api/v1/contacts?limit=1');
    assert.equal((page.body.contacts as Contact[]).length, 1);
    const next = await api.get(`/api/v1/contacts?limit=1&cursor=${page.body.nextCursor}`);
    assert.notEqual((next.body.contacts as Contact[])[0]?.id, (page.body.contacts as Contact[])[0]?.id);

    const detail = await api.get(`/api/v1/contacts/${contact.id}`);
    assert.equal(detail.status, 200);
    assert.deepEqual(detail.body.conversations, []);
    const edited = await api.request('PATCH', `/api/v1/contacts/${contact.id}`, {
      name: 'Ana S.',
      attributes: { plan: null },
    });
    assert.equal(edited.status, 200, edited.text);
    assert.equal((edited.body.contact as Contact).name, 'Ana S.');
    assert.deepEqual((edited.body.contact as Contact).attributes, {});

    const tag = await createTag(server.ctx, account.accountId, { name: 'lead', color: '#123456' });
    const tagged = await api.request('PUT', `/api/v1/contacts/${contact.id}/tags/${tag.id}`);
    assert.deepEqual(
      (tagged.body.tags as Array<{ id: string }>).map((t) => t.id),
      [tag.id],
    );
    assert.equal(((await api.get(`/api/v1/contacts/${contact.id}/tags`)).body.tags as unknown[]).length, 1);
    const untagged = await api.request('DELETE', `/api/v1/contacts/${contact.id}/tags/${tag.id}`);
    assert.deepEqual(untagged.body.tags, []);

    const definitions = await api.get('/api/v1/attribute-definitions');
    assert.deepEqual(
      (definitions.body.definitions as Array<{ key: string }>).map((d) => d.key),
      ['plan'],
    );

    // A contact with a history is kept; one without is deleted.
    await start(api, { email: undefined, contactId: contact.id });
    const inUse = await api.request('DELETE', `/api/v1/contacts/${contact.id}`);
    assert.equal(inUse.status, 409);
    assert.equal(code(inUse.body), 'contact_in_use');
    const bobId = (bob.body.contact as Contact).id;
    assert.equal((await api.request('DELETE', `/api/v1/contacts/${bobId}`)).status, 204);
    assert.equal((await api.get(`/api/v1/contacts/${bobId}`)).status, 404);
  });

  test("another account's contacts are 404", async () => {
    const mine = await makeAccount(server);
    const theirs = await makeAccount(server);
    const api = await apiClient(mine.accountId);
    const other = await apiClient(theirs.accountId);
    const created = await other.post('/api/v1/contacts', { name: 'Theirs' });
    const id = (created.body.contact as Contact).id;
    const tag = await createTag(server.ctx, mine.accountId, { name: 'mine', color: '#123456' });
    for (const [method, path, body] of [
      ['GET', `/api/v1/contacts/${id}`],
      ['PATCH', `/api/v1/contacts/${id}`, { name: 'Stolen' }],
      ['DELETE', `/api/v1/contacts/${id}`],
      ['GET', `/api/v1/contacts/${id}/tags`],
      ['PUT', `/api/v1/contacts/${id}/tags/${tag.id}`],
    ] as Array<[string, string, unknown?]>) {
      const res = await api.request(method, path, body);
      assert.equal(res.status, 404, `${method} ${path} → ${res.text}`);
      assert.equal(code(res.body), 'contact_not_found');
    }
    assert.deepEqual((await api.get('/api/v1/contacts')).body.contacts, []);
    const start = await api.post('/api/v1/conversations', {
      contactId: id,
      message: { clientMsgId: 'x', body: 'Hi' },
    });
    assert.equal(code(start.body), 'contact_not_found');
  });
});

describe('directory', () => {
  test('inboxes, agents, teams and tags of the token’s account', async () => {
    const account = await makeAccount(server);
    const other = await makeAccount(server);
    const agent = await makeMember(server, account.accountId, 'agent');
    const team = await createTeam(server.ctx.database.db, account.accountId, 'Billing');
    const tag = await createTag(server.ctx, account.accountId, { name: 'billing', color: '#445566' });
    const api = await apiClient(account.accountId);

    const inboxList = await api.get('/api/v1/inboxes');
    assert.deepEqual(
      (inboxList.body.inboxes as Array<{ id: string }>).map((i) => i.id),
      [account.inboxId],
    );
    assert.equal((await api.get(`/api/v1/inboxes/${account.inboxId}`)).status, 200);
    const agents = await api.get('/api/v1/agents');
    assert.deepEqual(
      (agents.body.members as Array<{ userId: string }>).map((m) => m.userId).sort(),
      [account.admin.userId, agent.userId].sort(),
    );
    const one = await api.get(`/api/v1/agents/${agent.userId}`);
    assert.equal((one.body.member as { email: string }).email, agent.email);
    const teams = await api.get('/api/v1/teams');
    assert.deepEqual(
      (teams.body.teams as Array<{ id: string }>).map((t) => t.id),
      [team.id],
    );
    assert.equal((await api.get(`/api/v1/teams/${team.id}`)).status, 200);
    await server.ctx.database.db.insert(cannedReplies).values([
      { id: randomUUID(), accountId: account.accountId, shortcut: 'hello', body: 'Hello!' },
      {
        id: randomUUID(),
        accountId: account.accountId,
        ownerId: agent.userId,
        shortcut: 'mine',
        body: 'Mine',
      },
      { id: randomUUID(), accountId: other.accountId, shortcut: 'theirs', body: 'Theirs' },
    ]);
    const canned = await api.get('/api/v1/canned-replies?q=hel');
    assert.equal(canned.status, 200, canned.text);
    assert.deepEqual(
      (canned.body.cannedReplies as Array<{ shortcut: string }>).map((c) => c.shortcut),
      ['hello'],
    );
    const allCanned = await api.get('/api/v1/canned-replies');
    assert.deepEqual(
      (allCanned.body.cannedReplies as Array<{ shortcut: string }>).map((c) => c.shortcut),
      ['hello'],
      'personal replies and other accounts stay out',
    );
    const tags = await api.get('/api/v1/tags');
    assert.deepEqual(
      (tags.body.tags as Array<{ id: string }>).map((t) => t.id),
      [tag.id],
    );

    // Another account's objects are not found.
    const otherTeam = await createTeam(server.ctx.database.db, other.accountId, 'Theirs');
    for (const [path, expected] of [
      [`/api/v1/inboxes/${other.inboxId}`, 'inbox_not_found'],
      [`/api/v1/agents/${other.admin.userId}`, 'user_not_found'],
      [`/api/v1/teams/${otherTeam.id}`, 'team_not_found'],
    ] as const) {
      const res = await api.get(path);
      assert.equal(res.status, 404, path);
      assert.equal(code(res.body), expected, path);
    }
  });
});

describe('tenant isolation', () => {
  test("another account's conversations are 404 on every conversation route", async () => {
    const mine = await makeAccount(server);
    const theirs = await makeAccount(server);
    const { conversationId } = await visitorWithConversation(server, theirs.inboxId);
    const tag = await createTag(server.ctx, theirs.accountId, { name: 'theirs', color: '#000000' });
    const api = await apiClient(mine.accountId);
    const url = `/api/v1/conversations/${conversationId}`;
    const requests: Array<[string, string, unknown?]> = [
      ['GET', url],
      ['GET', `${url}/messages`],
      ['GET', `${url}/tags`],
      ['POST', `${url}/messages`, { clientMsgId: 'x', body: 'Hi' }],
      ['POST', `${url}/status`, { status: 'solved' }],
      ['POST', `${url}/assign`, { assigneeId: mine.admin.userId }],
      ['POST', `${url}/unassign`, {}],
      ['PUT', `${url}/tags/${tag.id}`],
      ['DELETE', `${url}/tags/${tag.id}`],
    ];
    for (const [method, path, body] of requests) {
      const res = await api.request(method, path, body);
      assert.equal(res.status, 404, `${method} ${path} → ${res.text}`);
      assert.equal(code(res.body), 'conversation_not_found', `${method} ${path}`);
    }
    const list = await api.get('/api/v1/conversations');
    assert.deepEqual(list.body.conversations, []);
  });
});

describe('scopes', () => {
  test('every /api/v1 route refuses a token without its scope, naming the scope', async () => {
    const account = await makeAccount(server);
    const apiRoutes = allRoutes().filter((r) => r.auth === 'api');
    assert.ok(apiRoutes.length >= 15, `api routes: ${apiRoutes.length}`);
    const clients = new Map<TokenScope, HttpClient>();
    for (const route of apiRoutes) {
      assert.ok(route.policy, route.url);
      const scope = policies[route.policy].scope as TokenScope | null;
      assert.ok(scope, `${route.method} ${route.url} must be open to some scope`);
      let client = clients.get(scope);
      if (!client) {
        client = await apiClient(
          account.accountId,
          tokenScopes.filter((s) => s !== scope),
        );
        clients.set(scope, client);
      }
      const path = route.url.replace(/:([A-Za-z]+)/g, () => randomUUID());
      const res = await client.request(route.method, path, route.method === 'GET' ? undefined : {});
      assert.equal(res.status, 403, `${route.method} ${route.url} → ${res.text}`);
      assert.equal(code(res.body), 'insufficient_scope');
      assert.deepEqual((res.body.error as { details: unknown }).details, { requiredScope: scope }, route.url);
      assert.match((res.body.error as { message: string }).message, new RegExp(scope));
    }
  });

  test('a token with only the needed scope gets in; a revoked token is refused', async () => {
    const account = await makeAccount(server);
    const reader = await apiClient(account.accountId, ['conversation_read']);
    assert.equal((await reader.get('/api/v1/conversations')).status, 200);
    const denied = await reader.post('/api/v1/conversations', {
      email: 'a@example.test',
      message: { clientMsgId: 'a', body: 'Hi' },
    });
    assert.equal(denied.status, 403);
    assert.equal(
      (denied.body.error as { details: { requiredScope: string } }).details.requiredScope,
      'conversation_write',
    );
    const [token] = await server.ctx.database.db
      .select({ id: apiTokens.id })
      .from(apiTokens)
      .where(eq(apiTokens.tokenHash, sha256(reader.bearer ?? '')));
    assert.ok(token);
    await revokeApiToken(server.ctx.database.db, account.accountId, token.id, new Date());
    const revoked = await reader.get('/api/v1/conversations');
    assert.equal(revoked.status, 401);
    assert.equal(code(revoked.body), 'unauthenticated');
  });
});

describe('documentation', () => {
  test('every /api/v1 route is in the OpenAPI document, with examples and Idempotency-Key on POSTs', async () => {
    const res = await fetch(`${server.url}/api/openapi.json`);
    const doc = (await res.json()) as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    for (const route of allRoutes().filter((r) => r.auth === 'api')) {
      const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
      const operation = doc.paths[path]?.[route.method.toLowerCase()];
      assert.ok(operation, `${route.method} ${path} is documented`);
      assert.deepEqual(operation.security, [{ apiToken: [] }]);
      const parameters = (operation.parameters as Array<{ name: string; in: string }>).map((p) => p.name);
      assert.equal(
        parameters.includes('Idempotency-Key'),
        route.method === 'POST',
        `${route.method} ${path}`,
      );
    }
    const drift = doc.paths['/api/v1/conversations/new']?.post as {
      requestBody: { content: { 'application/json': { example: unknown } } };
      responses: Record<string, { content: { 'application/json': { example: { createdAt: unknown } } } }>;
    };
    assert.ok(drift.requestBody.content['application/json'].example);
    assert.equal(typeof drift.responses['200']?.content['application/json'].example.createdAt, 'number');
    const docs = await fetch(`${server.url}/api/docs`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger-ui/);
  });
});
