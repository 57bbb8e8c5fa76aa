import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Attachment, AttachmentUrl } from '@parley/shared';
import { loginAs, makeAccount, visitorWithConversation } from '../../../test/factories.ts';
import { type FakeS3, startFakeS3 } from '../../../test/fake-s3.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { tinyPng } from './test-files.ts';

/**
 * The same uploads and downloads with files in an S3-compatible bucket: a fake S3 started here that
 * checks every request's SigV4 signature and payload hash (test/fake-s3.ts).
 */
let s3: FakeS3;
let server: TestServer;
before(async () => {
  s3 = await startFakeS3();
  server = await startTestServer({
    env: {
      RATE_LIMITS: 'off',
      ATTACHMENT_MAX_BYTES: '32768',
      S3_BUCKET: s3.bucket,
      S3_ENDPOINT: s3.url,
      S3_REGION: s3.region,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    },
    jobPollMs: 0,
  });
});
after(async () => {
  await server?.close();
  await s3?.close();
});

async function post(url: string, headers: Record<string, string>, body: Buffer) {
  const response = await fetch(`${server.url}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', ...headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('attachments in S3', () => {
  test('uploads go to the bucket, signed; downloads come from it; refused uploads never reach it', async () => {
    const account = await makeAccount(server);
    const admin = await loginAs(server, account.admin.email);
    const { visitor, conversationId } = await visitorWithConversation(server, account.inboxId);
    const png = tinyPng(4);

    const uploaded = await post(
      `/api/client/conversations/${conversationId}/attachments?name=pic.png`,
      { authorization: `Bearer ${visitor.bearer}` },
      png,
    );
    assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
    const attachment = uploaded.body.attachment as Attachment;
    const keys = [...s3.objects.keys()];
    assert.equal(keys.length, 1);
    assert.match(keys[0] ?? '', new RegExp(`^${account.accountId}/\\d{4}/\\d{2}/${attachment.id}$`));
    assert.deepEqual(s3.objects.get(keys[0] ?? '')?.body, png);
    assert.equal(s3.objects.get(keys[0] ?? '')?.contentType, 'image/png');

    const { url } = (await visitor.get(`/api/client/attachments/${attachment.id}/url`))
      .body as unknown as AttachmentUrl;
    const viaLink = await fetch(`${server.url}${url}`);
    assert.equal(viaLink.status, 200);
    assert.deepEqual(Buffer.from(await viaLink.arrayBuffer()), png);
    const agentRange = await fetch(
      `${server.url}/api/accounts/${account.accountId}/attachments/${attachment.id}`,
      {
        headers: { cookie: admin.cookie ?? '', range: 'bytes=0-7' },
      },
    );
    assert.equal(agentRange.status, 206);
    assert.deepEqual(Buffer.from(await agentRange.arrayBuffer()), png.subarray(0, 8));

    const refused = await post(
      `/api/client/conversations/${conversationId}/attachments?name=big.bin`,
      { authorization: `Bearer ${visitor.bearer}` },
      Buffer.alloc(40_000, 1),
    );
    assert.equal(refused.status, 413);
    assert.equal(s3.objects.size, 1, 'nothing reached the bucket');
    assert.deepEqual(
      s3.log.filter((entry) => entry.status >= 400),
      [],
      'every request to the bucket was correctly signed',
    );
    assert.deepEqual(
      s3.log.map((entry) => entry.method),
      ['PUT', 'GET', 'GET'],
    );
  });
});
