import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loginAs, makeAccount, makeMember } from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
});
after(async () => {
  await server?.close();
});

const code = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;

describe('teams', () => {
  test('admins create, rename, fill and delete teams; every member can read them', async () => {
    const account = await makeAccount(server);
    const agent = await makeMember(server, account.accountId, 'agent');
    const admin = await loginAs(server, account.admin.email);
    const base = `/api/accounts/${account.accountId}/teams`;

    const created = await admin.post(base, { name: '  Billing  ' });
    assert.equal(created.status, 201);
    const team = created.body.team as { id: string; name: string; memberIds: string[] };
    assert.equal(team.name, 'Billing');
    assert.deepEqual(team.memberIds, []);

    const renamed = await admin.request('PATCH', `${base}/${team.id}`, { name: 'Billing & refunds' });
    assert.equal((renamed.body.team as { name: string }).name, 'Billing & refunds');

    const added = await admin.request('PUT', `${base}/${team.id}/members/${agent.userId}`);
    assert.equal(added.status, 200);
    assert.deepEqual((added.body.team as { memberIds: string[] }).memberIds, [agent.userId]);
    const again = await admin.request('PUT', `${base}/${team.id}/members/${agent.userId}`);
    assert.deepEqual((again.body.team as { memberIds: string[] }).memberIds, [agent.userId]);

    const asAgent = await loginAs(server, agent.email);
    const listed = await asAgent.get(base);
    assert.equal(listed.status, 200);
    assert.deepEqual(
      (listed.body.teams as Array<{ name: string; memberIds: string[] }>).map((t) => [t.name, t.memberIds]),
      [['Billing & refunds', [agent.userId]]],
    );

    const removed = await admin.request('DELETE', `${base}/${team.id}/members/${agent.userId}`);
    assert.deepEqual((removed.body.team as { memberIds: string[] }).memberIds, []);
    assert.equal((await admin.request('DELETE', `${base}/${team.id}`)).status, 204);
    assert.equal((await admin.request('DELETE', `${base}/${team.id}`)).status, 404);
    assert.deepEqual((await admin.get(base)).body.teams, []);
  });

  test('agents cannot manage teams', async () => {
    const account = await makeAccount(server);
    const agent = await makeMember(server, account.accountId, 'agent');
    const admin = await loginAs(server, account.admin.email);
    const asAgent = await loginAs(server, agent.email);
    const base = `/api/accounts/${account.accountId}/teams`;
    const team = (await admin.post(base, { name: 'Sales' })).body.team as { id: string };
    assert.equal((await asAgent.post(base, { name: 'Mine' })).status, 403);
    assert.equal((await asAgent.request('PATCH', `${base}/${team.id}`, { name: 'x' })).status, 403);
    assert.equal((await asAgent.request('PUT', `${base}/${team.id}/members/${agent.userId}`)).status, 403);
    assert.equal((await asAgent.request('DELETE', `${base}/${team.id}`)).status, 403);
  });

  test('teams and people of another account are 404', async () => {
    const mine = await makeAccount(server);
    const theirs = await makeAccount(server);
    const admin = await loginAs(server, mine.admin.email);
    const other = await loginAs(server, theirs.admin.email);
    const theirTeam = (await other.post(`/api/accounts/${theirs.accountId}/teams`, { name: 'Theirs' })).body
      .team as { id: string };
    const myTeam = (await admin.post(`/api/accounts/${mine.accountId}/teams`, { name: 'Mine' })).body
      .team as {
      id: string;
    };
    assert.equal((await admin.get(`/api/accounts/${theirs.accountId}/teams`)).status, 404);
    const rename = await admin.request('PATCH', `/api/accounts/${mine.accountId}/teams/${theirTeam.id}`, {
      name: 'Stolen',
    });
    assert.equal(rename.status, 404);
    assert.equal(code(rename.body), 'team_not_found');
    const foreignMember = await admin.request(
      'PUT',
      `/api/accounts/${mine.accountId}/teams/${myTeam.id}/members/${theirs.admin.userId}`,
    );
    assert.equal(foreignMember.status, 404);
    assert.equal(code(foreignMember.body), 'user_not_found');
  });

  test('malformed input is a 400 with a stable code', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const base = `/api/accounts/${account.accountId}/teams`;
    for (const body of [
      {},
      { name: '' },
      { name: '   ' },
      { name: 'x'.repeat(121) },
      { name: 'a', extra: 1 },
    ]) {
      const res = await admin.post(base, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(code(res.body), 'validation_failed');
    }
    assert.equal(code((await admin.request('POST', base, '{"name":')).body), 'invalid_json');
    assert.equal((await admin.request('PATCH', `${base}/nope`, { name: 'x' })).status, 400);
  });
});
