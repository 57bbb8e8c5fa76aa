import { z } from 'zod';
import { idSchema } from './common.ts';

/** How clients show a file: images and video inline, audio as a player, anything else as a download. */
export const attachmentCategorySchema = z.enum(['image', 'video', 'audio', 'file']);
export type AttachmentCategory = z.infer<typeof attachmentCategorySchema>;

/** The ids of uploaded files a message carries (uploaded by its sender, in its conversation). */
export const attachmentIdsSchema = z
  .array(idSchema)
  .min(1)
  .max(10)
  .refine((ids) => new Set(ids).size === ids.length, 'Each attachment may be sent once');

/** The file name of an upload, given as `?name=`; the server cleans it further. */
export const attachmentUploadQuerySchema = z.strictObject({ name: z.string().max(1000).optional() });

export const attachmentSchema = z.object({
  id: idSchema,
  conversationId: idSchema,
  /** Null until a message carries it. */
  messageId: idSchema.nullable(),
  fileName: z.string(),
  /** Detected from the bytes; types a browser could run (HTML, SVG, XML…) are application/octet-stream. */
  contentType: z.string(),
  category: attachmentCategorySchema,
  byteSize: z.number().int(),
  createdAt: z.string(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

/** What a message of kind `attachment` holds in `attributes.attachments`, enough to show it. */
export const messageAttachmentSchema = z.object({
  id: idSchema,
  fileName: z.string(),
  contentType: z.string(),
  category: attachmentCategorySchema,
  byteSize: z.number().int(),
});
export type MessageAttachment = z.infer<typeof messageAttachmentSchema>;

/** A short-lived address a visitor's browser may load a file from (an <img> sends no bearer token). */
export const attachmentUrlSchema = z.object({ url: z.string(), expiresAt: z.string() });
export type AttachmentUrl = z.infer<typeof attachmentUrlSchema>;

/** The attachments of a message, ignoring anything malformed (attributes are free-form JSON). */
export function attachmentsOf(message: { attributes: Record<string, unknown> }): MessageAttachment[] {
  const list = message.attributes.attachments;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => {
    const parsed = messageAttachmentSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}
