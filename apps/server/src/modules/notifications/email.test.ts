import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Message } from '@parley/shared';
import { loginAs, makeAccount, makeMember, visitorWithConversation } from '../../../test/factories.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { startSmtpSink, textOf } from '../../../test/smtp-sink.ts';

let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let server: TestServer;
before(async () => {
  smtp = await startSmtpSink();
  server = await startTestServer({ jobPollMs: 0, env: { RATE_LIMITS: 'off', SMTP_URL: smtp.url } });
});
after(async () => {
  await server.close();
  await smtp.close();
});

test('the e-mail channel mails a notification once it committed, only to those who want it', async () => {
  const account = await makeAccount(server);
  const a = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
  const b = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
  const c = await makeMember(server, account.accountId, 'agent', [account.inboxId]);
  const [httpA, httpB] = [await loginAs(server, a.email), await loginAs(server, b.email)];
  const on = await httpB.request('PATCH', '/api/me/notification-preferences', { mention: { email: true } });
  assert.equal(on.status, 200, on.text);
  const { conversationId } = await visitorWithConversation(server, account.inboxId);
  const res = await httpA.post(`/api/accounts/${account.accountId}/conversations/${conversationId}/notes`, {
    clientMsgId: 'mail-1',
    body: `@${b.name} @${c.name} <b>refund</b> please`,
    mentions: [b.userId, c.userId],
  });
  assert.equal(res.status, 201, res.text);
  const note = res.body.message as Message;
  await server.ctx.jobs.runDue();
  assert.deepEqual(
    smtp.received.map((m) => m.to),
    [[b.email]],
  );
  const text = textOf(smtp.received[0] as (typeof smtp.received)[number]);
  assert.match(text, new RegExp(`Subject: ${a.name} mentioned you in conversation #\\d+`));
  assert.ok(text.includes(`/inbox/all/${conversationId}?seq=${note.seq}`));
  // The HTML part escapes what agents wrote.
  assert.ok(text.includes('&lt;b&gt;refund&lt;/b&gt;'));
  await server.ctx.jobs.runDue();
  assert.equal(smtp.received.length, 1);
});
