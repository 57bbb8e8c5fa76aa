import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type {
  AttributeDefinition,
  Contact,
  ContactList,
  JourneyEvent,
  MergePreview,
  MergeResult,
  Tag,
} from '@parley/shared';
import {
  loginAs,
  makeAccount,
  makeMember,
  makeToken,
  type TestAccount,
  visitorOf,
  visitorWithConversation,
} from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import type { HttpClient } from '../../../test/http-client.ts';
import { RealtimeClient } from '../../../test/realtime-client.ts';
import { createInbox } from '../inboxes/commands.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
});
after(async () => {
  await server?.close();
});

const code = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;
const patch = (client: HttpClient, path: string, body: unknown) => client.request('PATCH', path, body);
const put = (client: HttpClient, path: string) => client.request('PUT', path);
const del = (client: HttpClient, path: string) => client.request('DELETE', path);
let counter = 0;
const msgId = () => `m-${Date.now()}-${counter++}`;

interface Setup {
  account: TestAccount;
  admin: HttpClient;
  base: string;
}

async function setup(): Promise<Setup> {
  const account = await makeAccount(server);
  const admin = await loginAs(server, account.admin.email);
  return { account, admin, base: `/api/accounts/${account.accountId}` };
}

async function define(s: Setup, body: Record<string, unknown>): Promise<AttributeDefinition> {
  const res = await s.admin.post(`${s.base}/attribute-definitions`, body);
  assert.equal(res.status, 201, res.text);
  return res.body.definition as AttributeDefinition;
}

async function journey(client: HttpClient, s: Setup, contactId: string, query = ''): Promise<JourneyEvent[]> {
  const res = await client.get(`${s.base}/contacts/${contactId}/journey${query}`);
  assert.equal(res.status, 200, res.text);
  return res.body.events as JourneyEvent[];
}

async function makeTag(s: Setup, name: string): Promise<Tag> {
  const res = await s.admin.post(`${s.base}/tags`, { name });
  assert.equal(res.status, 201, res.text);
  return res.body.tag as Tag;
}

describe('attribute definitions', () => {
  test('admins define, rename and delete them; agents read them; keys and options are checked', async () => {
    const s = await setup();
    const agent = await makeMember(server, s.account.accountId, 'agent', [s.account.inboxId]);
    const asAgent = await loginAs(server, agent.email);
    const plan = await define(s, { key: 'plan', label: 'Plan', type: 'list', options: ['free', 'pro'] });
    await define(s, { key: 'seats', label: 'Seats', type: 'number' });
    assert.equal(plan.position, 0);

    const listed = await asAgent.get(`${s.base}/attribute-definitions`);
    assert.equal(listed.status, 200);
    assert.deepEqual(
      (listed.body.definitions as AttributeDefinition[]).map((d) => [d.key, d.type, d.position]),
      [
        ['plan', 'list', 0],
        ['seats', 'number', 1],
      ],
    );
    assert.equal(
      (await asAgent.post(`${s.base}/attribute-definitions`, { key: 'x', label: 'X', type: 'text' })).status,
      403,
    );

    const taken = await s.admin.post(`${s.base}/attribute-definitions`, {
      key: 'plan',
      label: 'Again',
      type: 'text',
    });
    assert.equal(taken.status, 409);
    assert.equal(code(taken.body), 'attribute_definition_exists');
    for (const bad of [
      { key: 'Plan', label: 'Upper', type: 'text' },
      { key: 'visitor', label: 'Reserved', type: 'text' },
      { key: '__proto__', label: 'Proto', type: 'text' },
      { key: 'tier', label: 'Tier', type: 'list' },
      { key: 'tier', label: 'Tier', type: 'list', options: ['a', 'a'] },
      { key: 'tier', label: 'Tier', type: 'number', options: ['a'] },
      { key: 'tier', label: 'Tier', type: 'color' },
      { key: 'tier', label: '', type: 'text' },
    ]) {
      const res = await s.admin.post(`${s.base}/attribute-definitions`, bad);
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.equal(code(res.body), 'validation_failed');
    }

    const renamed = await patch(s.admin, `${s.base}/attribute-definitions/${plan.id}`, {
      label: 'Subscription',
      options: ['free', 'pro', 'enterprise'],
    });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal((renamed.body.definition as AttributeDefinition).label, 'Subscription');
    assert.deepEqual((renamed.body.definition as AttributeDefinition).options, ['free', 'pro', 'enterprise']);
    assert.equal(
      (await patch(s.admin, `${s.base}/attribute-definitions/${plan.id}`, { type: 'text' })).status,
      400,
    );
    assert.equal((await del(s.admin, `${s.base}/attribute-definitions/${plan.id}`)).status, 204);
    const gone = await del(s.admin, `${s.base}/attribute-definitions/${plan.id}`);
    assert.equal(gone.status, 404);
    assert.equal(code(gone.body), 'attribute_definition_not_found');
  });

  test('values are checked against their type; unknown keys are refused; the visitor context stays apart', async () => {
    const s = await setup();
    for (const [key, type, options] of [
      ['note', 'text', []],
      ['seats', 'number', []],
      ['renewal', 'date', []],
      ['plan', 'list', ['free', 'pro']],
      ['vip', 'boolean', []],
      ['crm', 'link', []],
    ] as const) {
      await define(s, { key, label: key, type, options });
    }
    const visitor = await visitorOf(server, s.account.inboxId, { name: 'Ana' });
    await visitor.post('/api/client/context', { url: 'https://shop.example/cart', title: 'Cart' });
    const url = `${s.base}/contacts/${visitor.contactId}`;

    const good = await patch(s.admin, url, {
      attributes: {
        note: '  likes <b>tents</b>  ',
        seats: 12,
        renewal: '2024-02-29',
        plan: 'pro',
        vip: true,
        crm: 'https://crm.example/c/1',
      },
    });
    assert.equal(good.status, 200, good.text);
    const attributes = (good.body.contact as Contact).attributes;
    assert.equal(attributes.note, 'likes <b>tents</b>');
    assert.equal(attributes.seats, 12);
    assert.equal(attributes.renewal, '2024-02-29');
    assert.equal(attributes.plan, 'pro');
    assert.equal(attributes.vip, true);
    assert.equal(attributes.crm, 'https://crm.example/c/1');
    const visitorInfo = attributes.visitor as { currentPage: { url: string } } | undefined;
    assert.equal(visitorInfo?.currentPage.url, 'https://shop.example/cart');

    const numeric = await patch(s.admin, url, { attributes: { seats: '40' } });
    assert.equal((numeric.body.contact as Contact).attributes.seats, 40);
    const withTime = await patch(s.admin, url, { attributes: { renewal: '2025-01-02T10:00:00+02:00' } });
    assert.equal((withTime.body.contact as Contact).attributes.renewal, '2025-01-02T08:00:00.000Z');

    for (const [key, value] of [
      ['seats', 'twelve'],
      ['seats', true],
      ['renewal', '2023-02-29'],
      ['renewal', 'tomorrow'],
      ['renewal', 20240101],
      ['plan', 'gold'],
      ['plan', 1],
      ['vip', 'yes'],
      ['crm', 'javascript:alert(1)'],
      ['crm', 'ftp://files.example/x'],
      ['crm', 'not a link'],
      ['note', 'x'.repeat(501)],
      ['note', false],
    ] as const) {
      const res = await patch(s.admin, url, { attributes: { [key]: value } });
      assert.equal(res.status, 400, `${key}=${String(value)}`);
      assert.equal(code(res.body), 'attribute_invalid', `${key}=${String(value)}`);
      assert.deepEqual((res.body.error as { details: { key: string } }).details.key, key);
    }
    for (const key of ['colour', 'visitor', 'preChat']) {
      const res = await patch(s.admin, url, { attributes: { [key]: 'x' } });
      assert.equal(res.status, 400, key);
      assert.equal(code(res.body), 'attribute_unknown', key);
      assert.match((res.body.error as { message: string }).message, new RegExp(key));
    }
    assert.equal((await patch(s.admin, url, { attributes: { visitor: null } })).status, 400);

    const removed = await patch(s.admin, url, { attributes: { note: null, plan: '' } });
    assert.equal(removed.status, 200, removed.text);
    const after = (removed.body.contact as Contact).attributes;
    assert.equal('note' in after, false);
    assert.equal('plan' in after, false);
    assert.equal(after.seats, 40);
    assert.ok(after.visitor, 'the widget context is untouched');
  });
});

describe('editing a contact', () => {
  test('changes are saved and each edit is one journey entry naming the agent', async () => {
    const s = await setup();
    await define(s, { key: 'plan', label: 'Plan', type: 'list', options: ['free', 'pro'] });
    const { visitor } = await visitorWithConversation(server, s.account.inboxId);
    const agent = await makeMember(server, s.account.accountId, 'agent', [s.account.inboxId]);
    const asAgent = await loginAs(server, agent.email);
    const url = `${s.base}/contacts/${visitor.contactId}`;

    const res = await patch(asAgent, url, {
      name: ' Ana Souza ',
      email: 'Ana@Example.test',
      phone: '+55 11 98765-4321',
      company: 'Acme',
      attributes: { plan: 'pro' },
    });
    assert.equal(res.status, 200, res.text);
    const contact = res.body.contact as Contact;
    assert.equal(contact.name, 'Ana Souza');
    assert.equal(contact.email, 'ana@example.test');
    assert.equal(contact.phone, '+55 11 98765-4321');
    assert.equal(contact.company, 'Acme');
    assert.equal(contact.attributes.plan, 'pro');

    // Nothing really changes: no entry.
    assert.equal((await patch(asAgent, url, { name: 'Ana Souza', attributes: { plan: 'pro' } })).status, 200);
    const cleared = await patch(s.admin, url, { company: '' });
    assert.equal((cleared.body.contact as Contact).company, null);

    for (const bad of [
      {},
      { email: 'not-an-email' },
      { phone: 'call me' },
      { name: 'a\u0007b' },
      { id: 'x' },
    ]) {
      const invalid = await patch(s.admin, url, bad);
      assert.equal(invalid.status, 400, JSON.stringify(bad));
    }

    const updates = (await journey(s.admin, s, visitor.contactId)).filter(
      (e) => e.type === 'contact.updated',
    );
    assert.equal(updates.length, 2);
    const [latest, first] = updates;
    assert.equal(latest?.actor.name, 'Admin');
    assert.deepEqual(latest?.payload.changes, [{ field: 'company', from: 'Acme', to: null }]);
    assert.equal(first?.actor.kind, 'agent');
    assert.equal(first?.actor.id, agent.userId);
    assert.equal(first?.actor.name, agent.name);
    assert.deepEqual(first?.payload.changes, [
      { field: 'name', from: 'Visitor', to: 'Ana Souza' },
      { field: 'email', from: null, to: 'ana@example.test' },
      { field: 'phone', from: null, to: '+55 11 98765-4321' },
      { field: 'company', from: null, to: 'Acme' },
      { field: 'attributes.plan', from: null, to: 'pro' },
    ]);

    // Tokens edit with contact_write only.
    const reader = await makeToken(server, s.account.accountId, ['contact_read']);
    const writer = await makeToken(server, s.account.accountId, ['contact_write']);
    const patchWith = (token: string) =>
      fetch(`${server.url}${url}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ company: 'Via API' }),
      });
    assert.equal((await patchWith(reader)).status, 403);
    assert.equal((await patchWith(writer)).status, 200);
  });

  test('a new name reaches inbox lists as a new version of the live conversations', async () => {
    const s = await setup();
    const { visitor, conversationId } = await visitorWithConversation(server, s.account.inboxId);
    const token = await makeToken(server, s.account.accountId, ['conversation_read']);
    const ws = await RealtimeClient.connect(server.url);
    await ws.auth(token);
    ws.send({ type: 'subscribe', ref: 'feed', topic: { kind: 'account', accountId: s.account.accountId } });
    await ws.waitFor((f) => f.type === 'subscribed' && f.ref === 'feed');
    const before = await s.admin.get(`${s.base}/conversations/${conversationId}`);
    const version = (before.body.conversation as { version: number }).version;
    assert.equal(
      (await patch(s.admin, `${s.base}/contacts/${visitor.contactId}`, { name: 'Dora' })).status,
      200,
    );
    const frame = await ws.waitFor(
      (f) =>
        f.type === 'conversation' &&
        f.conversation.id === conversationId &&
        f.conversation.contactName === 'Dora',
    );
    assert.ok(frame.type === 'conversation' && frame.conversation.version > version);
    await ws.close();
  });

  test('the journey spans conversations: a transfer and a tag change, with names and numbers, paged newest first', async () => {
    const s = await setup();
    const agent = await makeMember(server, s.account.accountId, 'agent', [s.account.inboxId]);
    const visitor = await visitorOf(server, s.account.inboxId, { name: 'Bea' });
    const first = await visitor.post('/api/client/conversations', {
      message: { clientMsgId: msgId(), body: 'Hi' },
    });
    const firstId = (first.body.conversation as { id: string; number: number }).id;
    const transfer = await s.admin.post(`${s.base}/conversations/${firstId}/transfer`, {
      assigneeId: agent.userId,
      note: 'Billing question',
    });
    assert.equal(transfer.status, 200, transfer.text);
    const tag = await makeTag(s, 'billing');
    assert.equal((await put(s.admin, `${s.base}/conversations/${firstId}/tags/${tag.id}`)).status, 200);
    assert.equal((await del(s.admin, `${s.base}/conversations/${firstId}/tags/${tag.id}`)).status, 200);
    const second = await visitor.post('/api/client/conversations', {
      message: { clientMsgId: msgId(), body: 'Me again' },
    });
    const secondId = (second.body.conversation as { id: string }).id;
    await visitor.post(`/api/client/conversations/${secondId}/messages`, {
      clientMsgId: msgId(),
      body: 'hello?',
    });

    const events = await journey(s.admin, s, visitor.contactId, '?limit=100');
    const types = events.map((e) => e.type);
    assert.ok(!types.includes('message.created'), 'messages are not journey entries');
    const ids = events.map((e) => Number(e.id));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
      'newest first',
    );
    const created = events.filter((e) => e.type === 'conversation.created');
    assert.deepEqual(created.map((e) => e.conversationId).sort(), [firstId, secondId].sort());
    assert.equal(created.find((e) => e.conversationId === firstId)?.actor.name, 'Bea');
    // A transfer to an agent is an assignment with the reason `transfer`.
    const transferred = events.find(
      (e) => e.type === 'conversation.assigned' && e.payload.reason === 'transfer',
    );
    assert.equal(transferred?.payload.assigneeId, agent.userId);
    assert.equal(transferred?.conversationId, firstId);
    const seenByAgents = await s.admin.get(`${s.base}/conversations/${firstId}`);
    assert.equal(
      transferred?.conversationNumber,
      (seenByAgents.body.conversation as { number: number }).number,
    );
    assert.equal(transferred?.actor.name, 'Admin');
    const added = events.find((e) => e.type === 'conversation.tag_added');
    assert.equal(added?.payload.name, 'billing');
    assert.ok(events.some((e) => e.type === 'conversation.tag_removed'));
    assert.ok(
      events.some((e) => e.type === 'conversation.assigned' && e.payload.assigneeId === agent.userId),
    );

    // Pages of two, following nextCursor, give the same events once each.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await s.admin.get(
        `${s.base}/contacts/${visitor.contactId}/journey?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      assert.equal(res.status, 200);
      paged.push(...(res.body.events as JourneyEvent[]).map((e) => e.id));
      cursor = res.body.nextCursor as string | null;
    } while (cursor);
    assert.deepEqual(
      paged,
      events.map((e) => e.id),
    );
    assert.equal(
      (await s.admin.get(`${s.base}/contacts/${visitor.contactId}/journey?cursor=abc`)).status,
      400,
    );
  });

  test("an agent's journey leaves out conversations of inboxes they are not in", async () => {
    const s = await setup();
    const other = await createInbox(server.ctx.database.db, s.account.accountId, {
      name: 'Other',
      channelType: 'web',
    });
    const agent = await makeMember(server, s.account.accountId, 'agent', [s.account.inboxId]);
    const asAgent = await loginAs(server, agent.email);
    const { visitor, conversationId } = await visitorWithConversation(server, s.account.inboxId);
    const { conversationId: hiddenId } = await visitorWithConversation(server, other.id);
    // The same person wrote in the other inbox too: one contact after the merge.
    const hiddenContact = (await s.admin.get(`${s.base}/conversations/${hiddenId}`)).body as {
      conversation: { contactId: string };
    };
    const merged = await s.admin.post(`${s.base}/contacts/${visitor.contactId}/merge`, {
      sourceContactId: hiddenContact.conversation.contactId,
    });
    assert.equal(merged.status, 200, merged.text);
    const seenByAdmin = await journey(s.admin, s, visitor.contactId);
    assert.ok(seenByAdmin.some((e) => e.conversationId === hiddenId));
    const seenByAgent = await journey(asAgent, s, visitor.contactId);
    assert.ok(seenByAgent.some((e) => e.conversationId === conversationId));
    assert.ok(!seenByAgent.some((e) => e.conversationId === hiddenId));
    assert.ok(
      seenByAgent.some((e) => e.type === 'contact.merged'),
      'contact-level entries are shown',
    );
  });
});

describe('the contacts list', () => {
  test('searches name, e-mail, company and phone; agents see only their inboxes; merged contacts are hidden', async () => {
    const s = await setup();
    const other = await createInbox(server.ctx.database.db, s.account.accountId, {
      name: 'Other',
      channelType: 'web',
    });
    const agent = await makeMember(server, s.account.accountId, 'agent', [s.account.inboxId]);
    const asAgent = await loginAs(server, agent.email);
    const { visitor: ana } = await visitorWithConversation(server, s.account.inboxId);
    const { visitor: bruno } = await visitorWithConversation(server, other.id);
    await patch(s.admin, `${s.base}/contacts/${ana.contactId}`, {
      name: 'Ana 50%_off',
      email: 'ana@shop.test',
      phone: '+55 (11) 98765-4321',
    });
    await patch(s.admin, `${s.base}/contacts/${bruno.contactId}`, { name: 'Bruno', company: 'Outdoor Co' });
    const list = async (client: HttpClient, q: string) => {
      const res = await client.get(`${s.base}/contacts?q=${encodeURIComponent(q)}`);
      assert.equal(res.status, 200, res.text);
      return (res.body as unknown as ContactList).contacts.map((c) => c.id);
    };
    assert.deepEqual(await list(s.admin, ''), [bruno.contactId, ana.contactId]);
    assert.deepEqual(await list(s.admin, 'SHOP.test'), [ana.contactId]);
    assert.deepEqual(await list(s.admin, '987654321'), [ana.contactId]);
    assert.deepEqual(await list(s.admin, 'outdoor'), [bruno.contactId]);
    assert.deepEqual(await list(s.admin, '50%_'), [ana.contactId]);
    assert.deepEqual(await list(s.admin, '%'), [ana.contactId]);
    assert.deepEqual(await list(s.admin, 'nobody'), []);
    assert.deepEqual(await list(asAgent, ''), [ana.contactId]);
    assert.equal((await asAgent.get(`${s.base}/contacts/${bruno.contactId}/journey`)).status, 404);

    const first = await s.admin.get(`${s.base}/contacts?limit=1`);
    const item = (first.body as unknown as ContactList).contacts[0];
    assert.equal(item?.conversationCount, 1);
    assert.ok(item?.lastActivityAt);
    const next = await s.admin.get(`${s.base}/contacts?limit=1&cursor=${first.body.nextCursor as string}`);
    assert.deepEqual(
      (next.body as unknown as ContactList).contacts.map((c) => c.id),
      [ana.contactId],
    );
    assert.equal((await s.admin.get(`${s.base}/contacts?cursor=nope`)).status, 400);

    await s.admin.post(`${s.base}/contacts/${ana.contactId}/merge`, { sourceContactId: bruno.contactId });
    assert.deepEqual(await list(s.admin, ''), [ana.contactId]);
  });
});

describe('merging contacts', () => {
  test('moves conversations, identities, tags and attributes into the target and records it on both', async () => {
    const s = await setup();
    await define(s, { key: 'plan', label: 'Plan', type: 'list', options: ['free', 'pro'] });
    await define(s, { key: 'seats', label: 'Seats', type: 'number' });
    const { visitor: target, conversationId: targetConversation } = await visitorWithConversation(
      server,
      s.account.inboxId,
    );
    const { visitor: source, conversationId: sourceConversation } = await visitorWithConversation(
      server,
      s.account.inboxId,
    );
    await patch(s.admin, `${s.base}/contacts/${target.contactId}`, {
      name: 'Carla',
      attributes: { plan: 'pro' },
    });
    await patch(s.admin, `${s.base}/contacts/${source.contactId}`, {
      name: 'Carla S.',
      email: 'carla@example.test',
      company: 'Trail Co',
      attributes: { plan: 'free', seats: 3 },
    });
    const vip = await makeTag(s, 'vip');
    const both = await makeTag(s, 'newsletter');
    await put(s.admin, `${s.base}/contacts/${source.contactId}/tags/${vip.id}`);
    await put(s.admin, `${s.base}/contacts/${source.contactId}/tags/${both.id}`);
    await put(s.admin, `${s.base}/contacts/${target.contactId}/tags/${both.id}`);

    const preview = await s.admin.get(
      `${s.base}/contacts/${target.contactId}/merge?sourceContactId=${source.contactId}`,
    );
    assert.equal(preview.status, 200, preview.text);
    const moves = (preview.body as unknown as MergePreview).moves;
    assert.equal(moves.conversations, 1);
    assert.equal(moves.identities, 1);
    assert.deepEqual(moves.tags, ['vip']);
    assert.deepEqual([...moves.filled].sort(), ['attributes.seats', 'company', 'email']);
    assert.deepEqual([...moves.kept].sort(), ['attributes.plan', 'name']);

    const res = await s.admin.post(`${s.base}/contacts/${target.contactId}/merge`, {
      sourceContactId: source.contactId,
    });
    assert.equal(res.status, 200, res.text);
    const result = res.body as unknown as MergeResult;
    assert.equal(result.contact.name, 'Carla');
    assert.equal(result.contact.email, 'carla@example.test');
    assert.equal(result.contact.company, 'Trail Co');
    assert.equal(result.contact.attributes.plan, 'pro', "the target's value wins");
    assert.equal(result.contact.attributes.seats, 3, 'missing values are filled');
    assert.deepEqual(result.moved, moves);

    const detail = await s.admin.get(`${s.base}/contacts/${target.contactId}`);
    assert.deepEqual(
      (detail.body.conversations as Array<{ id: string; contactId: string }>).map((c) => c.id).sort(),
      [targetConversation, sourceConversation].sort(),
    );
    const tagsNow = await s.admin.get(`${s.base}/contacts/${target.contactId}/tags`);
    assert.deepEqual(
      (tagsNow.body.tags as Tag[]).map((t) => t.name),
      ['newsletter', 'vip'],
    );
    const sourceNow = await s.admin.get(`${s.base}/contacts/${source.contactId}`);
    assert.equal((sourceNow.body.contact as Contact).mergedIntoId, target.contactId);
    assert.deepEqual(sourceNow.body.conversations, []);

    // The source's visitor token keeps working, now as the target: they see both conversations and write.
    const seen = await source.get('/api/client/conversations');
    assert.equal(seen.status, 200, seen.text);
    assert.deepEqual(
      (seen.body.conversations as Array<{ id: string }>).map((c) => c.id).sort(),
      [targetConversation, sourceConversation].sort(),
    );
    const wrote = await source.post(`/api/client/conversations/${sourceConversation}/messages`, {
      clientMsgId: msgId(),
      body: 'still here',
    });
    assert.equal(wrote.status, 201, wrote.text);
    const messages = await s.admin.get(`${s.base}/conversations/${sourceConversation}/messages`);
    const fromContact = (
      messages.body.messages as Array<{ senderKind: string; senderId: string | null }>
    ).filter((m) => m.senderKind === 'contact');
    assert.ok(fromContact.length >= 2);
    assert.ok(fromContact.every((m) => m.senderId === target.contactId));

    const targetJourney = await journey(s.admin, s, target.contactId, '?limit=100');
    const mergedEntry = targetJourney.find((e) => e.type === 'contact.merged');
    assert.equal(mergedEntry?.payload.direction, 'from');
    assert.equal(mergedEntry?.payload.otherContactId, source.contactId);
    assert.equal(mergedEntry?.actor.name, 'Admin');
    assert.ok(
      targetJourney.some((e) => e.type === 'conversation.created' && e.conversationId === sourceConversation),
      "the source's history joins the target's journey",
    );
    const sourceJourney = await journey(s.admin, s, source.contactId);
    assert.deepEqual(
      sourceJourney.map((e) => [e.type, e.payload.direction]),
      [['contact.merged', 'into']],
    );

    // Merged contacts cannot be merged, edited or blocked again; a contact cannot absorb itself.
    const again = await s.admin.post(`${s.base}/contacts/${target.contactId}/merge`, {
      sourceContactId: source.contactId,
    });
    assert.equal(again.status, 404);
    assert.equal((await patch(s.admin, `${s.base}/contacts/${source.contactId}`, { name: 'x' })).status, 404);
    const self = await s.admin.post(`${s.base}/contacts/${target.contactId}/merge`, {
      sourceContactId: target.contactId,
    });
    assert.equal(self.status, 400);
    assert.equal(code(self.body), 'contact_merge_invalid');
  });

  test('a verified visitor whose external id stayed on the merged contact signs in as the target', async () => {
    const s = await setup();
    const { hmacHex } = await import('../../lib/crypto.ts');
    const identity = (id: string) => {
      const timestamp = Date.now();
      return { id, timestamp, signature: hmacHex(s.account.identitySecret, `${id}.${timestamp}`) };
    };
    const first = await visitorOf(server, s.account.inboxId, { identity: identity('cust-1') });
    const second = await visitorOf(server, s.account.inboxId, { identity: identity('cust-2') });
    assert.equal(
      (
        await s.admin.post(`${s.base}/contacts/${first.contactId}/merge`, {
          sourceContactId: second.contactId,
        })
      ).status,
      200,
    );
    const again = await visitorOf(server, s.account.inboxId, { identity: identity('cust-2') });
    assert.equal(again.contactId, first.contactId);
  });

  test('only admins and supervisors merge; contacts of another account are not found', async () => {
    const s = await setup();
    const stranger = await setup();
    const agent = await makeMember(server, s.account.accountId, 'agent', [s.account.inboxId]);
    const asAgent = await loginAs(server, agent.email);
    const { visitor: a } = await visitorWithConversation(server, s.account.inboxId);
    const { visitor: b } = await visitorWithConversation(server, s.account.inboxId);
    const { visitor: foreign } = await visitorWithConversation(server, stranger.account.inboxId);
    assert.equal(
      (await asAgent.post(`${s.base}/contacts/${a.contactId}/merge`, { sourceContactId: b.contactId }))
        .status,
      403,
    );
    const cross = await s.admin.post(`${s.base}/contacts/${a.contactId}/merge`, {
      sourceContactId: foreign.contactId,
    });
    assert.equal(cross.status, 404);
    assert.equal(code(cross.body), 'contact_not_found');
    assert.equal(
      (await s.admin.get(`${s.base}/contacts/${a.contactId}/merge?sourceContactId=${foreign.contactId}`))
        .status,
      404,
    );
    const supervisor = await makeMember(server, s.account.accountId, 'supervisor');
    const asSupervisor = await loginAs(server, supervisor.email);
    assert.equal(
      (await asSupervisor.post(`${s.base}/contacts/${a.contactId}/merge`, { sourceContactId: b.contactId }))
        .status,
      200,
    );
  });
});

describe('blocking a contact', () => {
  test('refuses their messages on REST and realtime and new conversations; unblocking restores', async () => {
    const s = await setup();
    const { visitor, conversationId } = await visitorWithConversation(server, s.account.inboxId);
    const agent = await makeMember(server, s.account.accountId, 'agent', [s.account.inboxId]);
    const asAgent = await loginAs(server, agent.email);
    const ws = await RealtimeClient.connect(server.url);
    await ws.auth(visitor.bearer ?? '');

    const blocked = await put(asAgent, `${s.base}/contacts/${visitor.contactId}/block`);
    assert.equal(blocked.status, 200, blocked.text);
    assert.ok((blocked.body.contact as Contact).blockedAt);

    const rest = await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
      clientMsgId: msgId(),
      body: 'let me in',
    });
    assert.equal(rest.status, 403);
    assert.equal(code(rest.body), 'contact_blocked');
    assert.match((rest.body.error as { message: string }).message, /no longer send messages/);

    ws.send({ type: 'send', ref: 'blocked', conversationId, clientMsgId: msgId(), body: 'over the socket' });
    const refused = await ws.waitFor((f) => f.type === 'error' && f.ref === 'blocked');
    assert.equal(refused.type === 'error' && refused.code, 'contact_blocked');

    const start = await visitor.post('/api/client/conversations', {
      message: { clientMsgId: msgId(), body: 'new' },
    });
    assert.equal(start.status, 403);
    assert.equal(code(start.body), 'contact_blocked');
    const empty = await visitor.post('/api/client/conversations', {});
    assert.equal(empty.status, 403);

    // Agents still answer.
    const reply = await asAgent.post(`${s.base}/conversations/${conversationId}/messages`, {
      clientMsgId: msgId(),
      body: 'We have blocked this chat',
    });
    assert.equal(reply.status, 201, reply.text);
    const messages = await s.admin.get(`${s.base}/conversations/${conversationId}/messages`);
    const bodies = (messages.body.messages as Array<{ body: string }>).map((m) => m.body);
    assert.ok(!bodies.includes('let me in') && !bodies.includes('over the socket'));

    const unblocked = await del(asAgent, `${s.base}/contacts/${visitor.contactId}/block`);
    assert.equal(unblocked.status, 200);
    assert.equal((unblocked.body.contact as Contact).blockedAt, null);
    const again = await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
      clientMsgId: msgId(),
      body: 'thanks',
    });
    assert.equal(again.status, 201, again.text);
    ws.send({ type: 'send', ref: 'back', conversationId, clientMsgId: msgId(), body: 'socket again' });
    const ack = await ws.waitFor((f) => (f.type === 'ack' || f.type === 'error') && f.ref === 'back');
    assert.equal(ack.type, 'ack');
    await ws.close();

    const entries = (await journey(s.admin, s, visitor.contactId)).filter((e) =>
      ['contact.blocked', 'contact.unblocked'].includes(e.type),
    );
    assert.deepEqual(
      entries.map((e) => [e.type, e.actor.name]),
      [
        ['contact.unblocked', agent.name],
        ['contact.blocked', agent.name],
      ],
    );
  });
});

describe('tenant isolation', () => {
  test("another account's contact is 404 for every contact route", async () => {
    const s = await setup();
    const stranger = await setup();
    const { visitor } = await visitorWithConversation(server, s.account.inboxId);
    const theirs = `${stranger.base}/contacts/${visitor.contactId}`;
    const ours = `${s.base}/contacts/${visitor.contactId}`;
    for (const [method, url, body] of [
      ['GET', theirs, undefined],
      ['PATCH', theirs, { name: 'Hijacked' }],
      ['GET', `${theirs}/journey`, undefined],
      ['PUT', `${theirs}/block`, undefined],
      ['DELETE', `${theirs}/block`, undefined],
      ['POST', `${theirs}/merge`, { sourceContactId: visitor.contactId }],
    ] as const) {
      const res = await stranger.admin.request(method, url, body);
      assert.equal(res.status, 404, `${method} ${url}`);
      assert.equal(code(res.body), 'contact_not_found', `${method} ${url}`);
    }
    for (const [method, url, body] of [
      ['GET', ours, undefined],
      ['PATCH', ours, { name: 'Hijacked' }],
      ['GET', `${ours}/journey`, undefined],
      ['GET', `${s.base}/attribute-definitions`, undefined],
    ] as const) {
      const res = await stranger.admin.request(method, url, body);
      assert.equal(res.status, 404, `${method} ${url}`);
      assert.equal(code(res.body), 'account_not_found');
    }
    const still = await s.admin.get(ours);
    assert.equal((still.body.contact as Contact).name, 'Visitor');
    assert.deepEqual(
      ((await stranger.admin.get(`${stranger.base}/contacts`)).body as unknown as ContactList).contacts,
      [],
    );
  });
});
