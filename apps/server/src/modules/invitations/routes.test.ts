import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { loginAs, makeAccount, makeMember, PASSWORD } from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { HttpClient } from '../../../test/http-client.ts';
import { invitations } from '../../db/schema.ts';
import { sha256 } from '../../lib/crypto.ts';

let now = Date.now();
let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' }, now: () => new Date(now) });
});
after(async () => {
  await server?.close();
});

const code = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;
let n = 0;
const email = () => `invitee-${Date.now()}-${n++}@example.test`;
const tokenOf = (url: string) => url.split('/invite/')[1] ?? '';

describe('invitations', () => {
  test('an admin invites, the link shows who it is for, and accepting joins and signs in once', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const address = email();
    const created = await admin.post(`/api/accounts/${account.accountId}/invitations`, {
      email: address.toUpperCase(),
      role: 'supervisor',
    });
    assert.equal(created.status, 201);
    const url = created.body.url as string;
    assert.match(url, /^http:\/\/localhost:3000\/invite\/[A-Za-z0-9_-]{40,}$/);
    const token = tokenOf(url);
    const [stored] = await server.ctx.database.db
      .select()
      .from(invitations)
      .where(eq(invitations.email, address));
    assert.equal(stored?.tokenHash, sha256(token), 'only the hash is stored');
    assert.ok(!JSON.stringify(stored).includes(token));
    assert.equal(
      Math.round(((stored?.expiresAt.getTime() ?? 0) - now) / 86_400_000),
      7,
      'the link works for seven days',
    );

    const pending = await admin.get(`/api/accounts/${account.accountId}/invitations`);
    assert.deepEqual(
      (pending.body.invitations as Array<{ email: string }>).map((i) => i.email),
      [address],
    );

    const visitor = new HttpClient(server.url);
    const preview = await visitor.get(`/api/invitations/${token}`);
    assert.equal(preview.status, 200);
    assert.equal(preview.body.email, address);
    assert.equal(preview.body.role, 'supervisor');
    assert.equal(preview.body.existingUser, false);
    assert.equal(typeof preview.body.accountName, 'string');

    const weak = await visitor.post(`/api/invitations/${token}/accept`, { name: 'Nina', password: 'short' });
    assert.equal(weak.status, 400);
    assert.equal((weak.body.error as { details: Array<{ path: string }> }).details[0]?.path, 'password');
    const noName = await visitor.post(`/api/invitations/${token}/accept`, {
      password: 'a-long-new-password',
    });
    assert.equal(noName.status, 400);

    const accepted = await visitor.post(`/api/invitations/${token}/accept`, {
      name: 'Nina',
      password: 'a-long-new-password',
    });
    assert.equal(accepted.status, 200);
    assert.ok(visitor.cookie, 'accepting signs in');
    const memberships = accepted.body.memberships as Array<{
      accountId: string;
      accountName: string;
      role: string;
    }>;
    assert.deepEqual(memberships, [
      { accountId: account.accountId, accountName: memberships[0]?.accountName, role: 'supervisor' },
    ]);
    assert.equal((await visitor.get(`/api/accounts/${account.accountId}/conversations`)).status, 200);

    const reused = await new HttpClient(server.url).post(`/api/invitations/${token}/accept`, {
      name: 'Mallory',
      password: 'another-long-password',
    });
    assert.equal(reused.status, 410);
    assert.equal(code(reused.body), 'invitation_expired');
    assert.equal((await visitor.get(`/api/invitations/${token}`)).status, 410);
    assert.deepEqual(
      (await admin.get(`/api/accounts/${account.accountId}/invitations`)).body.invitations,
      [],
    );

    const login = await new HttpClient(server.url).post('/api/auth/login', {
      email: address,
      password: 'a-long-new-password',
    });
    assert.equal(login.status, 200);
  });

  test('two accepts of the same link at once: exactly one succeeds', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const created = await admin.post(`/api/accounts/${account.accountId}/invitations`, { email: email() });
    const token = tokenOf(created.body.url as string);
    const results = await Promise.all(
      [1, 2].map(() =>
        new HttpClient(server.url).post(`/api/invitations/${token}/accept`, {
          name: 'Twin',
          password: 'a-long-new-password',
        }),
      ),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 410]);
  });

  test('links expire after seven days', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const created = await admin.post(`/api/accounts/${account.accountId}/invitations`, { email: email() });
    const token = tokenOf(created.body.url as string);
    const started = now;
    try {
      now = started + 7 * 86_400_000 + 1000;
      const res = await new HttpClient(server.url).post(`/api/invitations/${token}/accept`, {
        name: 'Late',
        password: 'a-long-new-password',
      });
      assert.equal(res.status, 410);
      assert.deepEqual(
        (await admin.get(`/api/accounts/${account.accountId}/invitations`)).body.invitations,
        [],
      );
    } finally {
      now = started;
    }
  });

  test('someone who already has a login must prove it with their password', async () => {
    const home = await makeAccount(server);
    const other = await makeAccount(server);
    const person = await makeMember(server, other.accountId, 'agent');
    const admin = await loginAs(server, home.admin.email);
    const created = await admin.post(`/api/accounts/${home.accountId}/invitations`, {
      email: person.email,
      role: 'admin',
    });
    const token = tokenOf(created.body.url as string);
    const client = new HttpClient(server.url);
    assert.equal((await client.get(`/api/invitations/${token}`)).body.existingUser, true);
    const wrong = await client.post(`/api/invitations/${token}/accept`, { password: 'not-their-password' });
    assert.equal(wrong.status, 401);
    assert.equal(code(wrong.body), 'invalid_credentials');
    const right = await client.post(`/api/invitations/${token}/accept`, { password: PASSWORD });
    assert.equal(right.status, 200);
    const roles = (right.body.memberships as Array<{ accountId: string; role: string }>).map((m) => [
      m.accountId,
      m.role,
    ]);
    assert.deepEqual(
      roles.sort(),
      [
        [home.accountId, 'admin'],
        [other.accountId, 'agent'],
      ].sort(),
    );
  });

  test('agents cannot invite; other accounts get 404; members cannot be invited again', async () => {
    const account = await makeAccount(server);
    const stranger = await makeAccount(server);
    const agent = await makeMember(server, account.accountId, 'agent');
    const asAgent = await loginAs(server, agent.email);
    const base = `/api/accounts/${account.accountId}/invitations`;
    const denied = await asAgent.post(base, { email: email(), role: 'admin' });
    assert.equal(denied.status, 403);
    assert.equal(code(denied.body), 'forbidden');
    assert.equal((await asAgent.get(base)).status, 403);

    const strangerAdmin = await loginAs(server, stranger.admin.email);
    const foreign = await strangerAdmin.post(base, { email: email() });
    assert.equal(foreign.status, 404);
    assert.equal(code(foreign.body), 'account_not_found');

    const admin = await loginAs(server, account.admin.email);
    const again = await admin.post(base, { email: agent.email });
    assert.equal(again.status, 409);
    assert.equal(code(again.body), 'member_exists');

    const mine = await admin.post(base, { email: email() });
    const id = (mine.body.invitation as { id: string }).id;
    assert.equal(
      (await strangerAdmin.request('DELETE', `/api/accounts/${stranger.accountId}/invitations/${id}`)).status,
      404,
    );
    assert.equal((await admin.request('DELETE', `${base}/${id}`)).status, 204);
    const revoked = await new HttpClient(server.url).get(
      `/api/invitations/${tokenOf(mine.body.url as string)}`,
    );
    assert.equal(revoked.status, 404);
  });

  test('a newer invitation for the same address replaces the older link', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const address = email();
    const base = `/api/accounts/${account.accountId}/invitations`;
    const first = tokenOf((await admin.post(base, { email: address })).body.url as string);
    const second = tokenOf((await admin.post(base, { email: address })).body.url as string);
    const client = new HttpClient(server.url);
    assert.equal((await client.get(`/api/invitations/${first}`)).status, 404);
    assert.equal((await client.get(`/api/invitations/${second}`)).status, 200);
  });

  test('malformed input is a 4xx with a stable code', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const base = `/api/accounts/${account.accountId}/invitations`;
    for (const body of [{}, { email: 'nope' }, { email: email(), role: 'owner' }, { email: email(), x: 1 }]) {
      const res = await admin.post(base, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(code(res.body), 'validation_failed');
    }
    const client = new HttpClient(server.url);
    assert.equal((await client.get('/api/invitations/short')).status, 400);
    assert.equal((await client.get(`/api/invitations/${'a'.repeat(43)}`)).status, 404);
    assert.equal(
      (await client.post(`/api/invitations/${'a'.repeat(43)}/accept`, { password: 'x', admin: true })).status,
      400,
    );
    assert.equal(
      code((await client.request('POST', `/api/invitations/${'a'.repeat(43)}/accept`, '{')).body),
      'invalid_json',
    );
  });
});
