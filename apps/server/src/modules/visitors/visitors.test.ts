import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { makeAccount, visitorOf, visitorWithConversation } from '../../../test/factories.ts';
import { startTestServer, TEST_SECRET, type TestServer } from '../../../test/harness.ts';
import { HttpClient } from '../../../test/http-client.ts';
import { signVisitorToken, verifyVisitorToken } from '../../auth/visitor-token.ts';
import { contactIdentities, contacts } from '../../db/schema.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
});
after(async () => {
  await server?.close();
});

const DAY = 86_400_000;
const sign = (secret: string, id: string, timestamp: number) =>
  createHmac('sha256', secret).update(`${id}.${timestamp}`).digest('hex');
const identity = (secret: string, id: string, timestamp = Date.now()) => ({
  id,
  timestamp,
  signature: sign(secret, id, timestamp),
});
const codeOf = (res: { body: Record<string, unknown> }) =>
  (res.body.error as { code?: string } | undefined)?.code;

async function session(inboxId: string, body: Record<string, unknown>, origin?: string) {
  const client = new HttpClient(server.url);
  if (origin) client.origin = origin;
  const res = await client.post(`/api/client/inboxes/${inboxId}/sessions`, body);
  if (res.status === 201) client.bearer = res.body.token as string;
  return { res, client, contact: res.body.contact as { id: string; verified: boolean; name: string | null } };
}

describe('visitor sessions', () => {
  test('an anonymous session gets a fresh contact and a working visitor token', async () => {
    const account = await makeAccount(server);
    const one = await session(account.inboxId, {});
    assert.equal(one.res.status, 201);
    assert.match(one.res.body.token as string, /^vt1\./);
    assert.equal(one.contact.verified, false);
    const two = await session(account.inboxId, { name: 'Ana' });
    assert.notEqual(two.contact.id, one.contact.id, 'every anonymous session is its own contact');
    assert.equal(two.contact.name, 'Ana');
    const list = await one.client.get('/api/client/conversations');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.conversations, []);
  });

  test('a verified identity finds the same contact, and its history, on a second session', async () => {
    const account = await makeAccount(server);
    const userId = `user-${randomUUID()}`;
    const first = await session(account.inboxId, {
      name: 'Grace',
      identity: identity(account.identitySecret, userId),
    });
    assert.equal(first.res.status, 201, first.res.text);
    assert.equal(first.contact.verified, true);
    const started = await first.client.post('/api/client/conversations', {
      message: { clientMsgId: 'hello-1', body: 'Hello from the laptop' },
    });
    assert.equal(started.status, 201);
    const conversationId = (started.body.conversation as { id: string }).id;

    const second = await session(account.inboxId, {
      email: 'grace@example.com',
      identity: identity(account.identitySecret, userId, Date.now() - 1000),
    });
    assert.equal(second.res.status, 201, second.res.text);
    assert.equal(second.contact.id, first.contact.id);
    assert.equal(second.contact.name, 'Grace');
    const list = await second.client.get('/api/client/conversations');
    assert.deepEqual(
      (list.body.conversations as Array<{ id: string }>).map((c) => c.id),
      [conversationId],
    );
    const messages = await second.client.get(`/api/client/conversations/${conversationId}/messages`);
    assert.equal((messages.body.messages as Array<{ body: string }>)[0]?.body, 'Hello from the laptop');
  });

  test('an inbox that requires verification refuses absent, unsigned, forged, foreign and expired identities', async () => {
    const account = await makeAccount(server, { inboxSettings: { requireIdentityVerification: true } });
    const other = await makeAccount(server);
    const now = Date.now();
    const cases: Array<[string, Record<string, unknown>]> = [
      ['no identity', {}],
      ['unsigned', { identity: { id: 'u1', timestamp: now } }],
      ['forged', { identity: { id: 'u1', timestamp: now, signature: 'a'.repeat(64) } }],
      ['signed for another id', { identity: { ...identity(account.identitySecret, 'u2', now), id: 'u1' } }],
      ['another inbox’s secret', { identity: identity(other.identitySecret, 'u1', now) }],
      ['expired', { identity: identity(account.identitySecret, 'u1', now - 8 * DAY) }],
      ['from the future', { identity: identity(account.identitySecret, 'u1', now + 60 * 60_000) }],
    ];
    for (const [what, body] of cases) {
      const { res } = await session(account.inboxId, body);
      assert.equal(res.status, 401, `${what}: ${res.text}`);
      assert.equal(codeOf(res), 'identity_verification_failed', what);
    }
    const ok = await session(account.inboxId, { identity: identity(account.identitySecret, 'u1', now) });
    assert.equal(ok.res.status, 201);
    assert.equal(ok.contact.verified, true);
    const count = await server.ctx.database.db
      .select()
      .from(contacts)
      .where(eq(contacts.accountId, account.accountId));
    assert.equal(count.length, 1, 'refused sessions created no contacts');
  });

  test('a forged signature is never attached to the existing contact', async () => {
    const account = await makeAccount(server);
    const real = await session(account.inboxId, {
      name: 'Real Customer',
      identity: identity(account.identitySecret, 'customer-42'),
    });
    assert.equal(real.res.status, 201);
    const forged = await session(account.inboxId, {
      name: 'Impostor',
      email: 'impostor@evil.example',
      identity: {
        id: 'customer-42',
        timestamp: Date.now(),
        signature: sign('guessed-secret', 'customer-42', Date.now()),
      },
    });
    assert.equal(forged.res.status, 401);
    assert.equal(codeOf(forged.res), 'identity_verification_failed');
    // An unsigned claim on an inbox that does not require verification gets a new, unverified contact.
    const claim = await session(account.inboxId, {
      name: 'Claimer',
      identity: { id: 'customer-42', timestamp: Date.now() },
    });
    assert.equal(claim.res.status, 201);
    assert.notEqual(claim.contact.id, real.contact.id);
    assert.equal(claim.contact.verified, false);
    assert.deepEqual((await claim.client.get('/api/client/conversations')).body.conversations, []);

    const [stored] = await server.ctx.database.db
      .select()
      .from(contacts)
      .where(eq(contacts.id, real.contact.id));
    assert.equal(stored?.name, 'Real Customer');
    assert.equal(stored?.email, null);
    const identities = await server.ctx.database.db
      .select()
      .from(contactIdentities)
      .where(eq(contactIdentities.contactId, real.contact.id));
    assert.equal(identities.length, 1);
  });

  test('an Origin the inbox does not allow answers 403 origin_not_allowed', async () => {
    const account = await makeAccount(server, {
      inboxSettings: { allowedOrigins: ['https://shop.example'] },
    });
    for (const origin of [
      'https://evil.example',
      'http://shop.example',
      'https://shop.example:8443',
      'null',
    ]) {
      const info = await new HttpClient(server.url).request(
        'GET',
        `/api/client/inboxes/${account.inboxId}`,
        undefined,
        {
          origin,
        },
      );
      assert.equal(info.status, 403, `${origin}: ${info.text}`);
      assert.equal(codeOf(info), 'origin_not_allowed');
      const { res } = await session(account.inboxId, {}, origin);
      assert.equal(res.status, 403, origin);
      assert.equal(codeOf(res), 'origin_not_allowed');
    }
    for (const origin of ['https://shop.example', 'http://localhost:3000', undefined]) {
      const { res } = await session(account.inboxId, {}, origin);
      assert.equal(res.status, 201, `${origin}: ${res.text}`);
    }
  });

  test('an unknown inbox answers 404 inbox_not_found', async () => {
    const { res } = await session(randomUUID(), {});
    assert.equal(res.status, 404);
    assert.equal(codeOf(res), 'inbox_not_found');
  });
});

describe('visitor tokens', () => {
  test('tampered, truncated, re-signed and foreign tokens answer 401', async () => {
    const account = await makeAccount(server);
    const { visitor } = await visitorWithConversation(server, account.inboxId);
    const stranger = await visitorOf(server, account.inboxId);
    const token = visitor.bearer as string;
    const claims = verifyVisitorToken(TEST_SECRET, token);
    assert.ok(claims);
    const strangerClaims = verifyVisitorToken(TEST_SECRET, stranger.bearer as string);
    assert.ok(strangerClaims);
    const [prefix, body, mac] = token.split('.') as [string, string, string];
    const swapped = Buffer.from(
      JSON.stringify([
        claims.identityId,
        strangerClaims.contactId,
        claims.inboxId,
        claims.accountId,
        claims.issuedAt,
      ]),
    ).toString('base64url');
    const flip = (s: string) => `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`;
    const forged = [
      `${prefix}.${body}.${flip(mac)}`,
      `${prefix}.${flip(body)}.${mac}`,
      `${prefix}.${swapped}.${mac}`,
      `${prefix}.${body}`,
      `${prefix}.${body}.`,
      `${prefix}..${mac}`,
      'vt1.',
      `vt2.${body}.${mac}`,
      signVisitorToken('another-secret-key-0123456789abcdef0123', claims),
      // Correctly signed, but naming a contact this identity does not belong to.
      signVisitorToken(TEST_SECRET, { ...claims, contactId: strangerClaims.contactId }),
      signVisitorToken(TEST_SECRET, { ...claims, identityId: randomUUID() }),
    ];
    for (const bad of forged) {
      const client = new HttpClient(server.url);
      client.bearer = bad;
      const res = await client.get('/api/client/conversations');
      assert.equal(res.status, 401, `${bad.slice(0, 40)}…: ${res.text}`);
      assert.equal(codeOf(res), 'unauthenticated');
    }
    assert.equal((await visitor.get('/api/client/conversations')).status, 200, 'the genuine token works');
  });

  test('deleting the identity revokes its token', async () => {
    const account = await makeAccount(server);
    const visitor = await visitorOf(server, account.inboxId);
    const claims = verifyVisitorToken(TEST_SECRET, visitor.bearer as string);
    assert.ok(claims);
    await server.ctx.database.db.delete(contactIdentities).where(eq(contactIdentities.id, claims.identityId));
    const res = await visitor.get('/api/client/conversations');
    assert.equal(res.status, 401);
  });

  test('a visitor cannot read or write another visitor’s conversation', async () => {
    const account = await makeAccount(server);
    const a = await visitorWithConversation(server, account.inboxId, 'private to A');
    const b = await visitorOf(server, account.inboxId);
    const read = await b.get(`/api/client/conversations/${a.conversationId}/messages`);
    assert.equal(read.status, 404);
    assert.equal(codeOf(read), 'conversation_not_found');
    const write = await b.post(`/api/client/conversations/${a.conversationId}/messages`, {
      clientMsgId: 'intrude',
      body: 'intrusion',
    });
    assert.equal(write.status, 404);
    const typing = await b.post(`/api/client/conversations/${a.conversationId}/typing`, { typing: true });
    assert.equal(typing.status, 404);
    const mine = await a.visitor.get(`/api/client/conversations/${a.conversationId}/messages`);
    assert.deepEqual(
      (mine.body.messages as Array<{ body: string }>).map((m) => m.body),
      ['private to A'],
    );
  });
});
