import { z } from 'zod';
import { idSchema, nameSchema } from './common.ts';
import { conversationStatusSchema, prioritySchema } from './conversations.ts';
import { channelTypeSchema } from './inboxes.ts';
import { messageBodySchema } from './messages.ts';

/** Automation rules (triggers): on an event, when every condition holds, run the actions in order. */
export const ruleEventSchema = z.enum(['conversation_created', 'message_created', 'status_changed']);
export type RuleEvent = z.infer<typeof ruleEventSchema>;

const attributeKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_]{1,40}(\.[A-Za-z0-9_]{1,40}){0,3}$/, 'a key such as plan or preChat.company');

export const ruleConditionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('inbox'), inboxIds: z.array(idSchema).min(1).max(50) }),
  z.strictObject({ type: z.literal('channel'), channels: z.array(channelTypeSchema).min(1).max(5) }),
  /** The conversation (or its contact) has the tag; `present: false` asks for its absence. */
  z.strictObject({ type: z.literal('tag'), tagId: idSchema, present: z.boolean().default(true) }),
  /** message_created only: the message contains any of the values (case-insensitive). */
  z.strictObject({
    type: z.literal('text_contains'),
    values: z.array(z.string().trim().min(1).max(200)).min(1).max(20),
  }),
  /** message_created only: who wrote the message. */
  z.strictObject({
    type: z.literal('sender'),
    senders: z.array(z.enum(['contact', 'agent'])).min(1),
  }),
  z.strictObject({
    type: z.literal('contact_attribute'),
    key: attributeKeySchema,
    equals: z.union([z.string().max(500), z.number(), z.boolean()]),
  }),
  /** Inside (or outside, `within: false`) the inbox's business hours; an inbox without hours is always open. */
  z.strictObject({ type: z.literal('business_hours'), within: z.boolean() }),
  /** The conversation's status (after the change, for status_changed). */
  z.strictObject({ type: z.literal('status'), statuses: z.array(conversationStatusSchema).min(1) }),
]);
export type RuleCondition = z.infer<typeof ruleConditionSchema>;

export const ruleActionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('assign_team'), teamId: idSchema }),
  z.strictObject({ type: z.literal('assign_agent'), userId: idSchema }),
  z.strictObject({ type: z.literal('set_priority'), priority: prioritySchema }),
  z.strictObject({ type: z.literal('add_tag'), tagId: idSchema }),
  z.strictObject({ type: z.literal('remove_tag'), tagId: idSchema }),
  /** Sent as the inbox's automation; `private` makes it a note for agents. */
  z.strictObject({
    type: z.literal('send_message'),
    body: messageBodySchema.pipe(z.string().max(5000)),
    private: z.boolean().default(false),
  }),
  z.strictObject({ type: z.literal('change_status'), status: conversationStatusSchema }),
]);
export type RuleAction = z.infer<typeof ruleActionSchema>;

const MESSAGE_ONLY = new Set(['text_contains', 'sender']);

/** The whole definition of a rule, checked on create and again on every change. */
export const ruleDefinitionSchema = z
  .strictObject({
    name: nameSchema,
    enabled: z.boolean().default(true),
    event: ruleEventSchema,
    conditions: z.array(ruleConditionSchema).max(20).default([]),
    actions: z.array(ruleActionSchema).min(1).max(20),
    position: z.number().int().min(0).max(100_000).default(0),
  })
  .superRefine((rule, check) => {
    rule.conditions.forEach((condition, index) => {
      if (MESSAGE_ONLY.has(condition.type) && rule.event !== 'message_created') {
        check.addIssue({
          code: 'custom',
          path: ['conditions', index, 'type'],
          message: `${condition.type} applies to message_created rules only`,
        });
      }
    });
  });
export type RuleDefinition = z.infer<typeof ruleDefinitionSchema>;

export const createRuleBodySchema = ruleDefinitionSchema;
export type CreateRuleBody = RuleDefinition;

export const updateRuleBodySchema = z.strictObject({
  name: nameSchema.optional(),
  enabled: z.boolean().optional(),
  event: ruleEventSchema.optional(),
  conditions: z.array(ruleConditionSchema).max(20).optional(),
  actions: z.array(ruleActionSchema).min(1).max(20).optional(),
  position: z.number().int().min(0).max(100_000).optional(),
});
export type UpdateRuleBody = z.infer<typeof updateRuleBodySchema>;

export const ruleSchema = z.object({
  id: idSchema,
  accountId: idSchema,
  name: z.string(),
  enabled: z.boolean(),
  event: ruleEventSchema,
  conditions: z.array(ruleConditionSchema),
  actions: z.array(ruleActionSchema),
  position: z.number().int(),
  createdAt: z.string(),
});
export type Rule = z.infer<typeof ruleSchema>;

export const ruleListSchema = z.object({ rules: z.array(ruleSchema) });
export const ruleParamsSchema = z.strictObject({ accountId: idSchema, id: idSchema });
