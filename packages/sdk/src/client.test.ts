import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { tokenScopes } from '@parley/shared';
import { eq, sql } from 'drizzle-orm';
import { conversations } from '../../../apps/server/src/db/schema.ts';
import { createDefinition } from '../../../apps/server/src/modules/contacts/attributes.ts';
import { createTag } from '../../../apps/server/src/modules/tags/commands.ts';
import { createTeam } from '../../../apps/server/src/modules/teams/commands.ts';
import { makeAccount, makeMember, makeToken, type TestAccount } from '../../../apps/server/test/factories.ts';
import { startTestServer, type TestServer } from '../../../apps/server/test/harness.ts';
import { ParleyClient, ParleyError } from './index.ts';

/** The SDK against a real server: every method, its errors, retries and idempotency. */

let server: TestServer;
let account: TestAccount;
let token: string;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
  account = await makeAccount(server);
  token = await makeToken(server, account.accountId, [...tokenScopes]);
});
after(async () => {
  await server?.close();
});

const client = (options: Partial<ConstructorParameters<typeof ParleyClient>[0]> = {}) =>
  new ParleyClient({ baseUrl: `${server.url}/`, token, ...options });

async function conversationCount(): Promise<number> {
  const [row] = await server.ctx.database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(conversations)
    .where(eq(conversations.accountId, account.accountId));
  return Number(row?.n ?? 0);
}

async function rejects(promise: Promise<unknown>, code: string, status: number): Promise<ParleyError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ParleyError, String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(error.status, status);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe('ParleyClient', () => {
  test('conversations and messages', async () => {
    const parley = client();
    const agent = await makeMember(server, account.accountId, 'agent');
    const { conversation, created } = await parley.conversations.create({
      email: 'ana@example.test',
      integrationSource: 'SDK',
      message: { clientMsgId: 'sdk-1', body: 'Hello from the SDK' },
    });
    assert.equal(created, true);
    assert.equal(conversation.integrationSource, 'SDK');
    assert.equal((await parley.conversations.get(conversation.id)).id, conversation.id);
    assert.equal((await parley.conversations.assign(conversation.id, agent.userId)).assigneeId, agent.userId);
    assert.equal((await parley.conversations.unassign(conversation.id)).assigneeId, null);
    assert.equal((await parley.conversations.setStatus(conversation.id, 'solved')).status, 'solved');

    const tag = await createTag(server.ctx, account.accountId, { name: 'sdk', color: '#101010' });
    assert.deepEqual(
      (await parley.conversations.addTag(conversation.id, tag.id)).map((t) => t.name),
      ['sdk'],
    );
    assert.equal((await parley.conversations.tags(conversation.id)).length, 1);
    assert.deepEqual(await parley.conversations.removeTag(conversation.id, tag.id), []);

    const reply = await parley.messages.create(conversation.id, { clientMsgId: 'r-1', body: 'Hi Ana' });
    assert.equal(reply.message.senderName, 'API');
    for (let i = 0; i < 4; i++) {
      await parley.messages.create(conversation.id, {
        clientMsgId: `n-${i}`,
        body: `Note ${i}`,
        private: true,
      });
    }
    const page = await parley.messages.list(conversation.id, { beforeSeq: 3 });
    assert.deepEqual(
      page.messages.map((m) => m.seq),
      [1, 2],
    );
    const everything = (await parley.messages.list(conversation.id, { afterSeq: 0, limit: 200 })).messages;
    assert.ok(everything.length >= 6);
    const seqs: number[] = [];
    for await (const message of parley.messages.iterate(conversation.id, { limit: 2 }))
      seqs.push(message.seq);
    assert.deepEqual(
      seqs,
      everything.map((m) => m.seq),
    );
    const later: number[] = [];
    for await (const message of parley.messages.iterate(conversation.id, { afterSeq: 4 }))
      later.push(message.seq);
    assert.deepEqual(
      later,
      everything.filter((m) => m.seq > 4).map((m) => m.seq),
    );

    const drift = await parley.conversations.new({
      email: 'bea@example.test',
      message: { body: 'Drift-style', attributes: { integrationSource: 'Old integration' } },
    });
    assert.equal(typeof drift.createdAt, 'number');
    assert.equal(drift.status, 'open');

    const ids: string[] = [];
    for await (const c of parley.conversations.iterate({ limit: 1 })) ids.push(c.id);
    assert.deepEqual(ids.sort(), [conversation.id, drift.id].sort());
    const solved = await parley.conversations.list({ status: 'solved' });
    assert.deepEqual(
      solved.conversations.map((c) => c.id),
      [conversation.id],
    );
    const none = await parley.conversations.list({ tagIds: [tag.id, randomUUID()] });
    assert.deepEqual(none.conversations, []);
  });

  test('contacts, attribute definitions and the directory', async () => {
    const parley = client();
    await createDefinition(server.ctx, account.accountId, {
      key: 'tier',
      label: 'Tier',
      type: 'text',
      options: [],
    });
    const contact = await parley.contacts.create({
      name: 'Carla',
      email: 'carla@example.test',
      attributes: { tier: 'gold' },
    });
    assert.equal(contact.email, 'carla@example.test');
    const exists = await rejects(
      parley.contacts.create({ email: 'CARLA@example.test' }),
      'contact_exists',
      409,
    );
    assert.deepEqual(exists.details, { field: 'email', contactId: contact.id });
    assert.equal((await parley.contacts.update(contact.id, { company: 'Acme' })).company, 'Acme');
    assert.equal((await parley.contacts.get(contact.id)).contact.name, 'Carla');
    const found = await parley.contacts.list({ q: 'carla' });
    assert.deepEqual(
      found.contacts.map((c) => c.id),
      [contact.id],
    );
    const dora = await parley.contacts.create({ name: 'Dora' });
    const all: string[] = [];
    for await (const c of parley.contacts.iterate({ limit: 1 })) all.push(c.id);
    assert.ok(all.includes(contact.id) && all.includes(dora.id));
    assert.equal(new Set(all).size, all.length, 'no contact twice');
    const tag = await createTag(server.ctx, account.accountId, { name: 'customer', color: '#202020' });
    assert.equal((await parley.contacts.addTag(contact.id, tag.id)).length, 1);
    assert.equal((await parley.contacts.tags(contact.id)).length, 1);
    assert.deepEqual(await parley.contacts.removeTag(contact.id, tag.id), []);
    assert.deepEqual(
      (await parley.attributeDefinitions.list()).map((d) => d.key),
      ['tier'],
    );
    await parley.contacts.delete(contact.id);
    await rejects(parley.contacts.get(contact.id), 'contact_not_found', 404);

    const team = await createTeam(server.ctx.database.db, account.accountId, 'SDK team');
    assert.ok((await parley.inboxes.list()).some((i) => i.id === account.inboxId));
    assert.equal((await parley.inboxes.get(account.inboxId)).id, account.inboxId);
    assert.ok((await parley.agents.list()).some((m) => m.userId === account.admin.userId));
    assert.equal((await parley.agents.get(account.admin.userId)).userId, account.admin.userId);
    assert.deepEqual(
      (await parley.teams.list()).map((t) => t.id),
      [team.id],
    );
    assert.equal((await parley.teams.get(team.id)).name, 'SDK team');
    assert.ok((await parley.tags.list()).length >= 1);
    assert.deepEqual(await parley.cannedReplies.list({ q: 'nothing-like-this' }), []);
  });

  test('errors are typed with their stable code', async () => {
    const reader = new ParleyClient({
      baseUrl: server.url,
      token: await makeToken(server, account.accountId, ['conversation_read']),
    });
    const scope = await rejects(reader.contacts.create({ name: 'Nope' }), 'insufficient_scope', 403);
    assert.deepEqual(scope.details, { requiredScope: 'contact_write' });
    await rejects(client().conversations.get(randomUUID()), 'conversation_not_found', 404);
    const invalid = await rejects(
      client().conversations.new({ email: 'not-an-email', message: { body: 'x' } }),
      'validation_failed',
      400,
    );
    assert.ok(Array.isArray(invalid.details));
    await rejects(
      new ParleyClient({ baseUrl: server.url, token: 'pat_wrong' }).tags.list(),
      'unauthenticated',
      401,
    );
    await rejects(
      new ParleyClient({ baseUrl: 'http://127.0.0.1:9', token, retries: 0 }).tags.list(),
      'network_error',
      0,
    );
  });

  test('a POST whose answer is lost is retried with the same Idempotency-Key and done once', async () => {
    const sent: Array<string | null> = [];
    let dropped = false;
    const flaky: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      if (init?.method === 'POST') sent.push(headers.get('idempotency-key'));
      const response = await fetch(input, init);
      if (init?.method === 'POST' && !dropped) {
        dropped = true;
        await response.arrayBuffer();
        throw new TypeError('fetch failed: connection reset');
      }
      return response;
    };
    const parley = client({ fetch: flaky });
    const before = await conversationCount();
    const answer = await parley.conversations.new({ email: 'retry@example.test', message: { body: 'Once' } });
    assert.equal(await conversationCount(), before + 1, 'done once');
    assert.equal(sent.length, 2);
    assert.ok(sent[0]);
    assert.equal(sent[0], sent[1], 'the retry reuses the key');
    assert.equal((await parley.conversations.get(answer.id)).id, answer.id);

    // Each call gets its own key; a chosen key is sent as given.
    await parley.conversations.new({ email: 'retry@example.test', message: { body: 'Twice' } });
    assert.notEqual(sent[2], sent[0]);
    await parley.conversations.new(
      { email: 'retry@example.test', message: { body: 'Chosen' } },
      { idempotencyKey: 'my-key-1' },
    );
    assert.equal(sent.at(-1), 'my-key-1');
  });

  test('429 waits for Retry-After and tries again; other errors are not retried', async () => {
    const calls: number[] = [];
    let answers = [
      new Response(JSON.stringify({ error: { code: 'rate_limited', message: 'slow down' } }), {
        status: 429,
        headers: { 'retry-after': '1', 'content-type': 'application/json' },
      }),
      new Response(JSON.stringify({ tags: [] }), { status: 200 }),
    ];
    const stub: typeof fetch = async () => {
      calls.push(Date.now());
      const next = answers.shift();
      if (!next) throw new Error('no more answers');
      return next;
    };
    const parley = new ParleyClient({ baseUrl: 'http://parley.invalid', token: 't', fetch: stub });
    assert.deepEqual(await parley.tags.list(), []);
    assert.equal(calls.length, 2);
    assert.ok((calls[1] ?? 0) - (calls[0] ?? 0) >= 900, 'waited for Retry-After');

    calls.length = 0;
    answers = [
      new Response(JSON.stringify({ error: { code: 'validation_failed', message: 'no' } }), { status: 400 }),
    ];
    await rejects(parley.tags.list(), 'validation_failed', 400);
    assert.equal(calls.length, 1);
  });
});
