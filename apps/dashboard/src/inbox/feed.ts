import { notifications } from '@mantine/notifications';
import type { Conversation } from '@parley/shared';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useT } from '../i18n/index.tsx';
import { playChime, showBrowserNotification, tabInBackground } from '../lib/alerts.ts';
import { conversationStore } from '../lib/conversation-store.ts';
import { openConversation } from '../lib/focus.ts';
import { keys } from '../lib/queries.ts';
import { realtime } from '../lib/realtime-instance.ts';
import { navigate } from '../lib/router.ts';

const RECENT_MS = 5 * 60_000;
const toasts = new Map<string, Set<string>>();

/** Opening a conversation clears the toasts about it. */
export function dismissAlerts(conversationId: string): void {
  for (const id of toasts.get(conversationId) ?? []) notifications.hide(id);
  toasts.delete(conversationId);
}

type Alert = { kind: 'new_conversation' | 'new_message'; conversation: Conversation };

/**
 * What deserves attention in a feed change: a conversation nobody has seen before that was just
 * created, or a customer message (waiting, preview changed) in a conversation assigned to me or open here.
 */
export function alertFor(before: Conversation | undefined, after: Conversation, me: string): Alert | null {
  if (!before) {
    const fresh = Date.now() - new Date(after.createdAt).getTime() < RECENT_MS;
    return fresh && after.status === 'new' ? { kind: 'new_conversation', conversation: after } : null;
  }
  const customerWrote =
    after.lastSeq > before.lastSeq &&
    after.waitingSince !== null &&
    after.lastMessagePreview !== before.lastMessagePreview;
  if (!customerWrote) return null;
  if (after.assigneeId === me || openConversation.id === after.id) {
    return { kind: 'new_message', conversation: after };
  }
  return null;
}

/** Follows the account feed for the whole signed-in session: keeps the store fresh and raises alerts. */
export function useAccountFeed(accountId: string, me: string, soundMuted: boolean): void {
  const queryClient = useQueryClient();
  const t = useT();
  const settings = useRef({ t, soundMuted });
  settings.current = { t, soundMuted };

  useEffect(() => {
    const raise = ({ kind, conversation }: Alert) => {
      const { t: tr, soundMuted: muted } = settings.current;
      const background = tabInBackground();
      if (!background && openConversation.id === conversation.id) return;
      const name = conversation.contactName ?? tr('list.visitor', { number: conversation.number });
      const title =
        kind === 'new_conversation' ? tr('notify.newConversation') : tr('notify.newMessage', { name });
      const body = conversation.lastMessagePreview ?? name;
      const open = () => navigate(`/inbox/all/${conversation.id}`);
      const toastId = `alert-${conversation.id}-${conversation.lastSeq}`;
      const ids = toasts.get(conversation.id) ?? new Set<string>();
      ids.add(toastId);
      toasts.set(conversation.id, ids);
      notifications.show({
        id: toastId,
        title,
        message: kind === 'new_conversation' ? `${name}: ${body}` : body,
        color: kind === 'new_conversation' ? 'brand' : 'teal',
        autoClose: 6000,
        onClick: open,
        style: { cursor: 'pointer' },
        'data-testid': 'alert-toast',
      } as Parameters<typeof notifications.show>[0]);
      if (background) {
        if (!muted) playChime();
        showBrowserNotification(title, `${name}: ${body}`, `parley-${conversation.id}`, open);
      }
    };
    return realtime.subscribeAccount(accountId, {
      onConversation: (conversation) => {
        for (const { before, after } of conversationStore.upsert([conversation])) {
          const alert = alertFor(before, after, me);
          if (alert) raise(alert);
        }
      },
      onResync: () => {
        void queryClient.invalidateQueries({ queryKey: keys.conversations(accountId) });
      },
    });
  }, [accountId, me, queryClient]);
}
