import {
  createRuleBodySchema,
  idSchema,
  ruleListSchema,
  ruleParamsSchema,
  ruleSchema,
  updateRuleBodySchema,
} from '@parley/shared';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { createRule, deleteRule, getRule, listRules, updateRule } from './commands.ts';

const accountParams = z.strictObject({ accountId: idSchema });

/** Automation rules: admins only (a rule acts with the account's authority). */
export const ruleRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/rules',
    auth: 'account',
    policy: 'rule.manage',
    summary: 'List automation rules, by event and position',
    tags: ['Rules'],
    params: accountParams,
    response: ruleListSchema,
    handler: async ({ ctx, actor }) => ({ rules: await listRules(ctx.database.db, actor.accountId) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/accounts/:accountId/rules',
    auth: 'account',
    policy: 'rule.manage',
    summary: 'Create a rule: on an event, when all conditions hold, run the actions in order',
    tags: ['Rules'],
    params: accountParams,
    body: createRuleBodySchema,
    response: z.object({ rule: ruleSchema }),
    status: 201,
    handler: async ({ ctx, actor, body }) => ({ rule: await createRule(ctx, actor.accountId, body) }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/accounts/:accountId/rules/:id',
    auth: 'account',
    policy: 'rule.manage',
    summary: 'Get one rule',
    tags: ['Rules'],
    params: ruleParamsSchema,
    response: z.object({ rule: ruleSchema }),
    handler: async ({ ctx, actor, params }) => ({
      rule: await getRule(ctx.database.db, actor.accountId, params.id),
    }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/accounts/:accountId/rules/:id',
    auth: 'account',
    policy: 'rule.manage',
    summary: 'Change a rule (the merged rule is validated as a whole)',
    tags: ['Rules'],
    params: ruleParamsSchema,
    body: updateRuleBodySchema,
    response: z.object({ rule: ruleSchema }),
    handler: async ({ ctx, actor, params, body }) => ({
      rule: await updateRule(ctx, actor.accountId, params.id, body),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/accounts/:accountId/rules/:id',
    auth: 'account',
    policy: 'rule.manage',
    summary: 'Delete a rule',
    tags: ['Rules'],
    params: ruleParamsSchema,
    status: 204,
    handler: async ({ ctx, actor, params, reply }) => {
      await deleteRule(ctx, actor.accountId, params.id);
      return reply.status(204).send();
    },
  }),
];
