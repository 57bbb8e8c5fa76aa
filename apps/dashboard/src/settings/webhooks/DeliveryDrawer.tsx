import {
  Alert,
  Button,
  Code,
  DataList,
  Drawer,
  Group,
  Paper,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { WebhookDelivery } from '@parley/shared';
import { IconSend } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useI18n } from '../../i18n/index.tsx';
import { post } from '../../lib/api.ts';
import { errorMessage } from '../../lib/errors.ts';
import { useReady } from '../../lib/session.tsx';
import { AttemptOutcome, DeliveryStatusBadge } from './DeliveryBadges.tsx';
import { useDelivery, useRefreshWebhooks, webhooksPath } from './queries.ts';

/** The body as sent, indented for reading; shown as text whatever it holds. */
function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/**
 * One delivery: every attempt with what the receiver answered, the exact body, and a redeliver button.
 * Response bodies come from other people's servers: they are only ever rendered as text.
 */
export function DeliveryDrawer({
  webhookId,
  deliveryId,
  onClose,
}: {
  webhookId: string;
  deliveryId: string | null;
  onClose: () => void;
}) {
  const { t, formatDate, formatTime } = useI18n();
  const { account } = useReady();
  const detail = useDelivery(account.accountId, webhookId, deliveryId);
  const refresh = useRefreshWebhooks(account.accountId);
  const at = (iso: string) => `${formatDate(iso)} ${formatTime(iso)}`;
  const redeliver = useMutation({
    mutationFn: () =>
      post<{ delivery: WebhookDelivery }>(
        `${webhooksPath(account.accountId)}/${webhookId}/deliveries/${deliveryId}/redeliver`,
      ),
    onSuccess: () => {
      notifications.show({ color: 'teal', message: t('webhooks.delivery.redelivered') });
      void refresh();
    },
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error, t) }),
  });
  const data = detail.data;
  return (
    <Drawer
      opened={deliveryId !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={
        <Group gap="xs">
          <Text fw={600}>{t('webhooks.delivery.title')}</Text>
          {deliveryId ? <Code fz="xs">{deliveryId}</Code> : null}
        </Group>
      }
      data-testid="delivery-drawer"
    >
      {detail.isPending ? (
        <Skeleton h={240} radius="md" />
      ) : detail.isError ? (
        <Alert color="red" variant="light">
          {errorMessage(detail.error, t)}
        </Alert>
      ) : data ? (
        <Stack gap="lg">
          <Group justify="space-between" align="flex-start">
            <Stack gap={6}>
              <Group gap="xs">
                <Text fw={600} ff="monospace" data-testid="delivery-event">
                  {data.delivery.eventType}
                </Text>
                <DeliveryStatusBadge delivery={data.delivery} />
              </Group>
              <Text fz="xs" c="dimmed" maw={360}>
                {t('webhooks.delivery.redeliverHint')}
              </Text>
            </Stack>
            <Button
              leftSection={<IconSend size={16} />}
              onClick={() => redeliver.mutate()}
              loading={redeliver.isPending}
              data-testid="redeliver"
            >
              {t('webhooks.delivery.redeliver')}
            </Button>
          </Group>
          <DataList labelWidth={140} gap="xs" size="sm">
            <DataList.Item>
              <DataList.ItemLabel>{t('webhooks.delivery.created')}</DataList.ItemLabel>
              <DataList.ItemValue>{at(data.delivery.createdAt)}</DataList.ItemValue>
            </DataList.Item>
            {data.delivery.nextAttemptAt ? (
              <DataList.Item>
                <DataList.ItemLabel>{t('webhooks.delivery.nextAttempt')}</DataList.ItemLabel>
                <DataList.ItemValue>{at(data.delivery.nextAttemptAt)}</DataList.ItemValue>
              </DataList.Item>
            ) : null}
            {data.delivery.completedAt ? (
              <DataList.Item>
                <DataList.ItemLabel>{t('webhooks.delivery.completed')}</DataList.ItemLabel>
                <DataList.ItemValue>{at(data.delivery.completedAt)}</DataList.ItemValue>
              </DataList.Item>
            ) : null}
          </DataList>

          <Stack gap="xs">
            <Title order={3} fz="sm">
              {t('webhooks.delivery.attempts')} ({data.attempts.length})
            </Title>
            {data.attempts.length === 0 ? (
              <Text fz="sm" c="dimmed">
                {t('webhooks.delivery.noAttempts')}
              </Text>
            ) : null}
            {data.attempts.map((attempt) => (
              <Paper key={attempt.attemptedAt} withBorder radius="md" p="sm" data-testid="attempt">
                <Group justify="space-between" wrap="nowrap">
                  <AttemptOutcome attempt={attempt} />
                  <Text fz="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                    {at(attempt.attemptedAt)}
                  </Text>
                </Group>
                {attempt.error ? (
                  <Text fz="xs" c="red.8" mt={6} style={{ overflowWrap: 'anywhere' }}>
                    {attempt.error}
                  </Text>
                ) : null}
                {attempt.statusCode !== null ? (
                  attempt.responseExcerpt ? (
                    <Code block mt="xs" className="webhook-code" data-testid="attempt-response">
                      {attempt.responseExcerpt}
                    </Code>
                  ) : (
                    <Text fz="xs" c="dimmed" mt={6}>
                      {t('webhooks.delivery.emptyResponse')}
                    </Text>
                  )
                ) : null}
              </Paper>
            ))}
          </Stack>

          <Stack gap="xs">
            <Title order={3} fz="sm">
              {t('webhooks.delivery.body')}
            </Title>
            {data.body === null ? (
              <Text fz="sm" c="dimmed">
                {t('webhooks.delivery.bodyPending')}
              </Text>
            ) : (
              <Code block className="webhook-code webhook-code--body" data-testid="delivery-body">
                {pretty(data.body)}
              </Code>
            )}
          </Stack>
        </Stack>
      ) : null}
    </Drawer>
  );
}
