import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ContactSearchHit, Highlight, MessageSearchHit, Tag } from '@parley/shared';
import { eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import {
  loginAs,
  makeAccount,
  makeMember,
  makeToken,
  type TestAccount,
  visitorWithConversation,
} from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import type { HttpClient } from '../../../test/http-client.ts';
import { contacts, conversations } from '../../db/schema.ts';
import { createInbox } from '../inboxes/commands.ts';
import { searchTerms, tsQuery } from './terms.ts';
import { anyWordQuery, limits } from './windows.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' }, jobPollMs: 0 });
});
after(async () => {
  await server?.close();
});

let counter = 0;
const code = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;
const marks = (snippet: Highlight) => snippet.filter((s) => s.match).map((s) => s.text.toLowerCase());
const plain = (snippet: Highlight) => snippet.map((s) => s.text).join('');

function searchPath(account: { accountId: string }, params: Record<string, string | number>) {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
  return `/api/accounts/${account.accountId}/search?${query}`;
}

async function searchMessages(
  client: HttpClient,
  account: TestAccount,
  params: Record<string, string | number>,
) {
  const res = await client.get(searchPath(account, { type: 'messages', ...params }));
  assert.equal(res.status, 200, res.text);
  return res.body as { messages: MessageSearchHit[]; nextCursor: string | null };
}

async function searchContacts(
  client: HttpClient,
  account: TestAccount,
  params: Record<string, string | number>,
) {
  const res = await client.get(searchPath(account, { type: 'contacts', ...params }));
  assert.equal(res.status, 200, res.text);
  return res.body as { contacts: ContactSearchHit[]; nextCursor: string | null };
}

async function reply(
  client: HttpClient,
  account: TestAccount,
  conversationId: string,
  body: string,
  note = false,
) {
  const res = await client.post(
    `/api/accounts/${account.accountId}/conversations/${conversationId}/messages`,
    {
      clientMsgId: `search-${counter++}`,
      body,
      private: note,
    },
  );
  assert.equal(res.status, 201, res.text);
}

describe('search', () => {
  test('finds messages with the match marked, best first, and the last word as a prefix', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const first = await visitorWithConversation(
      server,
      account.inboxId,
      'My parcel never arrived, where is my parcel?',
    );
    const second = await visitorWithConversation(
      server,
      account.inboxId,
      'The parcel tracking page is blank',
    );
    await reply(admin, account, second.conversationId, 'Unrelated answer about invoices');

    const found = await searchMessages(admin, account, { q: 'parcel' });
    assert.equal(found.messages.length, 2);
    // Two occurrences rank above one.
    assert.equal(found.messages[0]?.conversation.id, first.conversationId);
    assert.equal(found.messages[1]?.conversation.id, second.conversationId);
    const hit = found.messages[0] as MessageSearchHit;
    assert.deepEqual(marks(hit.snippet), ['parcel', 'parcel']);
    assert.equal(plain(hit.snippet), 'My parcel never arrived, where is my parcel?');
    assert.equal(hit.message.seq, 1);
    assert.equal(hit.message.senderKind, 'contact');
    assert.equal(hit.contact.name, 'Visitor');
    assert.equal(typeof hit.conversation.number, 'number');
    assert.equal(found.nextCursor, null);

    // Typing "parc" already finds them; all words must match; quotes ask for a phrase; - excludes.
    assert.equal((await searchMessages(admin, account, { q: 'parc' })).messages.length, 2);
    assert.deepEqual(
      (await searchMessages(admin, account, { q: 'parcel tracking' })).messages.map((m) => m.conversation.id),
      [second.conversationId],
    );
    assert.equal((await searchMessages(admin, account, { q: '"tracking parcel"' })).messages.length, 0);
    assert.deepEqual(
      (await searchMessages(admin, account, { q: 'parcel -tracking' })).messages.map(
        (m) => m.conversation.id,
      ),
      [first.conversationId],
    );
    assert.equal((await searchMessages(admin, account, { q: 'PARCEL' })).messages.length, 2);
    // Activity lines (status changes and the like) are not searched.
    const solved = await admin.post(
      `/api/accounts/${account.accountId}/conversations/${first.conversationId}/status`,
      { status: 'solved' },
    );
    assert.equal(solved.status, 200, solved.text);
    assert.equal((await searchMessages(admin, account, { q: 'solved' })).messages.length, 0);
  });

  test('snippets are text segments: markup in a message stays text, long messages are cut around the match', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const hostile = '<img src=x onerror=alert(1)> \u0001boom\u0002 <b>zebra</b>';
    await visitorWithConversation(server, account.inboxId, hostile);
    const [hit] = (await searchMessages(admin, account, { q: 'zebra' })).messages;
    assert.ok(hit);
    assert.deepEqual(marks(hit.snippet), ['zebra']);
    assert.ok(plain(hit.snippet).includes('<img src=x onerror=alert(1)>'));
    // Our delimiters inside the text never become marks.
    assert.deepEqual(
      hit.snippet.filter((s) => s.match).map((s) => s.text),
      ['zebra'],
    );

    const long = `${'lorem ipsum dolor sit amet '.repeat(60)}quokka ${'consectetur adipiscing elit '.repeat(60)}`;
    await visitorWithConversation(server, account.inboxId, long);
    const [longHit] = (await searchMessages(admin, account, { q: 'quokka' })).messages;
    assert.ok(longHit);
    assert.deepEqual(marks(longHit.snippet), ['quokka']);
    assert.ok(plain(longHit.snippet).length < 400, plain(longHit.snippet));
  });

  test('each filter narrows the results: inbox, status, assignee, tag, dates', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const db = server.ctx.database.db;
    const secondInbox = await createInbox(db, account.accountId, { name: 'Shop', channelType: 'web' });
    const agent = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const a = await visitorWithConversation(server, account.inboxId, 'kiwi in the first inbox');
    const b = await visitorWithConversation(server, secondInbox.id, 'kiwi in the second inbox');
    const c = await visitorWithConversation(server, account.inboxId, 'kiwi solved and assigned');
    await db
      .update(conversations)
      .set({ status: 'solved', assigneeId: agent.userId })
      .where(eq(conversations.id, c.conversationId));
    const tag = (await admin.post(`/api/accounts/${account.accountId}/tags`, { name: 'fruit' })).body
      .tag as Tag;
    const tagged = await admin.request(
      'PUT',
      `/api/accounts/${account.accountId}/conversations/${b.conversationId}/tags/${tag.id}`,
    );
    assert.equal(tagged.status, 200, tagged.text);

    const ids = async (params: Record<string, string>) =>
      (await searchMessages(admin, account, { q: 'kiwi', ...params })).messages
        .map((m) => m.conversation.id)
        .sort();
    const sorted = (...values: string[]) => [...values].sort();
    assert.deepEqual(await ids({}), sorted(a.conversationId, b.conversationId, c.conversationId));
    assert.deepEqual(await ids({ inboxId: secondInbox.id }), [b.conversationId]);
    assert.deepEqual(await ids({ status: 'solved' }), [c.conversationId]);
    assert.deepEqual(await ids({ assigneeId: agent.userId }), [c.conversationId]);
    assert.deepEqual(await ids({ assigneeId: 'none' }), sorted(a.conversationId, b.conversationId));
    assert.deepEqual(await ids({ tagId: tag.id }), [b.conversationId]);
    assert.deepEqual(await ids({ inboxId: account.inboxId, status: 'new' }), [a.conversationId]);

    // Dates: move one message a week back.
    await server.ctx.database.rows(
      sql`update messages set created_at = now() - interval '7 days' where conversation_id = ${a.conversationId}::uuid`,
    );
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000).toISOString();
    assert.deepEqual(await ids({ to: threeDaysAgo }), [a.conversationId]);
    assert.deepEqual(await ids({ from: threeDaysAgo }), sorted(b.conversationId, c.conversationId));
    const bad = await admin.get(searchPath(account, { q: 'kiwi', from: threeDaysAgo, to: threeDaysAgo }));
    assert.equal(bad.status, 400);
    assert.equal(code(bad.body), 'validation_failed');
    const notADate = await admin.get(searchPath(account, { q: 'kiwi', from: 'yesterday' }));
    assert.equal(notADate.status, 400);
  });

  test('scope: an agent sees only their inboxes, other accounts never, visitors are refused, notes are for agents', async () => {
    const account = await makeAccount(server);
    const other = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const otherAdmin = await loginAs(server, other.admin.email);
    const db = server.ctx.database.db;
    const inboxB = await createInbox(db, account.accountId, { name: 'B', channelType: 'web' });
    const agentA = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const agentClient = await loginAs(server, agentA.email);

    const inA = await visitorWithConversation(server, account.inboxId, 'mango question from inbox A');
    const inB = await visitorWithConversation(server, inboxB.id, 'mango question from inbox B');
    await visitorWithConversation(server, other.inboxId, 'mango question from another account');
    await reply(admin, account, inA.conversationId, 'mango note only agents read', true);

    const agentSees = await searchMessages(agentClient, account, { q: 'mango' });
    assert.deepEqual([...new Set(agentSees.messages.map((m) => m.conversation.id))], [inA.conversationId]);
    assert.ok(agentSees.messages.some((m) => m.message.private));
    // An assignment outside their inboxes is in their scope too (as everywhere).
    await db
      .update(conversations)
      .set({ assigneeId: agentA.userId })
      .where(eq(conversations.id, inB.conversationId));
    assert.equal(
      new Set(
        (await searchMessages(agentClient, account, { q: 'mango' })).messages.map((m) => m.conversation.id),
      ).size,
      2,
    );
    await db.update(conversations).set({ assigneeId: null }).where(eq(conversations.id, inB.conversationId));
    // Asking for inbox B by filter does not widen the scope.
    assert.equal(
      (await searchMessages(agentClient, account, { q: 'mango', inboxId: inboxB.id })).messages.length,
      0,
    );

    const adminSees = await searchMessages(admin, account, { q: 'mango' });
    assert.equal(adminSees.messages.length, 3);
    assert.ok(adminSees.messages.every((m) => m.conversation.id !== undefined));
    // The other account's admin finds only their own, and cannot search this account at all.
    assert.equal((await searchMessages(otherAdmin, other, { q: 'mango' })).messages.length, 1);
    const foreign = await otherAdmin.get(searchPath(account, { q: 'mango' }));
    assert.equal(foreign.status, 404);

    // A visitor token is no agent credential.
    const visitorSearch = await inA.visitor.get(searchPath(account, { q: 'mango' }));
    assert.equal(visitorSearch.status, 401);
    // An API token with conversation_read searches; without contact_read it cannot search contacts.
    const token = await makeToken(server, account.accountId, ['conversation_read']);
    const tokenRes = await fetch(`${server.url}${searchPath(account, { q: 'mango' })}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(tokenRes.status, 200);
    const contactsByToken = await fetch(
      `${server.url}${searchPath(account, { q: 'visitor', type: 'contacts' })}`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    assert.equal(contactsByToken.status, 403);
    const anonymous = await fetch(`${server.url}${searchPath(account, { q: 'mango' })}`);
    assert.equal(anonymous.status, 401);
  });

  test('contacts by name, e-mail, phone and company, also by prefix; agents only see their customers', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const db = server.ctx.database.db;
    const inboxB = await createInbox(db, account.accountId, { name: 'B', channelType: 'web' });
    const agentA = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
    const agentClient = await loginAs(server, agentA.email);
    const inA = await visitorWithConversation(server, account.inboxId, 'hello');
    const inB = await visitorWithConversation(server, inboxB.id, 'hello');
    await db
      .update(contacts)
      .set({
        name: 'Margarethe Quist',
        email: 'mq@quist.example',
        phone: '+49 30 1234567',
        company: 'Quist Gmbh',
      })
      .where(eq(contacts.id, inA.visitor.contactId));
    await db
      .update(contacts)
      .set({ name: 'Quist Junior', email: 'junior@else.example', company: 'Else' })
      .where(eq(contacts.id, inB.visitor.contactId));

    const found = await searchContacts(admin, account, { q: 'quist' });
    assert.deepEqual(
      found.contacts.map((c) => c.contact.id),
      [inA.visitor.contactId, inB.visitor.contactId],
    );
    const best = found.contacts[0] as ContactSearchHit;
    assert.deepEqual(marks(best.highlights.name ?? []), ['quist']);
    assert.deepEqual(marks(best.highlights.company ?? []), ['quist']);
    assert.equal(best.contact.company, 'Quist Gmbh');
    assert.equal(best.latestConversation?.id, inA.conversationId);

    const byPrefix = async (q: string) =>
      (await searchContacts(admin, account, { q })).contacts.map((c) => c.contact.id);
    assert.deepEqual(await byPrefix('marga'), [inA.visitor.contactId]);
    assert.deepEqual(await byPrefix('mq@quist.example'), [inA.visitor.contactId]);
    assert.deepEqual(await byPrefix('junior@'), [inB.visitor.contactId]);
    assert.deepEqual(await byPrefix('1234567'), [inA.visitor.contactId]);
    const email = (await searchContacts(admin, account, { q: 'mq@quist' })).contacts[0];
    assert.deepEqual(marks(email?.highlights.email ?? []), ['mq@quist.example']);

    // The agent of inbox A does not find the customer of inbox B.
    assert.deepEqual(
      (await searchContacts(agentClient, account, { q: 'quist' })).contacts.map((c) => c.contact.id),
      [inA.visitor.contactId],
    );
    assert.deepEqual(
      (await searchContacts(admin, account, { q: 'quist', inboxId: inboxB.id })).contacts.map(
        (c) => c.contact.id,
      ),
      [inB.visitor.contactId],
    );
    const tag = (await admin.post(`/api/accounts/${account.accountId}/tags`, { name: 'vip' })).body
      .tag as Tag;
    await admin.request(
      'PUT',
      `/api/accounts/${account.accountId}/contacts/${inB.visitor.contactId}/tags/${tag.id}`,
    );
    assert.deepEqual(
      (await searchContacts(admin, account, { q: 'quist', tagId: tag.id })).contacts.map((c) => c.contact.id),
      [inB.visitor.contactId],
    );
    // Message-only filters are refused for contacts.
    const wrong = await admin.get(searchPath(account, { q: 'quist', type: 'contacts', status: 'open' }));
    assert.equal(wrong.status, 400);
  });

  test('pages walk every match once across windows, best first inside each window', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const { conversationId } = await visitorWithConversation(server, account.inboxId, 'start');
    const total = limits.WINDOW * 2 + 37;
    // Bulk history: every third message says the word twice, so it ranks higher in its window.
    await server.ctx.database.rows(sql`
      insert into messages (id, conversation_id, account_id, seq, kind, sender_kind, body, created_at)
      select gen_random_uuid(), ${conversationId}::uuid, ${account.accountId}::uuid, 100 + g, 'text', 'contact',
             case when g % 3 = 0 then 'walrus walrus number ' || g else 'walrus number ' || g end,
             now() - g * interval '1 minute'
      from generate_series(1, ${total}) g`);
    const seen: MessageSearchHit[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const params: Record<string, string | number> = { q: 'walrus', limit: 45 };
      if (cursor) params.cursor = cursor;
      const page = await searchMessages(admin, account, params);
      if (page.nextCursor) assert.equal(page.messages.length, 45, 'only the last page is short');
      seen.push(...page.messages);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    assert.equal(seen.length, total);
    assert.equal(new Set(seen.map((m) => m.message.id)).size, total);
    // The first window holds the newest limits.WINDOW matches, the double ones first.
    const firstWindow = seen.slice(0, limits.WINDOW).map((m) => m.message.seq - 100);
    assert.deepEqual(
      [...firstWindow].sort((x, y) => x - y),
      Array.from({ length: limits.WINDOW }, (_, i) => i + 1),
    );
    const doubles = firstWindow.filter((g) => g % 3 === 0).length;
    assert.ok(firstWindow.slice(0, doubles).every((g) => g % 3 === 0));
    // Within equal rank, newest first.
    assert.ok(firstWindow.slice(0, doubles).every((g, i, all) => i === 0 || (all[i - 1] ?? 0) < g));

    // A cursor belongs to its search.
    const first = await searchMessages(admin, account, { q: 'walrus', limit: 5 });
    assert.ok(first.nextCursor);
    const elsewhere = await admin.get(searchPath(account, { q: 'number', cursor: first.nextCursor }));
    assert.equal(elsewhere.status, 400);
    assert.equal(code(elsewhere.body), 'cursor_invalid');
    const forged = await admin.get(searchPath(account, { q: 'walrus', cursor: 'eyJxIjoxfQ' }));
    assert.equal(code(forged.body), 'cursor_invalid');
  });

  test('beyond the newest documents: rare words through the index, common words with a narrow filter by scanning', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const db = server.ctx.database.db;
    const shop = await createInbox(db, account.accountId, { name: 'Shop', channelType: 'web' });
    const big = await visitorWithConversation(server, account.inboxId, 'start');
    const small = await visitorWithConversation(server, shop.id, 'start');
    // 12,000 messages a minute apart, newest first: every one says "otter"; every 1,500th is in the
    // Shop inbox; "narwhal" is in five old ones only.
    await server.ctx.database.rows(sql`
      insert into messages (id, conversation_id, account_id, seq, kind, sender_kind, body, created_at)
      select gen_random_uuid(),
             case when g % 1500 = 0 then ${small.conversationId}::uuid else ${big.conversationId}::uuid end,
             ${account.accountId}::uuid, 100 + g, 'text', 'contact',
             case when g in (7001, 8002, 9003, 10004, 11005) then 'otter narwhal ' || g else 'otter ' || g end,
             now() - g * interval '1 minute'
      from generate_series(1, 12000) g`);
    await server.ctx.database.rows(sql`analyze messages`);

    const rare = await searchMessages(admin, account, { q: 'narwhal' });
    assert.deepEqual(
      rare.messages.map((m) => m.message.seq - 100).sort((a, b) => a - b),
      [7001, 8002, 9003, 10004, 11005],
    );
    assert.equal(rare.nextCursor, null);

    // "otter" in the Shop inbox: 8 matches spread over 12,000 messages. Pages may come back short while
    // older history remains, but following the cursor finds every one exactly once.
    const all = async (params: Record<string, string | number>) => {
      const found: number[] = [];
      let cursor: string | null = null;
      let requests = 0;
      do {
        const page = await searchMessages(admin, account, cursor ? { ...params, cursor } : params);
        found.push(...page.messages.map((m) => m.message.seq - 100));
        cursor = page.nextCursor;
        requests++;
      } while (cursor && requests < 50);
      assert.equal(cursor, null, 'the last page has no cursor');
      return found.sort((a, b) => a - b);
    };
    const saved = { ...limits };
    try {
      // A common word is scanned, a bounded stretch of the newest documents per window (the limit
      // lowered so that 12,000 documents count as a long history).
      Object.assign(limits, { RARE_POSTINGS: 100, POSTING_LIMIT: 1_000 });
      assert.deepEqual(
        await all({ q: 'otter', inboxId: shop.id, limit: 50 }),
        [1500, 3000, 4500, 6000, 7500, 9000, 10500, 12000],
      );
      // A scanned window that finds too few matches for its page reads on past SCAN_ROWS to fill it,
      // and a later page of that window finds the same matches again.
      Object.assign(limits, { RARE_POSTINGS: 10, POSTING_LIMIT: 20, SCAN_ROWS: 1_000, EXTEND_ROWS: 2_500 });
      const first = await searchMessages(admin, account, { q: 'otter', inboxId: shop.id, limit: 1 });
      assert.deepEqual(
        first.messages.map((m) => m.message.seq - 100),
        [1500],
      );
      assert.ok(first.nextCursor);
      // The next page continues inside that window: it already holds the next match.
      const window = JSON.parse(Buffer.from(first.nextCursor, 'base64url').toString()).window;
      assert.equal(window?.plan, 'scan');
      assert.deepEqual(
        await all({ q: 'otter', inboxId: shop.id, limit: 1 }),
        [1500, 3000, 4500, 6000, 7500, 9000, 10500, 12000],
      );
      assert.deepEqual(
        await all({ q: 'otter', inboxId: shop.id, limit: 3 }),
        [1500, 3000, 4500, 6000, 7500, 9000, 10500, 12000],
      );
      // A common word's newest matches, each once, across scanned windows and pages inside them.
      const otters: number[] = [];
      let next: string | null = null;
      for (let page = 0; page < 5; page++) {
        const params: Record<string, string | number> = { q: 'otter', limit: 45 };
        if (next) params.cursor = next;
        const found = await searchMessages(admin, account, params);
        assert.equal(found.messages.length, 45);
        otters.push(...found.messages.map((m) => m.message.seq - 100));
        next = found.nextCursor;
      }
      assert.deepEqual(
        otters.sort((a, b) => a - b),
        Array.from({ length: 225 }, (_, i) => i + 1),
      );
      Object.assign(limits, saved, { RARE_POSTINGS: 100, POSTING_LIMIT: 1_000 });
      // A word neither common nor rare is read through the index a bounded stretch of history at a
      // time (the thresholds lowered so that this small history needs several stretches).
      Object.assign(limits, { RARE_POSTINGS: -1, INDEX_ROWS: 2_000, POSTING_LIMIT: 1_000_000 });
      assert.deepEqual(await all({ q: 'narwhal', limit: 2 }), [7001, 8002, 9003, 10004, 11005]);
      assert.deepEqual(
        await all({ q: 'otter', inboxId: shop.id, limit: 3 }),
        [1500, 3000, 4500, 6000, 7500, 9000, 10500, 12000],
      );
    } finally {
      Object.assign(limits, saved);
    }
  });

  test('hostile and odd queries answer 200 or 400, never 500', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    await visitorWithConversation(server, account.inboxId, "it's a test: ação, привет, 東京 & more");
    const queries = [
      `'&|!:*()`,
      '!!!',
      '"',
      '""""',
      '-',
      '- -x',
      'or',
      'a or or b',
      ':*',
      "'a'b':*",
      'x:*:*',
      '\\',
      '\u0001\u0002',
      '<script>alert(1)</script>',
      'привет',
      '東京',
      'ação',
      "it's",
      'x'.repeat(200),
      `${'word '.repeat(39)}w`,
      '%_%',
      '(((',
      "a'",
      '🙂',
    ];
    for (const q of queries) {
      for (const type of ['messages', 'contacts']) {
        const res = await admin.get(searchPath(account, { q, type }));
        assert.ok(res.status === 200 || res.status === 400, `${q} → ${res.status} ${res.text}`);
      }
    }
    assert.equal((await searchMessages(admin, account, { q: 'привет' })).messages.length, 1);
    assert.equal((await searchMessages(admin, account, { q: 'ação' })).messages.length, 1);
    for (const q of ['', '   ', 'x'.repeat(201), 'a\u0000b']) {
      const res = await admin.get(searchPath(account, { q }));
      assert.equal(res.status, 400, `${JSON.stringify(q)} → ${res.status}`);
    }
    assert.equal((await admin.get(searchPath(account, { q: 'x', limit: 51 }))).status, 400);
    assert.equal((await admin.get(searchPath(account, { q: 'x', type: 'files' }))).status, 400);
    assert.equal((await admin.get(searchPath(account, { q: 'x', inboxId: 'nope' }))).status, 400);
    assert.equal((await admin.get(searchPath(account, { q: 'x', extra: 1 }))).status, 400);
  });

  test('any text becomes a valid tsquery, and so do its words alone', async () => {
    const run = async (text: string) => {
      const terms = searchTerms(text);
      if (!terms) return;
      const query = tsQuery(terms);
      await server.ctx.database.rows(
        sql`select to_tsvector('simple', 'probe text') @@ ${query} as hit,
          to_tsvector('simple', 'probe text') @@ ${anyWordQuery(query)} as broad`,
      );
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constantFrom(
              "'",
              '"',
              '&',
              '|',
              '!',
              ':',
              '*',
              '(',
              ')',
              '-',
              ' ',
              'or',
              'and',
              '<->',
              '\\',
              ':*',
              '@',
            ),
            fc.string({ maxLength: 6 }),
            fc.string({ unit: 'grapheme', maxLength: 4 }),
          ),
          { maxLength: 12 },
        ),
        async (parts) => {
          await run(parts.join('').replaceAll('\u0000', ''));
        },
      ),
      { numRuns: 300 },
    );
  });
});
