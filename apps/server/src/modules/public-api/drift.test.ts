import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type Conversation, type Message, tokenScopes } from '@parley/shared';
import { eq } from 'drizzle-orm';
import { makeAccount, makeMember, makeToken } from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { HttpClient } from '../../../test/http-client.ts';
import { accountMembers, contacts, conversations } from '../../db/schema.ts';

/** POST /api/v1/conversations/new, as an integration written for Drift calls it. */

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
});
after(async () => {
  await server?.close();
});

const code = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;

async function setup() {
  const account = await makeAccount(server);
  const api = new HttpClient(server.url);
  api.bearer = await makeToken(server, account.accountId, [...tokenScopes]);
  return { account, api };
}

async function conversationRow(id: string) {
  const [row] = await server.ctx.database.db.select().from(conversations).where(eq(conversations.id, id));
  assert.ok(row);
  return row;
}

describe('Drift-compatible conversation start', () => {
  test('answers Drift’s fields at the top level and stores the integration source', async () => {
    const { account, api } = await setup();
    const before = Date.now();
    const res = await api.post('/api/v1/conversations/new', {
      email: 'Buyer@Example.test',
      message: { body: 'Where is my order?', attributes: { integrationSource: 'Shop orders' } },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), [
      'contactId',
      'createdAt',
      'id',
      'inboxId',
      'participants',
      'status',
    ]);
    assert.equal(res.body.status, 'open');
    assert.deepEqual(res.body.participants, []);
    assert.equal(typeof res.body.createdAt, 'number');
    assert.ok(
      (res.body.createdAt as number) >= before - 5_000 && (res.body.createdAt as number) <= Date.now(),
    );
    const row = await conversationRow(res.body.id as string);
    assert.equal(row.integrationSource, 'Shop orders');
    assert.equal(row.inboxId, res.body.inboxId);
    assert.equal(row.contactId, res.body.contactId);
    const [contact] = await server.ctx.database.db
      .select()
      .from(contacts)
      .where(eq(contacts.id, row.contactId));
    assert.equal(contact?.email, 'buyer@example.test');
    assert.equal(contact?.accountId, account.accountId);

    const got = await api.get(`/api/v1/conversations/${row.id}`);
    const conversation = got.body.conversation as Conversation;
    assert.equal(conversation.integrationSource, 'Shop orders');
    assert.equal(conversation.startedByIntegration, true);
    const messages = await api.get(`/api/v1/conversations/${row.id}/messages`);
    const [first] = messages.body.messages as Message[];
    assert.equal(first?.body, 'Where is my order?');
    assert.equal(first?.senderKind, 'contact');
  });

  test('without attributes: an unnamed integration; an existing contact is found by e-mail in any case', async () => {
    const { api } = await setup();
    const first = await api.post('/api/v1/conversations/new', {
      email: 'same@example.test',
      message: { body: 'First' },
    });
    assert.equal(first.status, 200, first.text);
    const second = await api.post('/api/v1/conversations/new', {
      email: 'SAME@example.test',
      message: { body: 'Second', attributes: { integrationSource: '', somethingDriftSends: 1 } },
    });
    assert.equal(second.status, 200, second.text);
    assert.equal(second.body.contactId, first.body.contactId);
    assert.notEqual(second.body.id, first.body.id);
    assert.equal(second.body.inboxId, first.body.inboxId, 'the same API inbox');
    for (const id of [first.body.id, second.body.id] as string[]) {
      const row = await conversationRow(id);
      assert.equal(row.integrationSource, '');
      const got = await api.get(`/api/v1/conversations/${id}`);
      assert.equal((got.body.conversation as Conversation).startedByIntegration, true);
      assert.equal((got.body.conversation as Conversation).integrationSource, null);
    }
  });

  test('autoAssigneeId assigns that agent through routing’s capacity rule; others are skipped', async () => {
    const { account, api } = await setup();
    const agent = await makeMember(server, account.accountId, 'agent');
    const assigned = await api.post('/api/v1/conversations/new', {
      email: 'a@example.test',
      message: { body: 'Hi', attributes: { autoAssigneeId: agent.userId.toUpperCase() } },
    });
    assert.equal(assigned.status, 200, assigned.text);
    assert.deepEqual(assigned.body.participants, [agent.userId]);
    assert.equal((await conversationRow(assigned.body.id as string)).assigneeId, agent.userId);

    const stranger = await makeAccount(server);
    for (const autoAssigneeId of [21965, 'not-a-uuid', randomUUID(), stranger.admin.userId, null]) {
      const res = await api.post('/api/v1/conversations/new', {
        email: 'b@example.test',
        message: { body: 'Hi', attributes: { autoAssigneeId } },
      });
      assert.equal(res.status, 200, `${autoAssigneeId} → ${res.text}`);
      // Skipped, and routing finds nobody online: unassigned, waiting in the queue.
      assert.deepEqual(res.body.participants, [], String(autoAssigneeId));
      assert.equal((await conversationRow(res.body.id as string)).assigneeId, null);
    }

    // No room: the agent is not overloaded, the conversation is routed instead.
    await server.ctx.database.db
      .update(accountMembers)
      .set({ capacity: 1 })
      .where(eq(accountMembers.userId, agent.userId));
    const full = await api.post('/api/v1/conversations/new', {
      email: 'c@example.test',
      message: { body: 'Hi', attributes: { autoAssigneeId: agent.userId } },
    });
    assert.equal(full.status, 200, full.text);
    assert.deepEqual(full.body.participants, []);
    assert.equal((await conversationRow(full.body.id as string)).assigneeId, null);
  });

  test('an optional inboxId picks the inbox; bad input is 400 validation_failed', async () => {
    const { account, api } = await setup();
    const res = await api.post('/api/v1/conversations/new', {
      email: 'web@example.test',
      inboxId: account.inboxId,
      message: { body: 'Hi' },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.inboxId, account.inboxId);
    const stranger = await makeAccount(server);
    const foreign = await api.post('/api/v1/conversations/new', {
      email: 'web@example.test',
      inboxId: stranger.inboxId,
      message: { body: 'Hi' },
    });
    assert.equal(foreign.status, 404);
    assert.equal(code(foreign.body), 'inbox_not_found');
    const bad: unknown[] = [
      { email: 'not an e-mail', message: { body: 'Hi' } },
      { email: '', message: { body: 'Hi' } },
      { email: 'x@example.test' },
      { email: 'x@example.test', message: { body: '' } },
      { email: 'x@example.test', message: { body: 'Hi', attributes: { autoAssigneeId: { id: 1 } } } },
      { email: 'x@example.test', message: { body: 'Hi', attributes: 'x' } },
      { email: 'x@example.test', message: { body: 'Hi' }, unknown: true },
    ];
    for (const body of bad) {
      const answer = await api.post('/api/v1/conversations/new', body);
      assert.equal(answer.status, 400, `${JSON.stringify(body)} → ${answer.text}`);
      assert.equal(code(answer.body), 'validation_failed');
    }
  });

  test('the dashboard link /inboxes/{inboxId}/conversations/{id} is served the app', async () => {
    const { api } = await setup();
    const res = await api.post('/api/v1/conversations/new', {
      email: 'link@example.test',
      message: { body: 'Hi' },
    });
    const page = await fetch(`${server.url}/inboxes/${res.body.inboxId}/conversations/${res.body.id}`, {
      headers: { accept: 'text/html' },
    });
    // 503 is the "not built yet" page when the test run skipped the dashboard build.
    assert.ok(page.status === 200 || page.status === 503, String(page.status));
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  });
});
