import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { loginAs, makeAccount, makeToken, visitorWithConversation } from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import type { HttpClient } from '../../../test/http-client.ts';
import { type ReceivedHook, signedWith, startWebhookReceiver } from '../../../test/webhook-receiver.ts';
import { WebhookDeliverer } from './deliverer.ts';
import { DISABLE_AFTER_MS } from './schedule.ts';

// Real time plus whatever the test skipped ahead: deliveries are created at the database's time.
let offset = 0;
const now = () => new Date(Date.now() + offset);
const advance = (ms: number) => {
  offset += ms;
};

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
before(async () => {
  receiver = await startWebhookReceiver();
  server = await startTestServer({
    now,
    jobPollMs: 0,
    env: { RATE_LIMITS: 'off', WEBHOOK_ALLOWLIST: '127.0.0.1' },
  });
});
after(async () => {
  await server.close();
  await receiver.close();
});

async function eventually<T>(fn: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 8_000;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let path = 0;
/** An account with an endpoint on its own receiver path, so tests do not see each other's hooks. */
async function subscribed(eventTypes: string[], extra: Record<string, unknown> = {}) {
  const account = await makeAccount(server);
  const admin = await loginAs(server, account.admin.email);
  const url = `${receiver.url}/hooks/${++path}`;
  const res = await admin.post(`/api/accounts/${account.accountId}/webhooks`, { url, eventTypes, ...extra });
  assert.equal(res.status, 201, res.text);
  const hooks = () => receiver.received.filter((h) => `${receiver.url}${h.path}` === url);
  return {
    account,
    admin,
    webhookId: (res.body.webhook as { id: string }).id,
    secret: res.body.secret as string,
    url,
    hooks,
  };
}

/** Drains the outbox marks (which create deliveries) and sends what is due. */
async function deliver(): Promise<void> {
  await server.ctx.outbox.flushMarks();
  await server.ctx.webhooks.runDue();
}

async function deliveriesOf(admin: HttpClient, accountId: string, webhookId: string) {
  const res = await admin.get(`/api/accounts/${accountId}/webhooks/${webhookId}/deliveries`);
  assert.equal(res.status, 200, res.text);
  return res.body.deliveries as Array<{ id: string; eventType: string; status: string; attempts: number }>;
}

describe('webhook deliveries', () => {
  test('events are delivered signed, once, with the presented objects', async () => {
    const s = await subscribed(['conversation.created', 'message.created']);
    receiver.answerWith(() => ({ status: 200, body: 'thanks' }));
    const { conversationId } = await visitorWithConversation(
      server,
      s.account.inboxId,
      'Hello from the site',
    );
    const hooks = await eventually(async () => {
      await deliver();
      const got = s.hooks();
      return got.length >= 2 ? got : undefined;
    }, 'two deliveries');
    const types = hooks.map((h) => (JSON.parse(h.body) as { type: string }).type).sort();
    assert.deepEqual(types, ['conversation.created', 'message.created']);
    for (const hook of hooks) {
      assert.match(hook.id, /^msg_[a-f0-9]{32}$/);
      assert.ok(signedWith(s.secret, hook), 'signature verifies with the secret');
      assert.ok(Math.abs(Number(hook.timestamp) - now().getTime() / 1000) < 5);
      assert.equal(hook.headers['content-type'], 'application/json');
    }
    const message = hooks.find((h) => h.body.includes('"message.created"')) as ReceivedHook;
    const body = JSON.parse(message.body) as {
      data: { message: { body: string; seq: number }; conversation: { id: string } };
    };
    assert.equal(body.data.message.body, 'Hello from the site');
    assert.equal(body.data.conversation.id, conversationId);
    await deliver();
    assert.equal(s.hooks().length, 2, 'nothing is delivered twice');
    const log = await deliveriesOf(s.admin, s.account.accountId, s.webhookId);
    assert.equal(log.length, 2);
    assert.ok(log.every((d) => d.status === 'succeeded' && d.attempts === 1));
  });

  test('a failing endpoint is retried on the schedule with the same webhook-id, and the log shows it', async () => {
    const s = await subscribed(['message.created']);
    let calls = 0;
    receiver.answerWith(() => {
      calls += 1;
      return calls <= 2 ? { status: 500, body: 'database is down' } : { status: 204 };
    });
    await visitorWithConversation(server, s.account.inboxId, 'retry me');
    await eventually(async () => {
      await deliver();
      return s.hooks().length > 0 ? true : undefined;
    }, 'the first attempt');
    await deliver();
    assert.equal(s.hooks().length, 1, 'no retry before its time');
    advance(5_000);
    await deliver();
    assert.equal(s.hooks().length, 2, 'retried after 5 seconds');
    advance(4 * 60_000);
    await deliver();
    assert.equal(s.hooks().length, 2, 'the second retry waits 5 minutes');
    advance(60_000 + 1_000);
    await deliver();
    const attempts = s.hooks();
    assert.equal(attempts.length, 3);
    assert.equal(new Set(attempts.map((a) => a.id)).size, 1, 'the same webhook-id on every attempt');
    assert.equal(new Set(attempts.map((a) => a.body)).size, 1, 'the same body on every attempt');
    const [delivery] = await deliveriesOf(s.admin, s.account.accountId, s.webhookId);
    assert.equal(delivery?.status, 'succeeded');
    const detail = await s.admin.get(
      `/api/accounts/${s.account.accountId}/webhooks/${s.webhookId}/deliveries/${delivery?.id}`,
    );
    const log = detail.body.attempts as Array<{
      statusCode: number;
      responseExcerpt: string;
      latencyMs: number;
    }>;
    assert.deepEqual(
      log.map((a) => a.statusCode),
      [204, 500, 500],
    );
    assert.equal(log[1]?.responseExcerpt, 'database is down');
    assert.ok(log.every((a) => a.latencyMs >= 0));
    receiver.answerWith(() => ({ status: 200 }));
  });

  test('a slow endpoint does not hold back another endpoint', async () => {
    const slow = await subscribed(['message.created']);
    const fast = await subscribed(['message.created']);
    let release: () => void = () => {};
    const released = new Promise<void>((r) => {
      release = r;
    });
    receiver.answerWith((hook) =>
      hook.body.includes('slow one') ? { status: 200, delayMs: 1_500 } : { status: 200 },
    );
    await visitorWithConversation(server, slow.account.inboxId, 'slow one');
    await server.ctx.outbox.flushMarks();
    await eventually(async () => {
      await server.ctx.outbox.flushMarks();
      const [row] = await server.ctx.database.rows<{ n: number }>(
        sql`select count(*)::int as n from webhook_deliveries where endpoint_id = ${slow.webhookId}`,
      );
      return row && row.n > 0 ? true : undefined;
    }, 'the slow delivery');
    const slowRun = server.ctx.webhooks.runDue();
    await visitorWithConversation(server, fast.account.inboxId, 'fast one');
    const fastSeen = await eventually(async () => {
      await server.ctx.outbox.flushMarks();
      await server.ctx.webhooks.runDue().catch(() => 0);
      return fast.hooks().find((h) => h.body.includes('fast one'));
    }, 'the fast delivery');
    assert.ok(fastSeen);
    release();
    await released;
    await slowRun;
    receiver.answerWith(() => ({ status: 200 }));
  });

  test('rotating the secret signs with both secrets during the overlap, then only the new one', async () => {
    const s = await subscribed(['message.created']);
    const rotated = await s.admin.post(
      `/api/accounts/${s.account.accountId}/webhooks/${s.webhookId}/rotate-secret`,
      { overlapMinutes: 60 },
    );
    assert.equal(rotated.status, 200, rotated.text);
    const fresh = rotated.body.secret as string;
    assert.notEqual(fresh, s.secret);
    await visitorWithConversation(server, s.account.inboxId, 'during the overlap');
    const [hook] = await eventually(async () => {
      await deliver();
      const got = s.hooks();
      return got.length > 0 ? got : undefined;
    }, 'a delivery');
    assert.equal(hook?.signatures.length, 2);
    assert.ok(hook && signedWith(fresh, hook) && signedWith(s.secret, hook));
    advance(61 * 60_000);
    const mid = s.hooks().length;
    await visitorWithConversation(server, s.account.inboxId, 'after the overlap');
    const [later] = await eventually(async () => {
      await deliver();
      const got = s.hooks().slice(mid);
      return got.length > 0 ? got : undefined;
    }, 'a later delivery');
    assert.equal(later?.signatures.length, 1);
    assert.ok(later && signedWith(fresh, later) && !signedWith(s.secret, later));
  });

  test('an endpoint scoped to an inbox hears only that inbox', async () => {
    const s = await subscribed(['conversation.created'], {});
    const other = await server.ctx.database.rows<{ id: string }>(
      sql`insert into inboxes (id, account_id, name, channel_type, settings, identity_secret)
          values (gen_random_uuid(), ${s.account.accountId}, 'Other', 'web', '{}'::jsonb, 'x') returning id`,
    );
    const patched = await s.admin.request(
      'PATCH',
      `/api/accounts/${s.account.accountId}/webhooks/${s.webhookId}`,
      {
        inboxId: other[0]?.id,
      },
    );
    assert.equal(patched.status, 200, patched.text);
    await visitorWithConversation(server, s.account.inboxId, 'not for the other inbox');
    await deliver();
    await new Promise((r) => setTimeout(r, 300));
    await deliver();
    assert.equal(s.hooks().length, 0, 'nothing from another inbox');
    const log = await deliveriesOf(s.admin, s.account.accountId, s.webhookId);
    assert.equal(log.length, 0);
  });

  test('redeliver sends the same webhook-id again', async () => {
    const s = await subscribed(['message.created']);
    await visitorWithConversation(server, s.account.inboxId, 'send me twice');
    await eventually(async () => {
      await deliver();
      return s.hooks().length > 0 ? true : undefined;
    }, 'the delivery');
    const [delivery] = await deliveriesOf(s.admin, s.account.accountId, s.webhookId);
    const again = await s.admin.post(
      `/api/accounts/${s.account.accountId}/webhooks/${s.webhookId}/deliveries/${delivery?.id}/redeliver`,
    );
    assert.equal(again.status, 200, again.text);
    await deliver();
    const sent = s.hooks();
    assert.equal(sent.length, 2);
    assert.equal(sent[0]?.id, sent[1]?.id);
  });

  test('an endpoint failing for days is disabled, its admins are told, and enabling clears it', async () => {
    const s = await subscribed(['message.created']);
    receiver.answerWith(() => ({ status: 503 }));
    const { visitor, conversationId } = await visitorWithConversation(
      server,
      s.account.inboxId,
      'first failure',
    );
    await eventually(async () => {
      await deliver();
      const [row] = await server.ctx.database.rows<{ failing_since: string | null }>(
        sql`select failing_since from webhook_endpoints where id = ${s.webhookId}`,
      );
      return row?.failing_since ? true : undefined;
    }, 'the endpoint failing');
    advance(DISABLE_AFTER_MS + 60_000);
    const sent = await visitor.post(`/api/client/conversations/${conversationId}/messages`, {
      clientMsgId: 'later',
      body: 'still failing',
    });
    assert.equal(sent.status, 201, sent.text);
    await eventually(async () => {
      await deliver();
      const [row] = await server.ctx.database.rows<{ enabled: boolean }>(
        sql`select enabled from webhook_endpoints where id = ${s.webhookId}`,
      );
      return row?.enabled === false ? true : undefined;
    }, 'the endpoint disabled');
    const got = await s.admin.get(`/api/accounts/${s.account.accountId}/webhooks/${s.webhookId}`);
    const webhook = got.body.webhook as { enabled: boolean; disabledReason: string };
    assert.equal(webhook.enabled, false);
    assert.match(webhook.disabledReason, /5 days/);
    const notice = await server.ctx.database.rows(
      sql`select 1 from events where account_id = ${s.account.accountId} and type = 'webhook.disabled'`,
    );
    assert.equal(notice.length, 1);
    const enabled = await s.admin.request(
      'PATCH',
      `/api/accounts/${s.account.accountId}/webhooks/${s.webhookId}`,
      {
        enabled: true,
      },
    );
    assert.equal((enabled.body.webhook as { failingSince: string | null }).failingSince, null);
    receiver.answerWith(() => ({ status: 200 }));
  });
});

describe('outbound safety (SSRF)', () => {
  const forbidden = [
    ['loopback', 'http://127.0.0.1:9/'],
    ['loopback v6', 'http://[::1]:9/'],
    ['private 10/8', 'http://10.0.0.1/'],
    ['private 172.16/12', 'http://172.16.5.4/'],
    ['private 192.168/16', 'http://192.168.1.1/'],
    ['carrier-grade NAT', 'http://100.64.0.1/'],
    ['link-local', 'http://169.254.10.10/'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['unique local v6', 'http://[fc00::1]/'],
    ['link-local v6', 'http://[fe80::1]/'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/'],
    ['a name resolving to loopback', 'http://localhost:9/'],
  ] as const;

  test('every private, loopback, link-local and metadata range is refused without the allowlist', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const strict = new WebhookDeliverer({ ...server.ctx, env: { ...server.ctx.env, WEBHOOK_ALLOWLIST: '' } });
    const ids: Array<[string, string]> = [];
    for (const [name, url] of forbidden) {
      const res = await admin.post(`/api/accounts/${account.accountId}/webhooks`, {
        url,
        eventTypes: ['conversation.created'],
      });
      assert.equal(res.status, 201, `${name}: ${res.text}`);
      ids.push([name, (res.body.webhook as { id: string }).id]);
    }
    await visitorWithConversation(server, account.inboxId);
    await eventually(async () => {
      await server.ctx.outbox.flushMarks();
      const [row] = await server.ctx.database.rows<{ n: number }>(
        sql`select count(*)::int as n from webhook_deliveries where account_id = ${account.accountId}`,
      );
      return row?.n === forbidden.length ? true : undefined;
    }, 'a delivery per endpoint');
    await strict.runDue();
    for (const [name, id] of ids) {
      const [attempt] = await server.ctx.database.rows<{ error: string | null; status_code: number | null }>(
        sql`select a.error, a.status_code from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id
            where d.endpoint_id = ${id}`,
      );
      assert.equal(attempt?.status_code, null, name);
      assert.match(attempt?.error ?? '', /forbidden/, `${name}: ${attempt?.error}`);
    }
  });

  test('a redirect into the private network is refused even from an allowed endpoint', async () => {
    const s = await subscribed(['conversation.created']);
    receiver.answerWith(() => ({ status: 307, headers: { location: 'http://10.1.2.3/steal' } }));
    await visitorWithConversation(server, s.account.inboxId);
    const attempt = await eventually(async () => {
      await deliver();
      const [row] = await server.ctx.database.rows<{ error: string | null }>(
        sql`select a.error from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id
            where d.endpoint_id = ${s.webhookId}`,
      );
      return row;
    }, 'the attempt');
    assert.match(attempt.error ?? '', /forbidden/);
    receiver.answerWith(() => ({ status: 200 }));
  });
});

describe('managing webhooks', () => {
  test('through the public API with the webhook_manage scope; other scopes and accounts are refused', async () => {
    const account = await makeAccount(server);
    const other = await makeAccount(server);
    const token = await makeToken(server, account.accountId, ['webhook_manage']);
    const weak = await makeToken(server, account.accountId, ['conversation_read']);
    const api = async (bearer: string, method: string, url: string, body?: unknown) => {
      const res = await fetch(`${server.url}${url}`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
    };
    const created = await api(token, 'POST', '/api/v1/webhooks', {
      url: 'https://hooks.example.com/parley',
      eventTypes: ['message.created'],
    });
    assert.equal(created.status, 201);
    assert.match(created.body.secret as string, /^whsec_/);
    const id = (created.body.webhook as { id: string }).id;
    const listed = await api(token, 'GET', '/api/v1/webhooks');
    assert.equal((listed.body.webhooks as unknown[]).length, 1);
    assert.equal(JSON.stringify(listed.body).includes('whsec_'), false, 'the secret is never listed');
    const refused = await api(weak, 'GET', '/api/v1/webhooks');
    assert.equal(refused.status, 403);
    assert.equal((refused.body.error as { code: string }).code, 'insufficient_scope');
    const otherAdmin = await loginAs(server, other.admin.email);
    const foreign = await otherAdmin.get(`/api/accounts/${other.accountId}/webhooks/${id}`);
    assert.equal(foreign.status, 404);
    const bad = await api(token, 'POST', '/api/v1/webhooks', { url: 'ftp://x', eventTypes: ['nope'] });
    assert.equal(bad.status, 400);
    const removed = await api(token, 'DELETE', `/api/v1/webhooks/${id}`);
    assert.equal(removed.status, 204);
  });
});
