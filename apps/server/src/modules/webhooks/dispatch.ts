import { sql } from 'drizzle-orm';
import type { Database, DbOrTx } from '../../db/connect.ts';
import { webhookTypeValues } from './event-types.ts';

/**
 * Marks outbox events published and, in the same statement, turns each into a delivery for every enabled
 * endpoint subscribed to it. An event is marked exactly once (the UPDATE only returns rows that were
 * still unmarked), so each endpoint gets exactly one delivery per event however many nodes publish or
 * sweep it. The delivery holds a reference to the event; its body is rendered at the first attempt and
 * then kept, so retries send the same bytes under the same `webhook-id`.
 */
export async function markPublishedAndDispatch(
  database: Database,
  ids: number[],
  executor?: DbOrTx,
): Promise<void> {
  if (ids.length === 0) return;
  await database.rows(
    sql`with marked as (
          update events set published_at = now()
          where id = any(${`{${ids.join(',')}}`}::bigint[]) and published_at is null
          returning id, account_id, conversation_id, contact_id, type, created_at
        ),
        mapped as (
          select marked.*, t.webhook_type
          from marked join (values ${sql.raw(webhookTypeValues())}) as t(internal, webhook_type)
            on t.internal = marked.type
        ),
        inserted as (
          insert into webhook_deliveries (id, endpoint_id, account_id, event_type, payload, next_attempt_at)
          select 'msg_' || replace(gen_random_uuid()::text, '-', ''), w.id, mapped.account_id, mapped.webhook_type,
                 jsonb_build_object('eventId', mapped.id, 'conversationId', mapped.conversation_id,
                                    'contactId', mapped.contact_id, 'occurredAt', mapped.created_at),
                 now()
          from mapped
          join webhook_endpoints w on w.account_id = mapped.account_id and w.enabled
            and w.event_types ? mapped.webhook_type
          where w.inbox_id is null or mapped.conversation_id is null
             or w.inbox_id = (select inbox_id from conversations where conversations.id = mapped.conversation_id)
          returning 1
        )
        select count(*)::int as deliveries from inserted`,
    executor,
  );
}
