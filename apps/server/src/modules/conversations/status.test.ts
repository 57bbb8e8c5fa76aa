import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conversationStatuses } from '@parley/shared';
import { canTransition, statusAfterCustomerMessage } from './status.ts';

test('closed is final and every other status can reach solved', () => {
  for (const to of conversationStatuses) assert.equal(canTransition('closed', to), false);
  for (const from of conversationStatuses.filter((s) => s !== 'closed' && s !== 'solved')) {
    assert.equal(canTransition(from, 'solved'), true, `${from} → solved`);
  }
  assert.equal(canTransition('solved', 'open'), true);
  assert.equal(canTransition('open', 'new'), false, 'nothing goes back to new');
  assert.equal(canTransition('new', 'closed'), false, 'closing goes through solved');
});

test('a customer reply reopens pending, on-hold and solved conversations', () => {
  assert.equal(statusAfterCustomerMessage('pending'), 'open');
  assert.equal(statusAfterCustomerMessage('on_hold'), 'open');
  assert.equal(statusAfterCustomerMessage('solved'), 'open');
  assert.equal(statusAfterCustomerMessage('new'), 'new');
  assert.equal(statusAfterCustomerMessage('open'), 'open');
});
