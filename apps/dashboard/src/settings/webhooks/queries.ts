import type { Webhook, WebhookAttempt, WebhookDelivery, WebhookEventType } from '@parley/shared';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MessageKey } from '../../i18n/index.tsx';
import { get, qs } from '../../lib/api.ts';

export type DeliveryStatus = WebhookDelivery['status'];
export type WebhookWithSecret = { webhook: Webhook; secret: string };
export type DeliveryDetail = { delivery: WebhookDelivery; attempts: WebhookAttempt[]; body: string | null };

/** Every webhook query of an account sits under one prefix, so a change refreshes them together. */
export const webhookKeys = {
  all: (accountId: string) => ['webhooks', accountId] as const,
  one: (accountId: string, id: string) => ['webhooks', accountId, id] as const,
  deliveries: (accountId: string, id: string, status: DeliveryStatus | null) =>
    ['webhooks', accountId, id, 'deliveries', status ?? 'all'] as const,
  delivery: (accountId: string, id: string, deliveryId: string) =>
    ['webhooks', accountId, id, 'delivery', deliveryId] as const,
};

export const webhooksPath = (accountId: string) => `/api/accounts/${accountId}/webhooks`;

export const eventHint = (type: WebhookEventType) => `webhooks.event.${type}` as MessageKey;

/**
 * Pending deliveries change by themselves (attempts, retries): the log polls quickly while any is
 * pending, and slowly otherwise so new deliveries show up.
 */
const POLL_PENDING_MS = 2_000;
const POLL_IDLE_MS = 15_000;

export function useWebhooks(accountId: string, enabled: boolean) {
  return useQuery({
    queryKey: webhookKeys.all(accountId),
    queryFn: async () => (await get<{ webhooks: Webhook[] }>(webhooksPath(accountId))).webhooks,
    enabled,
  });
}

export function useWebhook(accountId: string, id: string) {
  return useQuery({
    queryKey: webhookKeys.one(accountId, id),
    queryFn: async () => (await get<{ webhook: Webhook }>(`${webhooksPath(accountId)}/${id}`)).webhook,
    retry: false,
    // Its state (failing, disabled) changes as deliveries fail or succeed.
    refetchInterval: POLL_IDLE_MS,
  });
}

export function useDeliveries(accountId: string, id: string, status: DeliveryStatus | null) {
  return useInfiniteQuery({
    queryKey: webhookKeys.deliveries(accountId, id, status),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      get<{ deliveries: WebhookDelivery[]; nextCursor: string | null }>(
        `${webhooksPath(accountId)}/${id}/deliveries${qs({ status: status ?? undefined, cursor: pageParam })}`,
      ),
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.deliveries.some((d) => d.status === 'pending'))
        ? POLL_PENDING_MS
        : POLL_IDLE_MS,
  });
}

export function useDelivery(accountId: string, id: string, deliveryId: string | null) {
  return useQuery({
    queryKey: webhookKeys.delivery(accountId, id, deliveryId ?? ''),
    enabled: deliveryId !== null,
    queryFn: () => get<DeliveryDetail>(`${webhooksPath(accountId)}/${id}/deliveries/${deliveryId}`),
    refetchInterval: (query) => (query.state.data?.delivery.status === 'pending' ? POLL_PENDING_MS : false),
  });
}

export function useRefreshWebhooks(accountId: string) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: webhookKeys.all(accountId) });
}
