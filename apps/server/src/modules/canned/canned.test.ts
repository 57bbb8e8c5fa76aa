import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CannedReply } from '@parley/shared';
import { loginAs, makeAccount, makeMember, makeToken } from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { HttpClient } from '../../../test/http-client.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' }, jobPollMs: 0 });
});
after(async () => {
  await server?.close();
});

const code = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;
const replies = (body: Record<string, unknown>) => body.cannedReplies as CannedReply[];
const shortcuts = (body: Record<string, unknown>) => replies(body).map((r) => r.shortcut);
const reply = (body: Record<string, unknown>) => body.cannedReply as CannedReply;

/** An account with an admin, a supervisor, two agents and a team that only the first agent is in. */
async function setup() {
  const account = await makeAccount(server);
  const base = `/api/accounts/${account.accountId}`;
  const admin = await loginAs(server, account.admin.email);
  const supervisorUser = await makeMember(server, account.accountId, 'supervisor');
  const agentUser = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
  const otherUser = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
  const team = (await admin.post(`${base}/teams`, { name: 'Billing' })).body.team as { id: string };
  const joined = await admin.request('PUT', `${base}/teams/${team.id}/members/${agentUser.userId}`);
  assert.ok(joined.status < 300, joined.text);
  return {
    account,
    base,
    url: `${base}/canned-replies`,
    admin,
    supervisor: await loginAs(server, supervisorUser.email),
    agent: await loginAs(server, agentUser.email),
    agentUser,
    other: await loginAs(server, otherUser.email),
    teamId: team.id,
  };
}

describe('canned replies', () => {
  test('scopes: account-wide for everyone, team for its members, personal for the owner only', async () => {
    const s = await setup();
    const shared = await s.admin.post(s.url, {
      shortcut: 'hello',
      body: 'Hi {{contact.first_name}}!',
      scope: 'account',
    });
    assert.equal(shared.status, 201, shared.text);
    assert.deepEqual(
      [
        reply(shared.body).scope,
        reply(shared.body).teamId,
        reply(shared.body).ownerId,
        reply(shared.body).canManage,
      ],
      ['account', null, null, true],
    );
    const billing = await s.supervisor.post(s.url, {
      shortcut: 'refund',
      body: 'Refunds take 5 days.',
      scope: 'team',
      teamId: s.teamId,
    });
    assert.equal(billing.status, 201, billing.text);
    assert.equal(reply(billing.body).teamName, 'Billing');
    // Personal is the default scope, for any agent.
    const mine = await s.agent.post(s.url, { shortcut: 'sig', body: '— Ann' });
    assert.equal(mine.status, 201, mine.text);
    assert.equal(reply(mine.body).scope, 'personal');
    assert.equal(reply(mine.body).ownerId, s.agentUser.userId);
    const theirs = await s.other.post(s.url, { shortcut: 'sig', body: '— Bob' });
    assert.equal(theirs.status, 201, 'another agent may use the same shortcut for their own');

    // The agent in the team: account, team and own.
    const agentList = await s.agent.get(s.url);
    assert.equal(agentList.status, 200);
    assert.deepEqual(shortcuts(agentList.body), ['hello', 'refund', 'sig']);
    assert.deepEqual(
      replies(agentList.body).map((r) => [r.shortcut, r.canManage]),
      [
        ['hello', false],
        ['refund', false],
        ['sig', true],
      ],
    );
    assert.equal(replies(agentList.body).find((r) => r.shortcut === 'sig')?.body, '— Ann');
    // The agent outside the team: account and own.
    assert.deepEqual(
      replies((await s.other.get(s.url)).body).map((r) => [r.shortcut, r.body]),
      [
        ['hello', 'Hi {{contact.first_name}}!'],
        ['sig', '— Bob'],
      ],
    );
    // An admin outside the team sees the team's replies only when managing (teams=all); never personal ones.
    assert.deepEqual(shortcuts((await s.admin.get(s.url)).body), ['hello']);
    assert.deepEqual(shortcuts((await s.admin.get(`${s.url}?teams=all`)).body), ['hello', 'refund']);
    assert.deepEqual(shortcuts((await s.other.get(`${s.url}?teams=all`)).body), ['hello', 'sig']);

    // Another agent's personal reply does not exist for anyone else, admins included.
    const annSig = reply(mine.body).id;
    for (const client of [s.other, s.admin, s.supervisor]) {
      const res = await client.request('PATCH', `${s.url}/${annSig}`, { body: 'stolen' });
      assert.equal(res.status, 404);
      assert.equal(code(res.body), 'canned_reply_not_found');
      assert.equal((await client.request('DELETE', `${s.url}/${annSig}`)).status, 404);
    }
  });

  test('agents manage only their own; admins and supervisors manage shared ones; tokens only read', async () => {
    const s = await setup();
    for (const body of [
      { shortcut: 'x', body: 'y', scope: 'account' },
      { shortcut: 'x', body: 'y', scope: 'team', teamId: s.teamId },
    ]) {
      const res = await s.agent.post(s.url, body);
      assert.equal(res.status, 403, JSON.stringify(body));
      assert.equal(code(res.body), 'forbidden');
    }
    const shared = reply(
      (await s.admin.post(s.url, { shortcut: 'hello', body: 'Hi', scope: 'account' })).body,
    );
    const team = reply(
      (await s.admin.post(s.url, { shortcut: 'refund', body: 'R', scope: 'team', teamId: s.teamId })).body,
    );
    // Visible to the agent, but not theirs to change.
    assert.equal((await s.agent.request('PATCH', `${s.url}/${shared.id}`, { body: 'changed' })).status, 403);
    assert.equal((await s.agent.request('DELETE', `${s.url}/${team.id}`)).status, 403);
    // Nor may an agent move their own reply into a shared scope.
    const own = reply((await s.agent.post(s.url, { shortcut: 'mine', body: 'M' })).body);
    assert.equal((await s.agent.request('PATCH', `${s.url}/${own.id}`, { scope: 'account' })).status, 403);

    const edited = await s.supervisor.request('PATCH', `${s.url}/${team.id}`, {
      body: 'Refunds: 5 days',
      shortcut: 'refunds',
    });
    assert.equal(edited.status, 200, edited.text);
    assert.deepEqual([reply(edited.body).shortcut, reply(edited.body).body], ['refunds', 'Refunds: 5 days']);
    const moved = await s.admin.request('PATCH', `${s.url}/${team.id}`, { scope: 'account' });
    assert.equal(moved.status, 200, moved.text);
    assert.deepEqual([reply(moved.body).scope, reply(moved.body).teamId], ['account', null]);
    assert.equal((await s.supervisor.request('DELETE', `${s.url}/${shared.id}`)).status, 204);
    assert.equal((await s.agent.request('DELETE', `${s.url}/${own.id}`)).status, 204);
    assert.deepEqual(shortcuts((await s.agent.get(s.url)).body), ['refunds']);

    // API tokens read the shared replies and write nothing.
    const token = new HttpClient(server.url);
    token.bearer = await makeToken(server, s.account.accountId, ['conversation_read']);
    const tokenList = await token.get(s.url);
    assert.equal(tokenList.status, 200, tokenList.text);
    assert.deepEqual(
      replies(tokenList.body).map((r) => [r.shortcut, r.canManage]),
      [['refunds', false]],
    );
    const tokenWrite = await token.post(s.url, { shortcut: 'api', body: 'x', scope: 'account' });
    assert.equal(tokenWrite.status, 403);
    assert.equal(code(tokenWrite.body), 'insufficient_scope');
    const noScope = new HttpClient(server.url);
    noScope.bearer = await makeToken(server, s.account.accountId, ['contact_read']);
    assert.equal((await noScope.get(s.url)).status, 403);
  });

  test('shortcuts are unique per scope in any case', async () => {
    const s = await setup();
    assert.equal((await s.admin.post(s.url, { shortcut: 'Hello', body: 'a', scope: 'account' })).status, 201);
    const clash = await s.supervisor.post(s.url, { shortcut: 'hello', body: 'b', scope: 'account' });
    assert.equal(clash.status, 409);
    assert.equal(code(clash.body), 'canned_reply_exists');
    // Other scopes may reuse it: a team, and each agent's own.
    assert.equal(
      (await s.admin.post(s.url, { shortcut: 'HELLO', body: 'c', scope: 'team', teamId: s.teamId })).status,
      201,
    );
    assert.equal(
      (await s.admin.post(s.url, { shortcut: 'hello', body: 'd', scope: 'team', teamId: s.teamId })).status,
      409,
    );
    const personal = await s.agent.post(s.url, { shortcut: 'hello', body: 'e' });
    assert.equal(personal.status, 201);
    assert.equal((await s.agent.post(s.url, { shortcut: 'HeLLo', body: 'f' })).status, 409);
    // Renaming into a taken shortcut is refused too; renaming to itself in another case is not.
    const other = reply((await s.agent.post(s.url, { shortcut: 'bye', body: 'g' })).body);
    const rename = await s.agent.request('PATCH', `${s.url}/${other.id}`, { shortcut: 'hello' });
    assert.equal(rename.status, 409);
    assert.equal(code(rename.body), 'canned_reply_exists');
    assert.equal((await s.agent.request('PATCH', `${s.url}/${other.id}`, { shortcut: 'BYE' })).status, 200);
    // Two creations racing for one shortcut: one wins, the other gets the same 409.
    const race = await Promise.all([
      s.admin.post(s.url, { shortcut: 'race', body: '1', scope: 'account' }),
      s.supervisor.post(s.url, { shortcut: 'RACE', body: '2', scope: 'account' }),
    ]);
    assert.deepEqual(race.map((r) => r.status).sort(), [201, 409]);
    assert.equal(code(race.find((r) => r.status === 409)?.body ?? {}), 'canned_reply_exists');
  });

  test('search matches shortcut and text, best shortcut matches first', async () => {
    const s = await setup();
    for (const [shortcut, body] of [
      ['ship', 'Your order has shipped.'],
      ['shipping-times', 'Delivery takes 3 days.'],
      ['returns', 'You can ship it back within 30 days.'],
      ['hello', 'Hi there!'],
      ['percent', '100% satisfaction, 50_50 split'],
    ]) {
      assert.equal((await s.admin.post(s.url, { shortcut, body, scope: 'account' })).status, 201);
    }
    const found = await s.agent.get(`${s.url}?q=ship`);
    assert.equal(found.status, 200);
    assert.deepEqual(shortcuts(found.body), ['ship', 'shipping-times', 'returns']);
    assert.deepEqual(shortcuts((await s.agent.get(`${s.url}?q=%23SHIP`)).body), [
      'ship',
      'shipping-times',
      'returns',
    ]);
    assert.deepEqual(shortcuts((await s.agent.get(`${s.url}?q=DAYS`)).body), ['returns', 'shipping-times']);
    // Pattern characters are taken literally.
    assert.deepEqual(shortcuts((await s.agent.get(`${s.url}?q=%25`)).body), ['percent']);
    assert.deepEqual(shortcuts((await s.agent.get(`${s.url}?q=_5`)).body), ['percent']);
    assert.deepEqual(shortcuts((await s.agent.get(`${s.url}?q=nothing-like-this`)).body), []);
    assert.deepEqual(shortcuts((await s.agent.get(`${s.url}?limit=2`)).body), ['hello', 'percent']);
    // Others' personal replies never match.
    await s.other.post(s.url, { shortcut: 'shipnote', body: 'private' });
    assert.deepEqual(shortcuts((await s.agent.get(`${s.url}?q=ship`)).body), [
      'ship',
      'shipping-times',
      'returns',
    ]);
    assert.equal((await s.agent.get(`${s.url}?q=${'x'.repeat(101)}`)).status, 400);
    assert.equal((await s.agent.get(`${s.url}?teams=everyone`)).status, 400);
  });

  test('other accounts and bad input answer 404 and 400, never 500', async () => {
    const s = await setup();
    const other = await makeAccount(server);
    const outsider = await loginAs(server, other.admin.email);
    const shared = reply(
      (await s.admin.post(s.url, { shortcut: 'hello', body: 'Hi', scope: 'account' })).body,
    );
    // Not a member: the account does not exist for them.
    assert.equal((await outsider.get(s.url)).status, 404);
    // Through their own account the reply does not exist either.
    const foreign = `/api/accounts/${other.accountId}/canned-replies/${shared.id}`;
    const res = await outsider.request('PATCH', foreign, { body: 'stolen' });
    assert.equal(res.status, 404);
    assert.equal(code(res.body), 'canned_reply_not_found');
    assert.equal((await outsider.request('DELETE', foreign)).status, 404);
    assert.deepEqual(
      shortcuts((await outsider.get(`/api/accounts/${other.accountId}/canned-replies`)).body),
      [],
    );
    // A team of another account cannot hold this account's reply.
    const otherTeam = (await outsider.post(`/api/accounts/${other.accountId}/teams`, { name: 'T' })).body
      .team as {
      id: string;
    };
    const wrongTeam = await s.admin.post(s.url, {
      shortcut: 't',
      body: 'x',
      scope: 'team',
      teamId: otherTeam.id,
    });
    assert.equal(wrongTeam.status, 404);
    assert.equal(code(wrongTeam.body), 'team_not_found');

    for (const body of [
      { shortcut: '', body: 'x' },
      { shortcut: 'has space', body: 'x' },
      { shortcut: '#hash', body: 'x' },
      { shortcut: 'x'.repeat(33), body: 'x' },
      { shortcut: 'ok', body: '' },
      { shortcut: 'ok', body: '   ' },
      { shortcut: 'ok', body: 'x'.repeat(5001) },
      { shortcut: 'ok', body: 'x', scope: 'galaxy' },
      { shortcut: 'ok', body: 'x', scope: 'team' },
      { shortcut: 'ok', body: 'x', scope: 'account', teamId: s.teamId },
      { shortcut: 'ok', body: 'x', teamId: 'not-a-uuid', scope: 'team' },
      { shortcut: 'ok', body: 'x', extra: true },
      { shortcut: 42, body: 'x' },
    ]) {
      const bad = await s.admin.post(s.url, body);
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.equal(code(bad.body), 'validation_failed');
    }
    assert.equal((await s.admin.post(s.url, { shortcut: 'über_ok-1', body: 'x' })).status, 201);
    assert.equal((await s.admin.request('PATCH', `${s.url}/not-a-uuid`, { body: 'x' })).status, 400);
    assert.equal((await s.admin.request('PATCH', `${s.url}/${shared.id}`, { teamId: s.teamId })).status, 400);
    assert.equal((await s.admin.request('PATCH', `${s.url}/${shared.id}`, { scope: 'team' })).status, 400);
    const hostile = '<script>alert(1)</script> [x](javascript:alert(1))';
    const stored = await s.admin.post(s.url, { shortcut: 'xss', body: hostile, scope: 'account' });
    assert.equal(stored.status, 201);
    assert.equal(reply(stored.body).body, hostile, 'stored as written; clients render it as text');
  });
});
