import {
  changeStatusBodySchema,
  conversationPageSchema,
  conversationSchema,
  messagePageSchema,
  messageSchema,
  messagesQuerySchema,
  tagListSchema,
  v1AssignBodySchema,
  v1ConversationListQuerySchema,
  v1CreateConversationBodySchema,
  v1CreatedConversationSchema,
  v1IdParamsSchema,
  v1PostMessageBodySchema,
  v1TagParamsSchema,
} from '@parley/shared';
import { z } from 'zod';
import { assertCan } from '../../auth/policies.ts';
import { idempotent } from '../../http/idempotency.ts';
import { defineRoute } from '../../http/route.ts';
import { changeStatus } from '../conversations/commands.ts';
import { presentConversation } from '../conversations/presenter.ts';
import { findConversation, getConversationForAgent, listConversations } from '../conversations/queries.ts';
import { authorOf, postMessage } from '../messages/commands.ts';
import { listMessages } from '../messages/queries.ts';
import { assignConversation, unassignConversation } from '../routing/assignment.ts';
import { listConversationTags, tagConversation } from '../tags/commands.ts';
import { examples } from './examples.ts';
import { startApiConversation } from './start.ts';

const conversationResponse = z.object({ conversation: conversationSchema });

/** Conversations and their messages through the public API: the dashboard's commands, with a token. */
export const v1ConversationRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/conversations',
    auth: 'api',
    policy: 'conversation.read',
    summary: 'List conversations, newest activity first; follow nextCursor for the next page',
    tags: ['Public API: conversations'],
    query: v1ConversationListQuerySchema,
    response: conversationPageSchema,
    example: { response: examples.conversationPage },
    handler: async ({ ctx, actor, query }) => listConversations(ctx, actor, query),
  }),
  idempotent(
    defineRoute({
      method: 'POST',
      url: '/api/v1/conversations',
      auth: 'api',
      policy: 'conversation.create',
      summary:
        'Start a conversation for a contact (by id, or by e-mail: found or created) with their first message',
      tags: ['Public API: conversations'],
      body: v1CreateConversationBodySchema,
      response: v1CreatedConversationSchema,
      status: 201,
      example: { request: examples.createConversation, response: examples.createdConversation },
      handler: async ({ ctx, actor, body }) => {
        const { conversation, created } = await startApiConversation(ctx, actor, {
          inboxId: body.inboxId,
          contact: body.contactId ? { id: body.contactId } : { email: body.email ?? '', name: body.name },
          message: body.message,
          integrationSource: body.integrationSource ?? '',
        });
        const found = await getConversationForAgent(ctx, actor, conversation.id);
        return { conversation: found, created };
      },
    }),
  ),
  defineRoute({
    method: 'GET',
    url: '/api/v1/conversations/:id',
    auth: 'api',
    policy: 'conversation.read',
    summary: 'Get one conversation',
    tags: ['Public API: conversations'],
    params: v1IdParamsSchema,
    response: conversationResponse,
    example: { response: { conversation: examples.conversation } },
    handler: async ({ ctx, actor, params }) => ({
      conversation: await getConversationForAgent(ctx, actor, params.id),
    }),
  }),
  idempotent(
    defineRoute({
      method: 'POST',
      url: '/api/v1/conversations/:id/status',
      auth: 'api',
      policy: 'conversation.status',
      summary: 'Change the status (409 invalid_status_transition when not allowed)',
      tags: ['Public API: conversations'],
      params: v1IdParamsSchema,
      body: changeStatusBodySchema,
      response: conversationResponse,
      example: { request: { status: 'solved' }, response: { conversation: examples.conversation } },
      handler: async ({ ctx, actor, params, body }) => {
        const { row, contactName } = await changeStatus(ctx, actor, params.id, body.status);
        return { conversation: presentConversation(row, contactName) };
      },
    }),
  ),
  idempotent(
    defineRoute({
      method: 'POST',
      url: '/api/v1/conversations/:id/assign',
      auth: 'api',
      policy: 'conversation.assign',
      summary: 'Assign to an agent; 409 capacity_reached when they have no room',
      tags: ['Public API: conversations'],
      params: v1IdParamsSchema,
      body: v1AssignBodySchema,
      response: conversationResponse,
      example: {
        request: { assigneeId: examples.conversation.assigneeId },
        response: { conversation: examples.conversation },
      },
      handler: async ({ ctx, actor, params, body }) => {
        const { row, contactName } = await assignConversation(ctx, actor, params.id, body.assigneeId);
        return { conversation: presentConversation(row, contactName) };
      },
    }),
  ),
  idempotent(
    defineRoute({
      method: 'POST',
      url: '/api/v1/conversations/:id/unassign',
      auth: 'api',
      policy: 'conversation.assign',
      summary: 'Take the conversation from its agent; it goes back through routing',
      tags: ['Public API: conversations'],
      params: v1IdParamsSchema,
      response: conversationResponse,
      handler: async ({ ctx, actor, params }) => {
        const { row, contactName } = await unassignConversation(ctx, actor, params.id);
        return { conversation: presentConversation(row, contactName) };
      },
    }),
  ),
  defineRoute({
    method: 'GET',
    url: '/api/v1/conversations/:id/tags',
    auth: 'api',
    policy: 'conversation.read',
    summary: "A conversation's tags",
    tags: ['Public API: conversations'],
    params: v1IdParamsSchema,
    response: tagListSchema,
    example: { response: { tags: [examples.tag] } },
    handler: async ({ ctx, actor, params }) => ({ tags: await listConversationTags(ctx, actor, params.id) }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v1/conversations/:id/tags/:tagId',
    auth: 'api',
    policy: 'conversation.tag',
    summary: 'Tag a conversation (idempotent); answers its tags',
    tags: ['Public API: conversations'],
    params: v1TagParamsSchema,
    response: tagListSchema,
    handler: async ({ ctx, actor, params }) => ({
      tags: await tagConversation(ctx, actor, params.id, params.tagId, true),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/conversations/:id/tags/:tagId',
    auth: 'api',
    policy: 'conversation.tag',
    summary: 'Remove a tag from a conversation (idempotent); answers its tags',
    tags: ['Public API: conversations'],
    params: v1TagParamsSchema,
    response: tagListSchema,
    handler: async ({ ctx, actor, params }) => ({
      tags: await tagConversation(ctx, actor, params.id, params.tagId, false),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/conversations/:id/messages',
    auth: 'api',
    policy: 'conversation.read',
    summary: 'Read messages by seq: afterSeq reads forward (catching up), beforeSeq reads older pages',
    tags: ['Public API: messages'],
    params: v1IdParamsSchema,
    query: messagesQuerySchema,
    response: messagePageSchema,
    example: { response: { messages: [examples.message], lastSeq: 1 } },
    handler: async ({ ctx, actor, params, query }) => {
      const { row } = await findConversation(ctx.database.db, actor, params.id);
      return { messages: await listMessages(ctx.database.db, row.id, query, 'agent'), lastSeq: row.lastSeq };
    },
  }),
  idempotent(
    defineRoute({
      method: 'POST',
      url: '/api/v1/conversations/:id/messages',
      auth: 'api',
      policy: 'conversation.reply',
      summary:
        'Reply to the customer (as "API"), or add a private note with private=true; idempotent on clientMsgId',
      tags: ['Public API: messages'],
      params: v1IdParamsSchema,
      body: v1PostMessageBodySchema,
      response: z.object({ message: messageSchema, created: z.boolean() }),
      status: 201,
      example: {
        request: { clientMsgId: 'order-1042-shipped', body: 'Your order has shipped.' },
        response: { message: examples.reply, created: true },
      },
      handler: async ({ ctx, actor, params, body }) => {
        if (body.private) assertCan(actor, 'conversation.note');
        return postMessage(ctx, {
          actor,
          conversationId: params.id,
          author: authorOf(actor),
          kind: body.private ? 'note' : 'text',
          body: body.body,
          private: body.private,
          clientMsgId: body.clientMsgId,
        });
      },
    }),
  ),
];
