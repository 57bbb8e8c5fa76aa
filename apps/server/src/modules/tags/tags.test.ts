import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Tag } from '@parley/shared';
import { and, eq, like } from 'drizzle-orm';
import {
  loginAs,
  makeAccount,
  makeMember,
  makeToken,
  visitorWithConversation,
} from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { HttpClient } from '../../../test/http-client.ts';
import { events } from '../../db/schema.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' }, jobPollMs: 0 });
});
after(async () => {
  await server?.close();
});

const code = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;
const names = (body: Record<string, unknown>) => (body.tags as Tag[]).map((t) => t.name);

async function journey(where: { conversationId?: string; contactId?: string }) {
  const rows = await server.ctx.database.db
    .select({ type: events.type, payload: events.payload, actorKind: events.actorKind })
    .from(events)
    .where(
      and(
        where.conversationId
          ? eq(events.conversationId, where.conversationId)
          : eq(events.contactId, where.contactId ?? ''),
        like(events.type, '%tag_%'),
      ),
    )
    .orderBy(events.id);
  return rows.map((r) => [r.type, (r.payload as { name: string }).name, r.actorKind]);
}

describe('tags', () => {
  test('admins create, rename, recolour and delete tags; names are unique per account in any case', async () => {
    const account = await makeAccount(server);
    const other = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const otherAdmin = await loginAs(server, other.admin.email);
    const base = `/api/accounts/${account.accountId}/tags`;

    const vip = await admin.post(base, { name: '  VIP ', color: '#ff0000' });
    assert.equal(vip.status, 201, vip.text);
    const tag = vip.body.tag as Tag;
    assert.equal(tag.name, 'VIP');
    assert.equal(tag.color, '#ff0000');
    const clash = await admin.post(base, { name: 'vip' });
    assert.equal(clash.status, 409);
    assert.equal(code(clash.body), 'tag_exists');
    // Another account may use the same name.
    assert.equal(
      (await otherAdmin.post(`/api/accounts/${other.accountId}/tags`, { name: 'VIP' })).status,
      201,
    );

    const hostile = '<img src=x onerror=alert(1)>';
    const stored = await admin.post(base, { name: hostile });
    assert.equal(stored.status, 201);
    assert.equal((stored.body.tag as Tag).color, '#64748b');
    assert.deepEqual(names((await admin.get(base)).body), [hostile, 'VIP']);

    const renamed = await admin.request('PATCH', `${base}/${tag.id}`, { name: 'Gold', color: '#00aa00' });
    assert.equal(renamed.status, 200);
    assert.deepEqual([(renamed.body.tag as Tag).name, (renamed.body.tag as Tag).color], ['Gold', '#00aa00']);
    const renameClash = await admin.request('PATCH', `${base}/${tag.id}`, { name: hostile.toUpperCase() });
    assert.equal(renameClash.status, 409);
    // Renaming to its own name in another case is no clash.
    assert.equal((await admin.request('PATCH', `${base}/${tag.id}`, { name: 'GOLD' })).status, 200);

    for (const body of [
      { name: '' },
      { name: '   ' },
      { name: 'x'.repeat(51) },
      { name: 'bell\u0007' },
      { name: 'line\nbreak' },
      { name: 'ok', color: 'red' },
      { name: 'ok', color: '#12345' },
      { name: 'ok', extra: true },
      { name: 42 },
    ]) {
      const res = await admin.post(base, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(code(res.body), 'validation_failed');
    }
    assert.equal((await admin.request('PATCH', `${base}/not-a-uuid`, { name: 'x' })).status, 400);

    // Other accounts cannot reach this account's tags.
    assert.equal((await otherAdmin.get(base)).status, 404);
    const foreign = await otherAdmin.request('PATCH', `/api/accounts/${other.accountId}/tags/${tag.id}`, {
      name: 'stolen',
    });
    assert.equal(foreign.status, 404);
    assert.equal(code(foreign.body), 'tag_not_found');
    assert.equal(
      (await otherAdmin.request('DELETE', `/api/accounts/${other.accountId}/tags/${tag.id}`)).status,
      404,
    );

    assert.equal((await admin.request('DELETE', `${base}/${tag.id}`)).status, 204);
    const again = await admin.request('DELETE', `${base}/${tag.id}`);
    assert.equal(again.status, 404);
    assert.equal(code(again.body), 'tag_not_found');
  });

  test('agents read and apply tags but do not manage them; tokens need the right scope', async () => {
    const account = await makeAccount(server);
    const agentUser = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const agent = await loginAs(server, agentUser.email);
    const admin = await loginAs(server, account.admin.email);
    const base = `/api/accounts/${account.accountId}`;
    const tag = (await admin.post(`${base}/tags`, { name: 'Billing' })).body.tag as Tag;
    const { conversationId } = await visitorWithConversation(server, account.inboxId);

    assert.deepEqual(names((await agent.get(`${base}/tags`)).body), ['Billing']);
    assert.equal((await agent.post(`${base}/tags`, { name: 'Mine' })).status, 403);
    assert.equal((await agent.request('PATCH', `${base}/tags/${tag.id}`, { name: 'x' })).status, 403);
    assert.equal((await agent.request('DELETE', `${base}/tags/${tag.id}`)).status, 403);
    const tagged = await agent.request('PUT', `${base}/conversations/${conversationId}/tags/${tag.id}`);
    assert.equal(tagged.status, 200, tagged.text);
    assert.deepEqual(names(tagged.body), ['Billing']);

    const reader = new HttpClient(server.url);
    reader.bearer = await makeToken(server, account.accountId, ['conversation_read']);
    assert.equal((await reader.get(`${base}/tags`)).status, 200);
    const refused = await reader.request('PUT', `${base}/conversations/${conversationId}/tags/${tag.id}`);
    assert.equal(refused.status, 403);
    assert.equal(code(refused.body), 'insufficient_scope');
    assert.equal((await reader.post(`${base}/tags`, { name: 'API' })).status, 403);
    const writer = new HttpClient(server.url);
    writer.bearer = await makeToken(server, account.accountId, ['conversation_write', 'conversation_read']);
    assert.equal(
      (await writer.request('DELETE', `${base}/conversations/${conversationId}/tags/${tag.id}`)).status,
      200,
    );
  });

  test('conversation tags: idempotent add and remove, each change a journey event, a list filter', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const base = `/api/accounts/${account.accountId}`;
    const urgent = (await admin.post(`${base}/tags`, { name: 'Urgent' })).body.tag as Tag;
    const later = (await admin.post(`${base}/tags`, { name: 'Later' })).body.tag as Tag;
    const first = await visitorWithConversation(server, account.inboxId);
    const second = await visitorWithConversation(server, account.inboxId);
    const url = (conversationId: string, tagId: string) =>
      `${base}/conversations/${conversationId}/tags/${tagId}`;

    await admin.request('PUT', url(first.conversationId, urgent.id));
    await admin.request('PUT', url(first.conversationId, urgent.id));
    await admin.request('PUT', url(first.conversationId, later.id));
    await admin.request('PUT', url(second.conversationId, later.id));
    assert.deepEqual(names((await admin.get(`${base}/conversations/${first.conversationId}/tags`)).body), [
      'Later',
      'Urgent',
    ]);

    const byTag = async (tagId: string) =>
      ((await admin.get(`${base}/conversations?tagIds=${tagId}`)).body.conversations as Array<{ id: string }>)
        .map((c) => c.id)
        .sort();
    assert.deepEqual(await byTag(urgent.id), [first.conversationId]);
    assert.deepEqual(await byTag(later.id), [first.conversationId, second.conversationId].sort());
    assert.equal((await admin.get(`${base}/conversations?tagIds=nope`)).status, 400);

    const removed = await admin.request('DELETE', url(first.conversationId, urgent.id));
    assert.deepEqual(names(removed.body), ['Later']);
    await admin.request('DELETE', url(first.conversationId, urgent.id));
    assert.deepEqual(await byTag(urgent.id), []);
    assert.deepEqual(await journey({ conversationId: first.conversationId }), [
      ['conversation.tag_added', 'Urgent', 'agent'],
      ['conversation.tag_added', 'Later', 'agent'],
      ['conversation.tag_removed', 'Urgent', 'agent'],
    ]);

    // Deleting a tag takes it off everything.
    await admin.request('DELETE', `${base}/tags/${later.id}`);
    assert.deepEqual(
      names((await admin.get(`${base}/conversations/${second.conversationId}/tags`)).body),
      [],
    );
  });

  test('a conversation or a tag of another account, or outside an agent’s inboxes, is 404', async () => {
    const account = await makeAccount(server);
    const other = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const otherAdmin = await loginAs(server, other.admin.email);
    const outsider = await makeMember(server, account.accountId, 'agent');
    const asOutsider = await loginAs(server, outsider.email);
    const base = `/api/accounts/${account.accountId}`;
    const mine = (await admin.post(`${base}/tags`, { name: 'Mine' })).body.tag as Tag;
    const theirs = (await otherAdmin.post(`/api/accounts/${other.accountId}/tags`, { name: 'Theirs' })).body
      .tag as Tag;
    const { conversationId, visitor } = await visitorWithConversation(server, account.inboxId);

    const foreignTag = await admin.request(
      'PUT',
      `${base}/conversations/${conversationId}/tags/${theirs.id}`,
    );
    assert.equal(foreignTag.status, 404);
    assert.equal(code(foreignTag.body), 'tag_not_found');
    const foreignConversation = await otherAdmin.request(
      'PUT',
      `/api/accounts/${other.accountId}/conversations/${conversationId}/tags/${theirs.id}`,
    );
    assert.equal(foreignConversation.status, 404);
    assert.equal(code(foreignConversation.body), 'conversation_not_found');
    const notHis = await asOutsider.request('PUT', `${base}/conversations/${conversationId}/tags/${mine.id}`);
    assert.equal(notHis.status, 404);
    assert.equal((await asOutsider.get(`${base}/conversations/${conversationId}/tags`)).status, 404);
    assert.equal(
      (await asOutsider.request('PUT', `${base}/contacts/${visitor.contactId}/tags/${mine.id}`)).status,
      404,
    );
    // Visitors never reach the agent API.
    assert.equal((await visitor.get(`${base}/tags`)).status, 401);
  });

  test('contact tags: add, list, remove, journey on the contact', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const agentUser = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const agent = await loginAs(server, agentUser.email);
    const base = `/api/accounts/${account.accountId}`;
    const tag = (await admin.post(`${base}/tags`, { name: 'Returning' })).body.tag as Tag;
    const { visitor } = await visitorWithConversation(server, account.inboxId);
    const url = `${base}/contacts/${visitor.contactId}/tags`;
    const added = await agent.request('PUT', `${url}/${tag.id}`);
    assert.equal(added.status, 200, added.text);
    assert.deepEqual(names(added.body), ['Returning']);
    assert.deepEqual(names((await admin.get(url)).body), ['Returning']);
    assert.deepEqual(names((await agent.request('DELETE', `${url}/${tag.id}`)).body), []);
    assert.deepEqual(await journey({ contactId: visitor.contactId }), [
      ['contact.tag_added', 'Returning', 'agent'],
      ['contact.tag_removed', 'Returning', 'agent'],
    ]);
    const missing = await admin.request('PUT', `${base}/contacts/${account.inboxId}/tags/${tag.id}`);
    assert.equal(missing.status, 404);
    assert.equal(code(missing.body), 'contact_not_found');
  });
});
