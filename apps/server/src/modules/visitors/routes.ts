import {
  createVisitorSessionBodySchema,
  idSchema,
  markReadBodySchema,
  messagePageSchema,
  messageSchema,
  messagesQuerySchema,
  publicInboxSchema,
  typingBodySchema,
  visitorContextBodySchema,
  visitorConversationSchema,
  visitorPostMessageBodySchema,
  visitorSessionSchema,
  visitorStartConversationBodySchema,
} from '@parley/shared';
import { z } from 'zod';
import { notFound } from '../../errors.ts';
import { defineRoute, emptyObject } from '../../http/route.ts';
import { messageContent } from '../attachments/message-link.ts';
import { startConversation } from '../conversations/commands.ts';
import { findConversation } from '../conversations/queries.ts';
import { markRead } from '../conversations/reads.ts';
import { visitorConversations } from '../conversations/visitor-queries.ts';
import { settingsOf } from '../inboxes/presenter.ts';
import { authorOf, postMessage } from '../messages/commands.ts';
import { listMessages } from '../messages/queries.ts';
import { recordVisitorContext } from './context.ts';
import { assertOriginAllowed, createVisitorSession, loadInbox } from './session.ts';

const inboxParams = z.strictObject({ inboxId: idSchema });
const conversationParams = z.strictObject({ id: idSchema });
const MINUTE = 60_000;

/** The Client API: the only API the widget and custom visitor clients use. */
export const visitorRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/client/inboxes/:inboxId',
    auth: 'public',
    summary: 'What a page needs to show the widget of an inbox',
    tags: ['Client API'],
    params: inboxParams,
    response: publicInboxSchema,
    handler: async ({ ctx, params, request }) => {
      const inbox = await loadInbox(ctx, params.inboxId);
      assertOriginAllowed(ctx, inbox, request.headers.origin);
      const settings = settingsOf(inbox);
      return {
        id: inbox.id,
        name: inbox.name,
        greeting: settings.greeting,
        color: settings.color,
        requireIdentityVerification: settings.requireIdentityVerification,
        title: settings.title || inbox.name,
        position: settings.position,
        preChatForm: settings.preChatForm,
      };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/client/inboxes/:inboxId/sessions',
    auth: 'public',
    summary: 'Create a visitor session (a contact and a visitor token) for an inbox',
    tags: ['Client API'],
    params: inboxParams,
    body: createVisitorSessionBodySchema,
    response: visitorSessionSchema,
    status: 201,
    rateLimit: (request) => [{ key: `visitor-session:${request.ip}`, limit: 30, windowMs: MINUTE }],
    handler: async ({ ctx, params, body, request }) => {
      const inbox = await loadInbox(ctx, params.inboxId);
      assertOriginAllowed(ctx, inbox, request.headers.origin);
      return createVisitorSession(ctx, inbox, body);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/client/conversations',
    auth: 'visitor',
    summary: "List the visitor's conversations",
    tags: ['Client API'],
    query: emptyObject,
    response: z.object({ conversations: z.array(visitorConversationSchema) }),
    handler: async ({ ctx, actor }) => ({
      conversations: await visitorConversations(ctx.database.db, actor),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/client/conversations',
    auth: 'visitor',
    summary: 'Start a conversation, optionally with its first message',
    tags: ['Client API'],
    body: visitorStartConversationBodySchema,
    response: z.object({ conversation: visitorConversationSchema }),
    status: 201,
    rateLimit: (request) => [{ key: `visitor-start:${request.ip}`, limit: 30, windowMs: MINUTE }],
    handler: async ({ ctx, actor, body }) => {
      const { conversation } = await startConversation(ctx, actor, body);
      const [presented] = await visitorConversations(ctx.database.db, actor, conversation.id);
      if (!presented) throw notFound('conversation_not_found', 'Conversation');
      return { conversation: presented };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/client/conversations/:id/messages',
    auth: 'visitor',
    summary: 'Read messages of one of the visitor’s conversations by seq',
    tags: ['Client API'],
    params: conversationParams,
    query: messagesQuerySchema,
    response: messagePageSchema,
    handler: async ({ ctx, actor, params, query }) => {
      const { row } = await findConversation(ctx.database.db, actor, params.id);
      return {
        messages: await listMessages(ctx.database.db, row.id, query, 'visitor'),
        lastSeq: row.lastSeq,
      };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/client/conversations/:id/messages',
    auth: 'visitor',
    summary: 'Send a message (idempotent on clientMsgId)',
    tags: ['Client API'],
    params: conversationParams,
    body: visitorPostMessageBodySchema,
    response: z.object({ message: messageSchema, created: z.boolean() }),
    status: 201,
    handler: async ({ ctx, actor, params, body }) =>
      postMessage(ctx, {
        actor,
        conversationId: params.id,
        author: authorOf(actor),
        ...messageContent(body),
        private: false,
        clientMsgId: body.clientMsgId,
        ...(body.attributes ? { attributes: body.attributes } : {}),
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/client/conversations/:id/typing',
    auth: 'visitor',
    summary: 'Tell the agents the visitor is typing',
    tags: ['Client API'],
    params: conversationParams,
    body: typingBodySchema,
    status: 204,
    rateLimit: (request) => [{ key: `visitor-typing:${request.ip}`, limit: 120, windowMs: MINUTE }],
    handler: async ({ ctx, actor, params, body, reply }) => {
      const { row } = await findConversation(ctx.database.db, actor, params.id);
      ctx.bus.publish({
        t: 'typing',
        accountId: row.accountId,
        conversationId: row.id,
        actor: { kind: 'contact', id: actor.contactId, name: actor.contactName },
        typing: body.typing,
      });
      return reply.status(204).send();
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/client/conversations/:id/read',
    auth: 'visitor',
    summary: 'Mark the conversation read up to a seq (read receipts)',
    tags: ['Client API'],
    params: conversationParams,
    body: markReadBodySchema,
    response: z.object({ lastReadSeq: z.number().int() }),
    handler: async ({ ctx, actor, params, body }) => ({
      lastReadSeq: await markRead(ctx, actor, params.id, body.seq),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/client/context',
    auth: 'visitor',
    summary: 'Tell agents which page the visitor is on (shown beside the conversation)',
    tags: ['Client API'],
    body: visitorContextBodySchema,
    status: 204,
    rateLimit: (request) => [{ key: `visitor-context:${request.ip}`, limit: 60, windowMs: MINUTE }],
    handler: async ({ ctx, actor, body, request, reply }) => {
      await recordVisitorContext(ctx, actor, body, request.headers['user-agent']);
      return reply.status(204).send();
    },
  }),
];
