import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Attachment } from '@parley/shared';
import { and, count, eq, isNull } from 'drizzle-orm';
import type { Actor } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import { attachments } from '../../db/schema.ts';
import { AppError, conflict, rateLimited } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { findConversation } from '../conversations/queries.ts';
import { detectType } from './detect.ts';
import { cleanFileName } from './names.ts';
import { presentAttachment } from './presenter.ts';
import { spoolUpload, tooLarge } from './spool.ts';
import { storageOf } from './store.ts';

export type UploaderKind = 'contact' | 'agent' | 'token';

/** Who uploads (and may later send) a file: the visitor's contact, the agent, or the API token. */
export function uploaderOf(actor: Actor): { kind: UploaderKind; id: string } {
  switch (actor.kind) {
    case 'visitor':
      return { kind: 'contact', id: actor.contactId };
    case 'agent':
      return { kind: 'agent', id: actor.userId };
    case 'token':
      return { kind: 'token', id: actor.tokenId };
  }
}

export interface UploadInput {
  conversationId: string;
  /** The raw request body. */
  body: unknown;
  /** Content-Length, when the client sent one: a body announced too large is refused unread. */
  declaredLength: number | null;
  fileName: string | undefined;
}

/**
 * Stores one upload for a conversation the actor may write to: streamed to a spool file under the size
 * limit, typed from its bytes, handed to storage, then recorded. It belongs to no message until the
 * uploader sends a message of kind `attachment` naming it.
 */
export async function uploadAttachment(
  ctx: AppContext,
  actor: Actor,
  input: UploadInput,
): Promise<Attachment> {
  const { row: conversation } = await findConversation(ctx.database.db, actor, input.conversationId);
  if (conversation.status === 'closed') throw conflict('conversation_closed', 'This conversation is closed');
  const uploader = uploaderOf(actor);
  await assertRoomForUpload(ctx, conversation.id, uploader);
  const limit = ctx.env.ATTACHMENT_MAX_BYTES;
  if (input.declaredLength !== null && input.declaredLength > limit) throw tooLarge(limit);
  if (!isReadable(input.body))
    throw new AppError('validation_failed', 400, 'Send the file as the request body');

  const storage = storageOf(ctx);
  const spooled = await spoolUpload(input.body, storage.spoolDir, limit);
  if (spooled.size === 0) {
    await rm(spooled.path, { force: true });
    throw new AppError('validation_failed', 400, 'The file is empty');
  }
  let type: Awaited<ReturnType<typeof detectType>>;
  try {
    type = await detectType(spooled.path);
  } catch (error) {
    await rm(spooled.path, { force: true });
    throw error;
  }

  const id = newId();
  const now = ctx.now();
  const storageKey = `${conversation.accountId}/${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${id}`;
  try {
    await storage.put(storageKey, { ...spooled, contentType: type.contentType });
  } finally {
    // Moved or uploaded by now, unless storage failed: then it must not linger either.
    await rm(spooled.path, { force: true });
  }
  try {
    const [row] = await ctx.database.db
      .insert(attachments)
      .values({
        id,
        accountId: conversation.accountId,
        conversationId: conversation.id,
        uploaderKind: uploader.kind,
        uploaderId: uploader.id,
        fileName: cleanFileName(input.fileName),
        contentType: type.contentType,
        category: type.category,
        byteSize: spooled.size,
        sha256: spooled.sha256,
        storageKey,
      })
      .returning();
    if (!row) throw new Error('attachment insert returned nothing');
    return presentAttachment(row);
  } catch (error) {
    await storage.remove(storageKey).catch(() => undefined);
    throw error;
  }
}

/** Files one uploader may have waiting unsent in a conversation; more is abuse of the storage. */
export const MAX_UNSENT_UPLOADS = 20;

/** Uploads are only useful once sent: a sender with many unsent ones must send (or wait) first. */
async function assertRoomForUpload(
  ctx: AppContext,
  conversationId: string,
  uploader: { kind: UploaderKind; id: string },
): Promise<void> {
  const [row] = await ctx.database.db
    .select({ n: count() })
    .from(attachments)
    .where(
      and(
        eq(attachments.conversationId, conversationId),
        eq(attachments.uploaderKind, uploader.kind),
        eq(attachments.uploaderId, uploader.id),
        isNull(attachments.messageId),
      ),
    );
  if (Number(row?.n ?? 0) >= MAX_UNSENT_UPLOADS) throw rateLimited(60);
}

function isReadable(body: unknown): body is Readable {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as Readable).pipe === 'function' &&
    typeof (body as Readable).on === 'function'
  );
}
