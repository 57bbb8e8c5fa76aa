import { type ChannelType, type ConversationStyle, inboxSettingsSchema } from '@parley/shared';
import { z } from 'zod';
import { type Exec, first } from './sql.ts';

const shape = inboxSettingsSchema.shape;

/**
 * The routing and lifecycle part of an inbox's settings. Read leniently: a stored value that no longer
 * validates falls back to its default instead of stopping routing.
 */
const routingSettingsSchema = z.object({
  style: shape.style.catch('messaging'),
  returningWindowMinutes: shape.returningWindowMinutes.catch(60),
  messagingCloseDays: shape.messagingCloseDays.catch(4),
  autoAssign: shape.autoAssign.catch(true),
  reassignOnOffline: shape.reassignOnOffline.catch(false),
  requiredSkills: shape.requiredSkills.catch([]),
});

export interface InboxRouting {
  inboxId: string;
  channelType: ChannelType;
  style: ConversationStyle;
  returningWindowMinutes: number;
  messagingCloseDays: number;
  autoAssign: boolean;
  reassignOnOffline: boolean;
  requiredSkills: string[];
}

export function routingSettingsOf(settings: unknown): Omit<InboxRouting, 'inboxId' | 'channelType'> {
  return routingSettingsSchema.parse(typeof settings === 'object' && settings !== null ? settings : {});
}

export async function loadInboxRouting(exec: Exec, inboxId: string): Promise<InboxRouting> {
  const row = await first<{ channel_type: ChannelType; settings: unknown }>(
    exec,
    'select channel_type, settings from inboxes where id = $1::uuid',
    [inboxId],
  );
  if (!row) throw new Error(`inbox ${inboxId} vanished`);
  return { inboxId, channelType: row.channel_type, ...routingSettingsOf(row.settings) };
}

/** When a solved conversation of this style closes by itself; null: at once (live chat). */
export function closeDelayMs(
  routing: Pick<InboxRouting, 'style' | 'returningWindowMinutes' | 'messagingCloseDays'>,
) {
  switch (routing.style) {
    case 'live_chat':
      return null;
    case 'live_chat_returning':
      return routing.returningWindowMinutes * 60_000;
    case 'messaging':
      return routing.messagingCloseDays * 24 * 60 * 60_000;
  }
}
