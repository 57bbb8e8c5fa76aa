import { notifications as toasts } from '@mantine/notifications';
import type {
  Notification,
  NotificationPreferences,
  NotificationType,
  Review,
  UpdateNotificationPreferencesBody,
} from '@parley/shared';
import {
  type InfiniteData,
  type QueryClient,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { type Translate, useT } from '../i18n/index.tsx';
import { playChime, showBrowserNotification, tabInBackground } from '../lib/alerts.ts';
import { api, get, post, qs } from '../lib/api.ts';
import { openConversation } from '../lib/focus.ts';
import { realtime } from '../lib/realtime-instance.ts';
import { navigate } from '../lib/router.ts';

type Page = { notifications: Notification[]; nextCursor: string | null; unreadCount: number };

export const notificationKeys = {
  all: (accountId: string) => ['notifications', accountId] as const,
  list: (accountId: string, unread: boolean) => ['notifications', accountId, 'list', unread] as const,
  count: (accountId: string) => ['notifications', accountId, 'count'] as const,
  preferences: ['notification-preferences'] as const,
  reviews: (accountId: string, conversationId: string) => ['reviews', accountId, conversationId] as const,
};

export function useNotificationList(accountId: string, unread: boolean, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: notificationKeys.list(accountId, unread),
    enabled,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      get<Page>(
        `/api/accounts/${accountId}/notifications${qs({ unread: unread ? 'true' : undefined, cursor: pageParam, limit: 20 })}`,
      ),
    getNextPageParam: (last) => last.nextCursor,
  });
}

export function useUnreadCount(accountId: string) {
  return useQuery({
    queryKey: notificationKeys.count(accountId),
    queryFn: async () =>
      (await get<{ unreadCount: number }>(`/api/accounts/${accountId}/notifications/unread-count`))
        .unreadCount,
    staleTime: 60_000,
  });
}

export function useNotificationPreferences() {
  return useQuery({
    queryKey: notificationKeys.preferences,
    queryFn: () => get<NotificationPreferences>('/api/me/notification-preferences'),
    staleTime: 5 * 60_000,
  });
}

export function useUpdateNotificationPreferences() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (change: UpdateNotificationPreferencesBody) =>
      api<NotificationPreferences>('PATCH', '/api/me/notification-preferences', change),
    // The switch moves at once; a refusal puts it back.
    onMutate: (change) => {
      const before = queryClient.getQueryData<NotificationPreferences>(notificationKeys.preferences);
      if (before) {
        const next = { ...before } as Record<string, Record<string, boolean>>;
        for (const [type, channels] of Object.entries(change)) {
          next[type] = { ...next[type], ...(channels as Record<string, boolean>) };
        }
        queryClient.setQueryData(notificationKeys.preferences, next as NotificationPreferences);
      }
      return { before };
    },
    onError: (_error, _change, context) => {
      if (context?.before) queryClient.setQueryData(notificationKeys.preferences, context.before);
    },
    onSuccess: (preferences) => queryClient.setQueryData(notificationKeys.preferences, preferences),
  });
}

export function useReviews(accountId: string, conversationId: string, enabled: boolean) {
  return useQuery({
    queryKey: notificationKeys.reviews(accountId, conversationId),
    enabled,
    queryFn: async () =>
      (await get<{ reviews: Review[] }>(`/api/accounts/${accountId}/conversations/${conversationId}/reviews`))
        .reviews,
  });
}

/** Sets readAt on cached notifications (all of the account's when `ids` is null). */
function markCachedRead(queryClient: QueryClient, accountId: string, ids: string[] | null): void {
  const now = new Date().toISOString();
  const which = ids ? new Set(ids) : null;
  for (const unread of [false, true]) {
    queryClient.setQueryData<InfiniteData<Page>>(notificationKeys.list(accountId, unread), (data) =>
      data
        ? {
            ...data,
            pages: data.pages.map((page) => ({
              ...page,
              notifications: page.notifications.map((n) =>
                n.readAt === null && (!which || which.has(n.id)) ? { ...n, readAt: now } : n,
              ),
            })),
          }
        : data,
    );
  }
}

export function useMarkRead(accountId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string | null) =>
      id
        ? post(`/api/accounts/${accountId}/notifications/${id}/read`)
        : post(`/api/accounts/${accountId}/notifications/read-all`),
    onMutate: (id) => {
      markCachedRead(queryClient, accountId, id ? [id] : null);
      queryClient.setQueryData<number>(notificationKeys.count(accountId), (count) =>
        id === null ? 0 : Math.max(0, (count ?? 1) - 1),
      );
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: notificationKeys.count(accountId) }),
  });
}

/** Where a notification leads: its conversation, at the item it is about. */
export function notificationHref(n: Notification): string | null {
  if (!n.conversationId) return null;
  return `/inbox/all/${n.conversationId}${n.messageSeq === null ? '' : `?seq=${n.messageSeq}`}`;
}

/** One sentence: who did what. */
export function notificationText(n: Notification, t: Translate): string {
  const name = n.actor?.name ?? t('notifications.someone');
  switch (n.type) {
    case 'mention':
      return t('notifications.type.mention', { name });
    case 'assignment':
      return n.actor ? t('notifications.type.assignment', { name }) : t('notifications.type.assignmentAuto');
    case 'transfer':
      return t('notifications.type.transfer', { name });
    case 'new_conversation':
      return n.payload.inboxName
        ? t('notifications.type.newConversation', { inbox: n.payload.inboxName })
        : t('notifications.type.newConversationPlain');
    case 'review_request':
      return t('notifications.type.reviewRequest', { name });
    case 'review_result':
      return n.payload.decision === 'approved'
        ? t('notifications.type.reviewApproved', { name })
        : t('notifications.type.reviewCommented', { name });
  }
}

const ALERT_TYPES: ReadonlySet<NotificationType> = new Set([
  'mention',
  'assignment',
  'transfer',
  'review_request',
  'review_result',
]);

/**
 * Follows the signed-in agent's notifications for the session: keeps the badge and lists fresh, and
 * plays, shows or toasts each new one as the user's preferences say (new conversations are announced
 * by the inbox feed already, so they get no toast here).
 */
export function useNotificationFeed(accountId: string, userId: string, soundMuted: boolean): void {
  const queryClient = useQueryClient();
  const t = useT();
  const preferences = useNotificationPreferences();
  const settings = useRef({ t, soundMuted, preferences: preferences.data });
  settings.current = { t, soundMuted, preferences: preferences.data };

  useEffect(() => {
    const refresh = () => queryClient.invalidateQueries({ queryKey: notificationKeys.all(accountId) });
    return realtime.subscribeNotifications(userId, {
      onSubscribed: () => void refresh(),
      onNotification: (n) => {
        if (n.accountId !== accountId) return;
        if (n.readAt === null)
          queryClient.setQueryData<number>(notificationKeys.count(accountId), (count) => (count ?? 0) + 1);
        void queryClient.invalidateQueries({ queryKey: ['notifications', accountId, 'list'] });
        if (n.type === 'review_result' && n.conversationId)
          void queryClient.invalidateQueries({
            queryKey: notificationKeys.reviews(accountId, n.conversationId),
          });
        announce(n);
      },
      onRead: (account, ids) => {
        if (account !== accountId) return;
        markCachedRead(queryClient, accountId, ids);
        void queryClient.invalidateQueries({ queryKey: notificationKeys.count(accountId) });
      },
    });

    function announce(n: Notification) {
      const { t: tr, soundMuted: muted, preferences: prefs } = settings.current;
      const choice = prefs?.[n.type];
      if (!choice) return;
      const title = notificationText(n, tr);
      const body = n.payload.excerpt ?? n.contactName ?? '';
      const href = notificationHref(n);
      const open = () => {
        if (href) navigate(href);
        if (n.readAt === null)
          void post(`/api/accounts/${accountId}/notifications/${n.id}/read`).catch(() => undefined);
      };
      const background = tabInBackground();
      if (choice.sound && !muted) playChime();
      if (choice.browser && background) showBrowserNotification(title, body, `parley-n-${n.id}`, open);
      const looking = !background && openConversation.id === n.conversationId;
      if (choice.inApp && !background && !looking && ALERT_TYPES.has(n.type)) {
        toasts.show({
          id: `notification-${n.id}`,
          title,
          message: body,
          color: 'brand',
          autoClose: 6000,
          onClick: open,
          style: { cursor: 'pointer' },
        });
      }
    }
  }, [accountId, userId, queryClient]);
}
