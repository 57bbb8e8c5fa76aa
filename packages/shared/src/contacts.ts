import { z } from 'zod';
import { idSchema } from './common.ts';
import { conversationSchema } from './conversations.ts';

export const contactParamsSchema = z.strictObject({ accountId: idSchema, id: idSchema });

export const contactSchema = z.object({
  id: idSchema,
  accountId: idSchema,
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  /** Set only from a verified identity or the API. */
  externalId: z.string().nullable(),
  /** Free-form attributes (for example the page the visitor is on); every value is untrusted text. */
  attributes: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Contact = z.infer<typeof contactSchema>;

/** A contact with the conversations of theirs that the reader may see, newest first. */
export const contactDetailSchema = z.object({
  contact: contactSchema,
  conversations: z.array(conversationSchema),
});
export type ContactDetail = z.infer<typeof contactDetailSchema>;
