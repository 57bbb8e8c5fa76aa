import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { loginAs, makeAccount, makeToken, PASSWORD } from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { HttpClient } from '../../../test/http-client.ts';
import { RealtimeClient } from '../../../test/realtime-client.ts';
import { sessions } from '../../db/schema.ts';

/** The dashboard's own origin (PUBLIC_URL in the harness). */
const OWN_ORIGIN = 'http://localhost:3000';

let server: TestServer;
before(async () => {
  // Rate limits stay on: this file proves they fire. X-Forwarded-For is not trusted here, so a
  // client cannot pick its own address.
  server = await startTestServer({ env: { RATE_LIMITS: 'on', TRUST_PROXY: 'false' } });
});
after(async () => {
  await server?.close();
});

const codeOf = (res: { body: Record<string, unknown> }) =>
  (res.body.error as { code?: string } | undefined)?.code;

const setupBody = (n: number) => ({
  accountName: `Company ${n}`,
  name: `Owner ${n}`,
  email: `owner${n}@setup.test`,
  password: 'a-very-long-password',
});

describe('first-run setup', () => {
  test('setup is offered, exactly one of several concurrent setups wins, then it is closed', async () => {
    const anonymous = new HttpClient(server.url);
    const status = await anonymous.get('/api/setup');
    assert.equal(status.status, 200);
    assert.deepEqual(status.body, { needsSetup: true });

    const invalid = await anonymous.post('/api/setup', { ...setupBody(0), password: 'short' });
    assert.equal(invalid.status, 400);
    assert.equal(codeOf(invalid), 'validation_failed');

    const clients = [1, 2, 3, 4, 5].map(() => new HttpClient(server.url));
    const answers = await Promise.all(clients.map((c, i) => c.post('/api/setup', setupBody(i + 1))));
    const won = answers.filter((a) => a.status === 201);
    const lost = answers.filter((a) => a.status === 409);
    assert.equal(won.length, 1, JSON.stringify(answers.map((a) => [a.status, a.body])));
    assert.equal(lost.length, 4);
    for (const a of lost) assert.equal(codeOf(a), 'setup_already_done');

    const winnerIndex = answers.findIndex((a) => a.status === 201);
    const winner = clients[winnerIndex] as HttpClient;
    assert.ok(winner.cookie, 'setup signs the owner in');
    const session = await winner.get('/api/auth/session');
    assert.equal(session.status, 200);
    const memberships = session.body.memberships as Array<{ role: string; accountName: string }>;
    assert.equal(memberships.length, 1);
    assert.equal(memberships[0]?.role, 'admin');
    assert.equal(memberships[0]?.accountName, `Company ${winnerIndex + 1}`);

    assert.deepEqual((await anonymous.get('/api/setup')).body, { needsSetup: false });
    const again = await anonymous.post('/api/setup', setupBody(9));
    assert.equal(again.status, 409);
    assert.equal(codeOf(again), 'setup_already_done');
    // The losers created nothing: their e-mails cannot sign in.
    const loserEmail = setupBody(winnerIndex === 0 ? 2 : 1).email;
    const loserLogin = await new HttpClient(server.url).post('/api/auth/login', {
      email: loserEmail,
      password: 'a-very-long-password',
    });
    assert.equal(loserLogin.status, 401);
  });
});

describe('login and logout', () => {
  test('login sets an httpOnly, SameSite=Lax session cookie and returns the CSRF token', async () => {
    const account = await makeAccount(server);
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: account.admin.email.toUpperCase(), password: PASSWORD }),
    });
    assert.equal(res.status, 200);
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('parley_session='));
    assert.ok(session, 'a session cookie is set');
    assert.match(session, /;\s*HttpOnly/i);
    assert.match(session, /;\s*SameSite=Lax/i);
    assert.match(session, /;\s*Path=\//i);
    assert.doesNotMatch(session, /;\s*Secure/i, 'plain-http PUBLIC_URL: no Secure flag');
    const body = (await res.json()) as { csrfToken: string; user: { email: string } };
    assert.ok(body.csrfToken.length >= 20);
    assert.equal(body.user.email, account.admin.email);
    // Only a hash of the cookie is stored: the cookie value is not a session id in the database.
    const value = session.split(';')[0]?.split('=')[1] ?? '';
    const stored = await server.ctx.database.db.select().from(sessions).where(eq(sessions.id, value));
    assert.equal(stored.length, 0);
  });

  test('a wrong password and an unknown e-mail get the same answer', async () => {
    const account = await makeAccount(server);
    const client = new HttpClient(server.url);
    const wrong = await client.post('/api/auth/login', {
      email: account.admin.email,
      password: 'not-it-at-all',
    });
    const unknown = await client.post('/api/auth/login', {
      email: 'nobody@nowhere.test',
      password: PASSWORD,
    });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(codeOf(wrong), 'invalid_credentials');
    assert.deepEqual(wrong.body, unknown.body);
    assert.equal(client.cookie, null);
  });

  test('logout ends the session and clears the cookie', async () => {
    const account = await makeAccount(server);
    const agent = await loginAs(server, account.admin.email);
    const cookie = agent.cookie;
    assert.equal((await agent.get('/api/auth/session')).status, 200);
    const out = await agent.post('/api/auth/logout');
    assert.equal(out.status, 204);
    assert.match(out.headers.getSetCookie().join('\n'), /parley_session=;/);
    const stale = new HttpClient(server.url);
    stale.cookie = cookie;
    const after = await stale.get('/api/auth/session');
    assert.equal(after.status, 401);
    assert.equal(codeOf(after), 'unauthenticated');
  });
});

describe('CSRF', () => {
  test('cookie-authenticated writes need the X-CSRF-Token header and an allowed Origin', async () => {
    const account = await makeAccount(server);
    const agent = await loginAs(server, account.admin.email);
    const path = `/api/accounts/${account.accountId}/inboxes`;
    const csrf = agent.csrfToken ?? '';
    agent.csrfToken = null;
    const missing = await agent.post(path, { name: 'No token' });
    assert.equal(missing.status, 403);
    assert.equal(codeOf(missing), 'csrf_failed');
    const wrong = await agent.request('POST', path, { name: 'Wrong token' }, { 'x-csrf-token': 'guess' });
    assert.equal(wrong.status, 403);
    assert.equal(codeOf(wrong), 'csrf_failed');
    const foreign = await agent.request(
      'POST',
      path,
      { name: 'Foreign' },
      { 'x-csrf-token': csrf, origin: 'https://evil.example' },
    );
    assert.equal(foreign.status, 403);
    assert.equal(codeOf(foreign), 'csrf_failed');
    const logout = await agent.post('/api/auth/logout');
    assert.equal(logout.status, 403, 'logout is a write too');
    // Nothing of the refused writes was stored.
    const list = await agent.get(path);
    assert.deepEqual(
      (list.body.inboxes as Array<{ name: string }>).map((i) => i.name),
      ['Website'],
    );
    const ok = await agent.request(
      'POST',
      path,
      { name: 'Fine' },
      { 'x-csrf-token': csrf, origin: OWN_ORIGIN },
    );
    assert.equal(ok.status, 201, ok.text);
    // Reads need no token.
    assert.equal((await agent.get(path)).status, 200);
  });

  test('API tokens are not cookies and need no CSRF token', async () => {
    const account = await makeAccount(server);
    const client = new HttpClient(server.url);
    client.bearer = await makeToken(server, account.accountId, ['inbox_read']);
    const res = await client.request('GET', `/api/accounts/${account.accountId}/inboxes`, undefined, {
      origin: 'https://elsewhere.example',
    });
    assert.equal(res.status, 200);
  });
});

describe('login rate limit', () => {
  test('the sixth attempt within a minute answers 429 with Retry-After, even with the right password', async () => {
    const account = await makeAccount(server);
    const client = new HttpClient(server.url);
    for (let i = 1; i <= 5; i++) {
      const res = await client.post('/api/auth/login', {
        email: account.admin.email,
        password: `wrong-${i}`,
      });
      assert.equal(res.status, 401, `attempt ${i}`);
    }
    const sixth = await client.post('/api/auth/login', { email: account.admin.email, password: PASSWORD });
    assert.equal(sixth.status, 429);
    assert.equal(codeOf(sixth), 'rate_limited');
    const retryAfter = Number(sixth.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${retryAfter}`);
    assert.equal(client.cookie, null, 'no session while limited');
    // A made-up X-Forwarded-For does not buy a fresh allowance.
    const spoofed = await client.request(
      'POST',
      '/api/auth/login',
      { email: account.admin.email, password: PASSWORD },
      { 'x-forwarded-for': '203.0.113.7' },
    );
    assert.equal(spoofed.status, 429);
    // Other accounts are not locked out by it.
    const other = await makeAccount(server);
    assert.equal((await loginAs(server, other.admin.email)).cookie !== null, true);
  });
});

describe('password change', () => {
  test('ends the other sessions (REST and WebSocket) and keeps the current one', async () => {
    const account = await makeAccount(server);
    const current = await loginAs(server, account.admin.email);
    const other = await loginAs(server, account.admin.email);
    const socket = await RealtimeClient.connect(server.url, {
      cookie: other.cookie ?? '',
      origin: OWN_ORIGIN,
    });
    await socket.waitFor((f) => f.type === 'ready');
    const currentSocket = await RealtimeClient.connect(server.url, {
      cookie: current.cookie ?? '',
      origin: OWN_ORIGIN,
    });
    await currentSocket.waitFor((f) => f.type === 'ready');

    const wrong = await current.post('/api/auth/password', {
      currentPassword: 'not-my-password',
      newPassword: 'a-brand-new-password',
    });
    assert.equal(wrong.status, 401);
    assert.equal(codeOf(wrong), 'invalid_credentials');
    assert.equal((await other.get('/api/auth/session')).status, 200, 'a failed change ends nothing');

    const tooShort = await current.post('/api/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'short',
    });
    assert.equal(tooShort.status, 400);

    const changed = await current.post('/api/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'a-brand-new-password',
    });
    assert.equal(changed.status, 200, changed.text);

    const kicked = await other.get('/api/auth/session');
    assert.equal(kicked.status, 401);
    assert.equal(codeOf(kicked), 'unauthenticated');
    const deadline = Date.now() + 3_000;
    while (!socket.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(socket.closed, 'the other session’s socket is closed');
    assert.equal((await current.get('/api/auth/session')).status, 200, 'the current session stays');
    assert.equal(currentSocket.closed, null, 'the current session’s socket stays open');

    const oldPassword = await new HttpClient(server.url).post('/api/auth/login', {
      email: account.admin.email,
      password: PASSWORD,
    });
    assert.equal(oldPassword.status, 401);
    const newPassword = await new HttpClient(server.url).post('/api/auth/login', {
      email: account.admin.email,
      password: 'a-brand-new-password',
    });
    assert.equal(newPassword.status, 200);
    await currentSocket.close();
  });
});
