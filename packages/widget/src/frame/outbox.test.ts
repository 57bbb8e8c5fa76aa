import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Outbox, type OutgoingMessage, type SendResult } from './outbox.ts';
import { memoryStorage } from './storage.ts';

const noLock = <T>(_name: string, fn: () => Promise<T>) => fn();

function item(n: number, overrides: Partial<OutgoingMessage> = {}) {
  return {
    clientMsgId: `m-${n}`,
    contactId: 'contact-1',
    conversationId: 'c1',
    draftId: null,
    body: `message ${n}`,
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

test('items are kept in storage, in the order they were written, once per clientMsgId', () => {
  const kv = memoryStorage();
  const outbox = new Outbox(kv, 'p:outbox:', noLock);
  outbox.add(item(1));
  outbox.add(item(2));
  outbox.add(item(1));
  outbox.add(item(3));
  // Another Outbox on the same storage (a reload, or another tab) sees the same queue.
  const reloaded = new Outbox(kv, 'p:outbox:', noLock);
  assert.deepEqual(
    reloaded.list().map((i) => i.body),
    ['message 1', 'message 2', 'message 3'],
  );
});

test('flush sends in order, one at a time, and stops (keeping the rest) when offline', async () => {
  const outbox = new Outbox(memoryStorage(), 'p:outbox:', noLock);
  for (const n of [1, 2, 3]) outbox.add(item(n));
  const sent: string[] = [];
  let online = false;
  let inFlight = 0;
  const send = async (i: OutgoingMessage): Promise<SendResult> => {
    inFlight += 1;
    assert.equal(inFlight, 1, 'never two sends at once');
    await new Promise((resolve) => setTimeout(resolve, 1));
    inFlight -= 1;
    if (!online) throw new Error('offline');
    sent.push(i.body);
    return 'sent';
  };
  assert.equal(await outbox.flush(send), 'stopped');
  assert.equal(outbox.list().length, 3);
  online = true;
  assert.equal(await outbox.flush(send), 'done');
  assert.deepEqual(sent, ['message 1', 'message 2', 'message 3']);
  assert.equal(outbox.list().length, 0);
});

test('an item added while a flush runs is sent by that flush', async () => {
  const outbox = new Outbox(memoryStorage(), 'p:outbox:', noLock);
  outbox.add(item(1));
  const sent: string[] = [];
  const flushing = outbox.flush(async (i) => {
    if (i.clientMsgId === 'm-1') {
      outbox.add(item(2));
      void outbox.flush(async () => 'sent');
    }
    sent.push(i.body);
    return 'sent';
  });
  assert.equal(await flushing, 'done');
  assert.deepEqual(sent, ['message 1', 'message 2']);
});

test('a draft’s items move to the conversation its first item started; a closed one goes back to a draft', () => {
  const outbox = new Outbox(memoryStorage(), 'p:outbox:', noLock);
  outbox.add(item(1, { conversationId: null, draftId: 'd1' }));
  outbox.add(item(2, { conversationId: null, draftId: 'd1' }));
  outbox.add(item(3, { conversationId: null, draftId: 'd2' }));
  outbox.assignConversation('d1', 'c9');
  assert.deepEqual(
    outbox.list().map((i) => i.conversationId),
    ['c9', 'c9', null],
  );
  outbox.moveToDraft('c9', 'd3');
  assert.deepEqual(
    outbox.list().map((i) => [i.conversationId, i.draftId]),
    [
      [null, 'd3'],
      [null, 'd3'],
      [null, 'd2'],
    ],
  );
  assert.deepEqual(
    outbox.list().map((i) => i.body),
    ['message 1', 'message 2', 'message 3'],
    'rewriting keeps the order',
  );
});

test('garbage in storage is ignored and cleaned', () => {
  const kv = memoryStorage();
  kv.set('p:outbox:zzz', '{not json');
  kv.set('p:outbox:yyy', JSON.stringify({ clientMsgId: 1 }));
  kv.set('other', 'kept');
  const outbox = new Outbox(kv, 'p:outbox:', noLock);
  assert.deepEqual(outbox.list(), []);
  assert.deepEqual(kv.keys(), ['other']);
});

test('the storage lease lets one tab send at a time, and the other takes over after', async () => {
  const kv = memoryStorage();
  const { leaseLock } = await import('./outbox.ts');
  const tabA = new Outbox(kv, 'p:outbox:', leaseLock(kv, 'a', 5));
  const tabB = new Outbox(kv, 'p:outbox:', leaseLock(kv, 'b', 5));
  for (const n of [1, 2, 3, 4]) tabA.add(item(n));
  let inFlight = 0;
  const sent: string[] = [];
  const sender =
    (tab: string) =>
    async (i: OutgoingMessage): Promise<SendResult> => {
      inFlight += 1;
      assert.equal(inFlight, 1, 'only one tab sends at a time');
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      sent.push(`${tab}:${i.body}`);
      return 'sent';
    };
  const [a, b] = await Promise.all([tabA.flush(sender('a')), tabB.flush(sender('b'))]);
  assert.equal(a, 'done');
  assert.equal(b, 'done');
  assert.deepEqual(
    sent.map((s) => s.slice(2)),
    ['message 1', 'message 2', 'message 3', 'message 4'],
    'each item once, in order',
  );
  assert.deepEqual(
    kv.keys().filter((k) => k.includes('lease')),
    [],
    'the lease is given back',
  );
});
