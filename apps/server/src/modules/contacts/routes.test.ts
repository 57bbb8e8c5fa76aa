import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import {
  loginAs,
  makeAccount,
  makeMember,
  makeToken,
  visitorOf,
  visitorWithConversation,
} from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { contacts } from '../../db/schema.ts';
import { createInbox } from '../inboxes/commands.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
});
after(async () => {
  await server?.close();
});

const code = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;

describe('contacts', () => {
  test('shows the contact, their attributes and their conversations', async () => {
    const account = await makeAccount(server);
    const visitor = await visitorOf(server, account.inboxId, { name: 'Ana <b>', email: 'ana@example.test' });
    const started = await visitor.post('/api/client/conversations', {
      message: { clientMsgId: 'c1', body: 'Hi' },
    });
    await server.ctx.database.db
      .update(contacts)
      .set({ attributes: { currentPageUrl: 'https://shop.example/cart', plan: 'pro' } })
      .where(eq(contacts.id, visitor.contactId));
    const admin = await loginAs(server, account.admin.email);
    const res = await admin.get(`/api/accounts/${account.accountId}/contacts/${visitor.contactId}`);
    assert.equal(res.status, 200);
    const contact = res.body.contact as Record<string, unknown>;
    assert.equal(contact.name, 'Ana <b>');
    assert.equal(contact.email, 'ana@example.test');
    assert.deepEqual(contact.attributes, { currentPageUrl: 'https://shop.example/cart', plan: 'pro' });
    const conversations = res.body.conversations as Array<{ id: string }>;
    assert.deepEqual(
      conversations.map((c) => c.id),
      [(started.body.conversation as { id: string }).id],
    );
  });

  test('an agent sees only contacts of conversations they may see', async () => {
    const account = await makeAccount(server);
    const otherInbox = await createInbox(server.ctx.database.db, account.accountId, {
      name: 'Other',
      channelType: 'web',
    });
    const agent = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const { visitor: mine } = await visitorWithConversation(server, account.inboxId);
    const { visitor: notMine } = await visitorWithConversation(server, otherInbox.id);
    const asAgent = await loginAs(server, agent.email);
    const base = `/api/accounts/${account.accountId}/contacts`;
    assert.equal((await asAgent.get(`${base}/${mine.contactId}`)).status, 200);
    const hidden = await asAgent.get(`${base}/${notMine.contactId}`);
    assert.equal(hidden.status, 404);
    assert.equal(code(hidden.body), 'contact_not_found');
  });

  test('another account gets 404; tokens need contact_read; bad ids are 400', async () => {
    const account = await makeAccount(server);
    const stranger = await makeAccount(server);
    const { visitor } = await visitorWithConversation(server, account.inboxId);
    const strangerAdmin = await loginAs(server, stranger.admin.email);
    assert.equal(
      (await strangerAdmin.get(`/api/accounts/${account.accountId}/contacts/${visitor.contactId}`)).status,
      404,
    );
    const viaOwnAccount = await strangerAdmin.get(
      `/api/accounts/${stranger.accountId}/contacts/${visitor.contactId}`,
    );
    assert.equal(viaOwnAccount.status, 404);
    assert.equal(code(viaOwnAccount.body), 'contact_not_found');

    const url = `${server.url}/api/accounts/${account.accountId}/contacts/${visitor.contactId}`;
    const withScope = await makeToken(server, account.accountId, ['contact_read']);
    const without = await makeToken(server, account.accountId, ['conversation_read']);
    assert.equal((await fetch(url, { headers: { authorization: `Bearer ${withScope}` } })).status, 200);
    assert.equal((await fetch(url, { headers: { authorization: `Bearer ${without}` } })).status, 403);

    const admin = await loginAs(server, account.admin.email);
    assert.equal((await admin.get(`/api/accounts/${account.accountId}/contacts/123`)).status, 400);
    assert.equal((await fetch(url)).status, 401);
  });
});
