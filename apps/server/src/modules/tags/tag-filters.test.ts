import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Conversation, Tag } from '@parley/shared';
import { and, eq, like } from 'drizzle-orm';
import {
  loginAs,
  makeAccount,
  makeMember,
  visitorOf,
  visitorWithConversation,
} from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import type { HttpClient } from '../../../test/http-client.ts';
import { RealtimeClient } from '../../../test/realtime-client.ts';
import { events } from '../../db/schema.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' }, jobPollMs: 0 });
});
after(async () => {
  await server?.close();
});

const code = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;

async function makeTag(admin: HttpClient, accountId: string, name: string): Promise<Tag> {
  const res = await admin.post(`/api/accounts/${accountId}/tags`, { name });
  assert.equal(res.status, 201, res.text);
  return res.body.tag as Tag;
}

async function tag(admin: HttpClient, accountId: string, conversationId: string, tagId: string) {
  const res = await admin.request(
    'PUT',
    `/api/accounts/${accountId}/conversations/${conversationId}/tags/${tagId}`,
  );
  assert.equal(res.status, 200, res.text);
}

/** Every page of a filtered list, by following nextCursor. */
async function walk(
  client: HttpClient,
  url: string,
  limit: number,
  from: string | null = null,
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor = from;
  let pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await client.get(`${url}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(res.status, 200, res.text);
    ids.push(...(res.body.conversations as Conversation[]).map((c) => c.id));
    cursor = res.body.nextCursor as string | null;
    pages += 1;
  } while (cursor && pages < 20);
  return { ids, pages };
}

describe('tags on the conversation list', () => {
  test('the tag filter matches any of the tags, pages through them once each, and combines with others', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const base = `/api/accounts/${account.accountId}`;
    const billing = await makeTag(admin, account.accountId, 'Billing');
    const bug = await makeTag(admin, account.accountId, 'Bug');
    const other = await makeTag(admin, account.accountId, 'Other');
    const started: string[] = [];
    for (let i = 0; i < 7; i++)
      started.push((await visitorWithConversation(server, account.inboxId)).conversationId);
    const [c0, c1, c2, c3, c4, c5, c6] = started as [string, string, string, string, string, string, string];
    await tag(admin, account.accountId, c0, billing.id);
    await tag(admin, account.accountId, c1, bug.id);
    await tag(admin, account.accountId, c2, billing.id);
    await tag(admin, account.accountId, c2, bug.id); // both: listed once
    await tag(admin, account.accountId, c4, bug.id);
    await tag(admin, account.accountId, c5, other.id);
    await tag(admin, account.accountId, c6, billing.id);

    // Newest activity first, as without a filter; tagging does not move a conversation in the list.
    const everything = (await walk(admin, `${base}/conversations`, 100)).ids;
    const expected = everything.filter((id) => [c0, c1, c2, c4, c6].includes(id));
    assert.equal(expected.length, 5);
    for (const form of [`tagIds=${billing.id},${bug.id}`, `tagIds=${billing.id}&tagIds=${bug.id}`]) {
      const { ids, pages } = await walk(admin, `${base}/conversations?${form}`, 2);
      assert.deepEqual(ids, expected, form);
      assert.equal(pages, 3);
    }

    // A page boundary holds while conversations are tagged and untagged between pages.
    const first = await admin.get(`${base}/conversations?tagIds=${billing.id},${bug.id}&limit=2`);
    const firstIds = (first.body.conversations as Conversation[]).map((c) => c.id);
    assert.deepEqual(firstIds, expected.slice(0, 2));
    await admin.request('DELETE', `${base}/conversations/${firstIds[0]}/tags/${billing.id}`);
    await admin.request('DELETE', `${base}/conversations/${firstIds[0]}/tags/${bug.id}`);
    await tag(admin, account.accountId, c3, bug.id);
    const rest = await walk(
      admin,
      `${base}/conversations?tagIds=${billing.id},${bug.id}`,
      2,
      first.body.nextCursor as string,
    );
    const olderThanPage = everything.slice(everything.indexOf(firstIds[1] as string) + 1);
    assert.deepEqual(
      rest.ids,
      olderThanPage.filter((id) => [c0, c1, c2, c3, c4, c6].includes(id)),
    );

    // Combined with the other filters (and), and every summary carries its tags.
    const withStatus = await admin.get(`${base}/conversations?tagIds=${other.id}&status=new&priority=normal`);
    const listed = withStatus.body.conversations as Conversation[];
    assert.deepEqual(
      listed.map((c) => c.id),
      [c5],
    );
    assert.deepEqual(listed[0]?.tagIds, [other.id]);
    assert.deepEqual(
      (await admin.get(`${base}/conversations?tagIds=${other.id}&priority=high`)).body.conversations,
      [],
    );

    for (const bad of [
      'tagIds=nope',
      'tagIds=',
      `tagIds=${Array.from({ length: 21 }, () => billing.id).join(',')}`,
      'priority=extreme',
      'teamId=x',
      'tagId=whatever',
    ]) {
      const res = await admin.get(`${base}/conversations?${bad}`);
      assert.equal(res.status, 400, bad);
      assert.equal(code(res.body), 'validation_failed', bad);
    }
  });

  test('the tag filter stays inside what the asker may see', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const base = `/api/accounts/${account.accountId}`;
    const second = await admin.post(`${base}/inboxes`, { name: 'Shop', channelType: 'web' });
    assert.equal(second.status, 201, second.text);
    const shopInboxId = (second.body.inbox as { id: string }).id;
    const vip = await makeTag(admin, account.accountId, 'VIP');
    const here = await visitorWithConversation(server, account.inboxId);
    const there = await visitorWithConversation(server, shopInboxId);
    await tag(admin, account.accountId, here.conversationId, vip.id);
    await tag(admin, account.accountId, there.conversationId, vip.id);

    const agentUser = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const agent = await loginAs(server, agentUser.email);
    const seen = await agent.get(`${base}/conversations?tagIds=${vip.id}`);
    assert.deepEqual(
      (seen.body.conversations as Conversation[]).map((c) => c.id),
      [here.conversationId],
    );
    const adminSees = await admin.get(`${base}/conversations?tagIds=${vip.id}`);
    assert.equal((adminSees.body.conversations as Conversation[]).length, 2);

    // Another account's admin, with this account's tag id, finds nothing of it.
    const other = await makeAccount(server);
    const otherAdmin = await loginAs(server, other.admin.email);
    const foreign = await otherAdmin.get(`/api/accounts/${other.accountId}/conversations?tagIds=${vip.id}`);
    assert.equal(foreign.status, 200);
    assert.deepEqual(foreign.body.conversations, []);
  });

  test('tag changes bump the version and reach the account feed with the tags', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const base = `/api/accounts/${account.accountId}`;
    const vip = await makeTag(admin, account.accountId, 'VIP');
    const { conversationId } = await visitorWithConversation(server, account.inboxId);
    const before = (await admin.get(`${base}/conversations/${conversationId}`)).body
      .conversation as Conversation;
    assert.deepEqual(before.tagIds, []);

    const feed = await RealtimeClient.connect(server.url, {
      cookie: admin.cookie ?? '',
      origin: 'http://localhost:3000',
    });
    try {
      feed.send({ type: 'subscribe', ref: 's1', topic: { kind: 'account', accountId: account.accountId } });
      await feed.waitFor((f) => f.type === 'subscribed');
      await tag(admin, account.accountId, conversationId, vip.id);
      const frame = await feed.waitFor(
        (f) =>
          f.type === 'conversation' &&
          f.conversation.id === conversationId &&
          f.conversation.tagIds.includes(vip.id),
      );
      assert.equal(frame.type === 'conversation' && frame.conversation.version, before.version + 1);
    } finally {
      await feed.close();
    }

    // Deleting the tag takes it off the conversation's copy too.
    assert.equal((await admin.request('DELETE', `${base}/tags/${vip.id}`)).status, 204);
    const after = (await admin.get(`${base}/conversations/${conversationId}`)).body
      .conversation as Conversation;
    assert.deepEqual(after.tagIds, []);
    assert.ok(after.version > before.version + 1);
  });

  test("an inbox's automatic tags are on every new conversation from its creation, once, in the journey", async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const base = `/api/accounts/${account.accountId}`;
    const web = await makeTag(admin, account.accountId, 'Website');
    const lead = await makeTag(admin, account.accountId, 'Lead');
    const inboxUrl = `${base}/inboxes/${account.inboxId}`;

    // Only this account's tags may be named.
    const other = await makeAccount(server);
    const otherAdmin = await loginAs(server, other.admin.email);
    const foreign = await makeTag(otherAdmin, other.accountId, 'Foreign');
    const refused = await admin.request('PATCH', inboxUrl, { settings: { autoTagIds: [foreign.id] } });
    assert.equal(refused.status, 400);
    assert.equal(code(refused.body), 'validation_failed');
    assert.equal((await admin.request('PATCH', inboxUrl, { settings: { autoTagIds: ['x'] } })).status, 400);

    const saved = await admin.request('PATCH', inboxUrl, {
      settings: { autoTagIds: [web.id, lead.id, web.id] },
    });
    assert.equal(saved.status, 200, saved.text);
    assert.deepEqual((saved.body.inbox as { settings: { autoTagIds: string[] } }).settings.autoTagIds, [
      web.id,
      lead.id,
    ]);

    // With a first message, and without one (the widget opened, nothing said yet).
    const { conversationId, visitor } = await visitorWithConversation(server, account.inboxId);
    const quiet = await visitorOf(server, account.inboxId);
    const started = await quiet.post('/api/client/conversations', {});
    assert.equal(started.status, 201, started.text);
    const quietId = (started.body.conversation as { id: string }).id;

    for (const id of [conversationId, quietId]) {
      const conversation = (await admin.get(`${base}/conversations/${id}`)).body.conversation as Conversation;
      assert.deepEqual([...conversation.tagIds].sort(), [web.id, lead.id].sort());
      const journey = await server.ctx.database.db
        .select({ type: events.type, payload: events.payload, actorKind: events.actorKind })
        .from(events)
        .where(and(eq(events.conversationId, id), like(events.type, 'conversation.%')))
        .orderBy(events.id);
      const tagEvents = journey.filter((e) => e.type === 'conversation.tag_added');
      assert.deepEqual(
        tagEvents.map((e) => [
          (e.payload as { name: string }).name,
          e.actorKind,
          (e.payload as { automatic: boolean }).automatic,
        ]),
        [
          ['Lead', 'system', true],
          ['Website', 'system', true],
        ],
      );
      assert.equal(journey[0]?.type, 'conversation.created');
    }
    const byTag = await admin.get(`${base}/conversations?tagIds=${lead.id}`);
    assert.deepEqual(
      (byTag.body.conversations as Conversation[]).map((c) => c.id).sort(),
      [conversationId, quietId].sort(),
    );

    // The customer writing again adds nothing; neither does retrying the same start.
    await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
      clientMsgId: 'again-1',
      body: 'still there?',
    });
    const count = await server.ctx.database.db
      .select({ id: events.id })
      .from(events)
      .where(and(eq(events.conversationId, conversationId), eq(events.type, 'conversation.tag_added')));
    assert.equal(count.length, 2);

    // A deleted tag is skipped; clearing the setting stops tagging.
    await admin.request('DELETE', `${base}/tags/${web.id}`);
    const later = await visitorWithConversation(server, account.inboxId);
    assert.deepEqual(
      ((await admin.get(`${base}/conversations/${later.conversationId}`)).body.conversation as Conversation)
        .tagIds,
      [lead.id],
    );
    await admin.request('PATCH', inboxUrl, { settings: { autoTagIds: [] } });
    const plain = await visitorWithConversation(server, account.inboxId);
    assert.deepEqual(
      ((await admin.get(`${base}/conversations/${plain.conversationId}`)).body.conversation as Conversation)
        .tagIds,
      [],
    );
  });
});
