import {
  agentPostMessageBodySchema,
  assignBodySchema,
  changePriorityBodySchema,
  changeStatusBodySchema,
  conversationListQuerySchema,
  conversationPageSchema,
  conversationSchema,
  idSchema,
  markReadBodySchema,
  messagePageSchema,
  messageSchema,
  messagesQuerySchema,
  snoozeBodySchema,
  transferBodySchema,
} from '@parley/shared';
import { z } from 'zod';
import { assertCan } from '../../auth/policies.ts';
import { defineRoute } from '../../http/route.ts';
import { messageContent } from '../attachments/message-link.ts';
import { changePriority, snoozeConversation } from '../lifecycle/commands.ts';
import { authorOf, postMessage } from '../messages/commands.ts';
import { listMessages } from '../messages/queries.ts';
import { assignConversation, transferConversation, unassignConversation } from '../routing/assignment.ts';
import { changeStatus } from './commands.ts';
import { presentConversation } from './presenter.ts';
import { findConversation, getConversationForAgent, listConversations } from './queries.ts';
import { markRead } from './reads.ts';

const accountParams = z.strictObject({ accountId: idSchema });
const conversationParams = z.strictObject({ accountId: idSchema, id: idSchema });

/** The agent API for conversations; every query is scoped by conversationScope(actor). */
export const conversationRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/conversations',
    auth: 'account',
    policy: 'conversation.read',
    summary: 'List conversations, newest activity first',
    tags: ['Conversations'],
    params: accountParams,
    query: conversationListQuerySchema,
    response: conversationPageSchema,
    handler: async ({ ctx, actor, query }) => listConversations(ctx, actor, query),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/conversations/:id',
    auth: 'account',
    policy: 'conversation.read',
    summary: 'Get one conversation',
    tags: ['Conversations'],
    params: conversationParams,
    response: z.object({ conversation: conversationSchema }),
    handler: async ({ ctx, actor, params }) => ({
      conversation: await getConversationForAgent(ctx, actor, params.id),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/conversations/:id/messages',
    auth: 'account',
    policy: 'conversation.read',
    summary: 'Read messages by seq (afterSeq to catch up, beforeSeq for older pages)',
    tags: ['Conversations'],
    params: conversationParams,
    query: messagesQuerySchema,
    response: messagePageSchema,
    handler: async ({ ctx, actor, params, query }) => {
      const { row } = await findConversation(ctx.database.db, actor, params.id);
      return { messages: await listMessages(ctx.database.db, row.id, query, 'agent'), lastSeq: row.lastSeq };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/conversations/:id/messages',
    auth: 'account',
    policy: 'conversation.reply',
    summary: 'Reply to the customer, or add a private note with private=true (idempotent on clientMsgId)',
    tags: ['Conversations'],
    params: conversationParams,
    body: agentPostMessageBodySchema,
    response: z.object({ message: messageSchema, created: z.boolean() }),
    status: 201,
    handler: async ({ ctx, actor, params, body }) => {
      if (body.private) assertCan(actor, 'conversation.note');
      return postMessage(ctx, {
        actor,
        conversationId: params.id,
        author: authorOf(actor),
        ...messageContent(body),
        private: body.private,
        clientMsgId: body.clientMsgId,
      });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/conversations/:id/status',
    auth: 'account',
    policy: 'conversation.status',
    summary: 'Change the status (409 invalid_status_transition when not allowed)',
    tags: ['Conversations'],
    params: conversationParams,
    body: changeStatusBodySchema,
    response: z.object({ conversation: conversationSchema }),
    handler: async ({ ctx, actor, params, body }) => {
      const { row, contactName } = await changeStatus(ctx, actor, params.id, body.status);
      return { conversation: presentConversation(row, contactName) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/conversations/:id/assign',
    auth: 'account',
    policy: 'conversation.assign',
    summary: 'Assign to an agent ("me": yourself); 409 capacity_reached when they have no room',
    tags: ['Conversations'],
    params: conversationParams,
    body: assignBodySchema,
    response: z.object({ conversation: conversationSchema }),
    handler: async ({ ctx, actor, params, body }) => {
      const { row, contactName } = await assignConversation(ctx, actor, params.id, body.assigneeId);
      return { conversation: presentConversation(row, contactName) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/conversations/:id/transfer',
    auth: 'account',
    policy: 'conversation.assign',
    summary: 'Transfer to an agent or a team (routed among its members) with a note for the next agent',
    tags: ['Conversations'],
    params: conversationParams,
    body: transferBodySchema,
    response: z.object({ conversation: conversationSchema }),
    handler: async ({ ctx, actor, params, body }) => {
      const { row, contactName } = await transferConversation(ctx, actor, params.id, body);
      return { conversation: presentConversation(row, contactName) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/conversations/:id/unassign',
    auth: 'account',
    policy: 'conversation.assign',
    summary: 'Take the conversation from its agent; it goes back through routing',
    tags: ['Conversations'],
    params: conversationParams,
    response: z.object({ conversation: conversationSchema }),
    handler: async ({ ctx, actor, params }) => {
      const { row, contactName } = await unassignConversation(ctx, actor, params.id);
      return { conversation: presentConversation(row, contactName) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/conversations/:id/snooze',
    auth: 'account',
    policy: 'conversation.status',
    summary: 'Pending or on hold until a time, when it reopens by itself',
    tags: ['Conversations'],
    params: conversationParams,
    body: snoozeBodySchema,
    response: z.object({ conversation: conversationSchema }),
    handler: async ({ ctx, actor, params, body }) => {
      const { row, contactName } = await snoozeConversation(ctx, actor, params.id, body);
      return { conversation: presentConversation(row, contactName) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/conversations/:id/priority',
    auth: 'account',
    policy: 'conversation.assign',
    summary: 'Set the priority (low, normal, high, urgent); the queue serves higher priorities first',
    tags: ['Conversations'],
    params: conversationParams,
    body: changePriorityBodySchema,
    response: z.object({ conversation: conversationSchema }),
    handler: async ({ ctx, actor, params, body }) => {
      const { row, contactName } = await changePriority(ctx, actor, params.id, body.priority);
      return { conversation: presentConversation(row, contactName) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/conversations/:id/read',
    auth: 'account',
    policy: 'conversation.read',
    summary: 'Mark the conversation read up to a seq for the signed-in agent (read receipts)',
    tags: ['Conversations'],
    params: conversationParams,
    body: markReadBodySchema,
    response: z.object({ lastReadSeq: z.number().int() }),
    handler: async ({ ctx, actor, params, body }) => ({
      lastReadSeq: await markRead(ctx, actor, params.id, body.seq),
    }),
  }),
];
