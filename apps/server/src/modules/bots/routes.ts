import { botPhaseCountsSchema, botSecretSchema, conversationSchema, idSchema } from '@parley/shared';
import { and, ne, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { conversationScope } from '../../auth/policies.ts';
import { conversations } from '../../db/schema.ts';
import { defineRoute } from '../../http/route.ts';
import { presentConversation } from '../conversations/presenter.ts';
import { findInbox, updateInbox } from '../inboxes/commands.ts';
import { settingsOf } from '../inboxes/presenter.ts';
import { acceptConversation, resumeBot } from './phase.ts';
import { botWebhookSecret } from './secret.ts';

const accountParams = z.strictObject({ accountId: idSchema });
const conversationParams = z.strictObject({ accountId: idSchema, id: idSchema });

/** Agents' side of the bot phase: the counts for the top bar, intervening, handing back to the bot. */
export const botRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/bot/phase-counts',
    auth: 'account',
    policy: 'conversation.read',
    summary: 'How many open conversations the bot holds, have asked for a person, or were accepted',
    tags: ['Bots'],
    params: accountParams,
    response: botPhaseCountsSchema,
    handler: async ({ ctx, actor }) => {
      const rows = await ctx.database.db
        .select({ phase: conversations.botPhase, n: sql<number>`count(*)::int` })
        .from(conversations)
        .where(
          and(
            conversationScope(actor),
            sql`${conversations.botPhase} is not null`,
            ne(conversations.status, 'closed'),
          ) as SQL,
        )
        .groupBy(conversations.botPhase);
      const counts = { bot: 0, requested: 0, accepted: 0 };
      for (const row of rows) if (row.phase) counts[row.phase] = Number(row.n);
      return counts;
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/conversations/:id/bot/accept',
    auth: 'account',
    policy: 'conversation.reply',
    summary:
      'Intervene: take the conversation from the bot (it goes silent); 409 bot_not_active without a bot',
    tags: ['Bots'],
    params: conversationParams,
    response: z.object({ conversation: conversationSchema }),
    handler: async ({ ctx, actor, params }) => {
      const { row, contactName } = await acceptConversation(ctx, actor, params.id);
      return { conversation: presentConversation(row, contactName) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/conversations/:id/bot/resume',
    auth: 'account',
    policy: 'conversation.reply',
    summary: 'Give the conversation back to the bot without solving it',
    tags: ['Bots'],
    params: conversationParams,
    response: z.object({ conversation: conversationSchema }),
    handler: async ({ ctx, actor, params }) => {
      const { row, contactName } = await resumeBot(ctx, actor, params.id);
      return { conversation: presentConversation(row, contactName) };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/inboxes/:id/bot-secret',
    auth: 'account',
    policy: 'inbox.manage',
    summary: 'The key a webhook bot verifies X-Parley-Signature with (admins only)',
    tags: ['Bots'],
    params: conversationParams,
    response: botSecretSchema,
    handler: async ({ ctx, actor, params, reply }) => {
      const inbox = await findInbox(ctx.database.db, actor.accountId, params.id);
      reply.header('cache-control', 'no-store');
      return { secret: botWebhookSecret(ctx.env.SECRET_KEY, inbox.id, settingsOf(inbox).botSecretVersion) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/inboxes/:id/bot-secret',
    auth: 'account',
    policy: 'inbox.manage',
    summary: 'Rotate the webhook bot key; the old one stops verifying at once',
    tags: ['Bots'],
    params: conversationParams,
    response: botSecretSchema,
    handler: async ({ ctx, actor, params, reply }) => {
      const inbox = await findInbox(ctx.database.db, actor.accountId, params.id);
      const updated = await updateInbox(ctx.database.db, actor.accountId, inbox.id, {
        settings: { botSecretVersion: settingsOf(inbox).botSecretVersion + 1 },
      });
      reply.header('cache-control', 'no-store');
      return {
        secret: botWebhookSecret(ctx.env.SECRET_KEY, updated.id, settingsOf(updated).botSecretVersion),
      };
    },
  }),
];
