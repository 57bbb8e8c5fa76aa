import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message, VisitorConversation } from '@parley/shared';
import { Timeline } from './timeline.ts';

const conversationId = '00000000-0000-4000-8000-000000000001';

function conversation(overrides: Partial<VisitorConversation> = {}): VisitorConversation {
  return {
    id: conversationId,
    status: 'open',
    botPhase: null,
    lastSeq: 0,
    lastReadSeq: 0,
    agentLastReadSeq: 0,
    lastMessagePreview: null,
    lastActivityAt: '2026-01-01T00:00:00.000Z',
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

function message(seq: number, overrides: Partial<Message> = {}): Message {
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    conversationId,
    seq,
    kind: 'text',
    senderKind: 'agent',
    senderId: null,
    senderName: 'Sam',
    body: `message ${seq}`,
    private: false,
    attributes: {},
    clientMsgId: null,
    createdAt: `2026-01-01T00:00:${String(seq).padStart(2, '0')}.000Z`,
    ...overrides,
  };
}

test('stream frames advance the cursor only when prevSeq matches it', () => {
  const t = new Timeline(conversation(), 0);
  assert.equal(t.applyFrame(0, message(1)), 'applied');
  assert.equal(t.applyFrame(1, message(2)), 'applied');
  assert.equal(t.cursor, 2);
  assert.equal(t.applyFrame(1, message(2)), 'duplicate', 'a replay is ignored');
  assert.equal(t.applyFrame(3, message(4)), 'gap', 'seq 3 was missed');
  assert.equal(t.cursor, 2, 'a gap does not move the cursor: resubscribe from 2');
  assert.deepEqual(
    t.messages.map((m) => m.seq),
    [1, 2],
  );
});

test('a private note hidden from visitors shows as prevSeq skipping over it, which is not a gap', () => {
  const t = new Timeline(conversation(), 4);
  // The stream skipped seq 5 (a note): prevSeq is the last delivered seq, 4.
  assert.equal(t.applyFrame(4, message(6)), 'applied');
  assert.equal(t.cursor, 6);
});

test('REST pages merge in any order without duplicates and never bring private messages', () => {
  const t = new Timeline(conversation(), 0);
  t.merge([message(3), message(1)]);
  t.merge([message(2), message(3), message(4, { private: true, kind: 'note' })]);
  assert.deepEqual(
    t.messages.map((m) => m.seq),
    [1, 2, 3],
  );
  assert.equal(t.preview, 'message 3');
  t.advanceTo(3);
  assert.equal(t.cursor, 3);
  t.advanceTo(2);
  assert.equal(t.cursor, 3, 'the cursor never goes back');
});

test('unread counts the team’s messages after the visitor’s read position', () => {
  const t = new Timeline(conversation({ lastReadSeq: 1 }), 0);
  t.merge([
    message(1),
    message(2, { senderKind: 'contact' }),
    message(3),
    message(4, { kind: 'activity', senderKind: 'system' }),
    message(5, { senderKind: 'bot' }),
  ]);
  assert.equal(t.unread(), 2);
  t.lastReadSeq = 5;
  assert.equal(t.unread(), 0);
});

test('"Seen" goes under the newest visitor message an agent has read', () => {
  const t = new Timeline(conversation({ agentLastReadSeq: 3 }), 0);
  t.merge([
    message(1, { senderKind: 'contact' }),
    message(2, { senderKind: 'contact' }),
    message(3),
    message(4, { senderKind: 'contact' }),
  ]);
  assert.equal(t.seenSeq(), 2);
  t.agentLastReadSeq = 4;
  assert.equal(t.seenSeq(), 4);
});

test('reset forgets everything when the server says our cursor is ahead', () => {
  const t = new Timeline(conversation(), 10);
  t.merge([message(10)]);
  t.reset();
  assert.equal(t.cursor, 0);
  assert.equal(t.messages.length, 0);
});

test('the bot phase follows the thread: its activity items, and an agent reply at once', () => {
  const phase = (seq: number, to: string) =>
    message(seq, { kind: 'activity', senderKind: 'system', attributes: { type: 'bot_phase', to } });
  const timeline = new Timeline(conversation({ botPhase: 'bot', lastSeq: 2 }), 2);
  timeline.merge([message(3, { senderKind: 'bot' }), phase(4, 'requested')]);
  assert.equal(timeline.botPhase, 'requested');
  // An agent writing takes over before the activity item arrives.
  timeline.merge([message(5, { senderKind: 'agent' })]);
  assert.equal(timeline.botPhase, 'accepted');
  // An older item arriving late (a history page) changes nothing.
  timeline.merge([phase(1, 'bot')]);
  assert.equal(timeline.botPhase, 'accepted');
  timeline.merge([phase(6, 'accepted'), phase(8, 'bot')]);
  assert.equal(timeline.botPhase, 'bot');
  // A stale REST summary does not move it back; a newer one does.
  timeline.refresh(conversation({ botPhase: 'requested', lastSeq: 7 }));
  assert.equal(timeline.botPhase, 'bot');
  timeline.refresh(conversation({ botPhase: 'requested', lastSeq: 9 }));
  assert.equal(timeline.botPhase, 'requested');
});

test('the queue place follows frames, and leaving the queue to an agent reads as connected', () => {
  const timeline = new Timeline(conversation({ status: 'new' }), 0);
  assert.equal(timeline.queue, null);
  // Not waiting from the start (e.g. assigned at once) is not "connected": nothing was announced.
  timeline.setQueue(null, null);
  assert.equal(timeline.connected, false);
  timeline.setQueue(2, 240);
  assert.deepEqual(timeline.queue, { position: 2, waitSeconds: 240 });
  timeline.setQueue(1, null);
  assert.deepEqual(timeline.queue, { position: 1, waitSeconds: null });
  timeline.setQueue(null, null);
  assert.equal(timeline.queue, null);
  assert.equal(timeline.connected, true);
  timeline.setQueue(1, 30);
  assert.equal(timeline.connected, false);
});
