import type { MessageKind } from '@parley/shared';
import type { RawExecutor } from '../../db/connect.ts';
import { AppError, conflict } from '../../errors.ts';
import type { AppendMessageInput } from '../messages/commands.ts';
import { uploaderOf } from './commands.ts';
import { presentMessageAttachment } from './presenter.ts';

/** The kind, body and files of a message as REST and the socket take it (`attachmentIds` → `attachment`). */
export function messageContent(input: {
  body?: string | undefined;
  private?: boolean | undefined;
  attachmentIds?: string[] | undefined;
}): { kind: MessageKind; body: string; attachmentIds?: string[] } {
  if (input.attachmentIds) {
    return { kind: 'attachment', body: input.body ?? '', attachmentIds: input.attachmentIds };
  }
  return { kind: input.private ? 'note' : 'text', body: input.body ?? '' };
}

type ClaimRow = {
  id: string;
  file_name: string;
  content_type: string;
  category: 'image' | 'video' | 'audio' | 'file';
  byte_size: string | number;
  taken: boolean;
};

/** Ids are validated uuids, so the literal cannot be anything else. */
const uuidArray = (ids: string[]) => `{${ids.join(',')}}`;

/**
 * Checks the files of an attachment message inside the writer's transaction, before it is appended:
 * each must be uploaded by the sender to this conversation and not carried by another message (a retry
 * of the same clientMsgId may name them again). The conversation's row lock is taken first — the lock
 * the append takes next anyway — so two messages cannot claim one file. Returns the input with the
 * files described in `attributes.attachments` and a preview for the inbox list.
 */
export async function claimAttachments(
  executor: RawExecutor,
  input: AppendMessageInput,
): Promise<AppendMessageInput> {
  const ids = input.attachmentIds ?? [];
  const uploader = uploaderOf(input.actor);
  const rows = await executor.query<ClaimRow>(
    `with locked as (
       select id from conversations where id = $1::uuid and account_id = $2::uuid for update
     ),
     original as (
       select id from messages
       where conversation_id = $1::uuid and sender_kind = $5::text and sender_id is not distinct from $6::uuid
         and client_msg_id = $7::text
     )
     select a.id, a.file_name, a.content_type, a.category, a.byte_size,
            a.message_id is not null and a.message_id is distinct from (select id from original) as taken
     from attachments a join locked on locked.id = a.conversation_id
     where a.id = any($3::uuid[]) and a.uploader_kind = $4::text and a.uploader_id = $8::uuid`,
    [
      input.conversationId,
      input.actor.accountId,
      uuidArray(ids),
      uploader.kind,
      input.author.kind,
      input.author.id,
      input.clientMsgId,
      uploader.id,
    ],
  );
  if (rows.length !== ids.length) {
    throw new AppError(
      'attachment_not_found',
      404,
      'Attachment not found: upload each file to this conversation before sending it',
    );
  }
  if (rows.some((row) => row.taken)) {
    throw conflict('attachment_in_use', 'This file was already sent in another message');
  }
  const byId = new Map(rows.map((row) => [row.id, row]));
  const described = ids.map((id) => {
    const row = byId.get(id) as ClaimRow;
    return presentMessageAttachment({
      id: row.id,
      fileName: row.file_name,
      contentType: row.content_type,
      category: row.category,
      byteSize: Number(row.byte_size),
    });
  });
  const names = described.map((a) => a.fileName).join(', ');
  return {
    ...input,
    kind: 'attachment',
    attributes: { ...(input.attributes ?? {}), attachments: described },
    preview: input.body ? input.body : `📎 ${names}`,
  };
}

/** Marks the files as carried by the message just appended (same transaction as the claim). */
export async function linkAttachments(
  executor: RawExecutor,
  messageId: string,
  ids: string[],
): Promise<void> {
  await executor.query(
    'update attachments set message_id = $1::uuid where id = any($2::uuid[]) and message_id is null',
    [messageId, uuidArray(ids)],
  );
}
