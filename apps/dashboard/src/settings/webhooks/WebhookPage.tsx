import {
  Alert,
  Anchor,
  Badge,
  Box,
  Breadcrumbs,
  Button,
  DataList,
  Group,
  Paper,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import type { WebhookEventType } from '@parley/shared';
import { IconPencil, IconPlayerPlay, IconRotateClockwise } from '@tabler/icons-react';
import { useI18n } from '../../i18n/index.tsx';
import { ApiError } from '../../lib/api.ts';
import { errorMessage } from '../../lib/errors.ts';
import { useInboxes } from '../../lib/queries.ts';
import { linkHandler, navigate } from '../../lib/router.ts';
import { useReady } from '../../lib/session.tsx';
import { DeliveryLog } from './DeliveryLog.tsx';
import { useWebhook } from './queries.ts';
import { useWebhookActions, WebhookMenu, WebhookState } from './WebhookActions.tsx';

/** The subscribed event types as chips: they are identifiers receivers switch on, so shown as such. */
export function EventChips({ types }: { types: WebhookEventType[] }) {
  return (
    <Group gap={4}>
      {types.map((type) => (
        <Badge key={type} variant="light" color="gray" size="sm" tt="none" className="event-chip">
          {type}
        </Badge>
      ))}
    </Group>
  );
}

/** One endpoint: what it is subscribed to, its state, and its delivery log. */
export function WebhookPage({ webhookId }: { webhookId: string }) {
  const { t, formatDate, formatTime } = useI18n();
  const { account } = useReady();
  const webhook = useWebhook(account.accountId, webhookId);
  const inboxes = useInboxes(account.accountId);
  const actions = useWebhookActions({ onDeleted: () => navigate('/settings/webhooks', { replace: true }) });
  const crumbs = (current: string) => (
    <Breadcrumbs>
      <Anchor href="/settings/webhooks" onClick={linkHandler('/settings/webhooks')} fz="sm">
        {t('webhooks.settings.title')}
      </Anchor>
      <Text fz="sm" className="webhook-crumb">
        {current}
      </Text>
    </Breadcrumbs>
  );
  if (webhook.isPending) return <Skeleton h={300} radius="lg" />;
  if (webhook.isError) {
    const gone = webhook.error instanceof ApiError && webhook.error.status === 404;
    return (
      <Stack gap="lg">
        {crumbs('…')}
        <Alert color={gone ? 'gray' : 'red'} variant="light">
          {gone ? t('webhooks.notFound') : errorMessage(webhook.error, t)}
        </Alert>
      </Stack>
    );
  }
  const endpoint = webhook.data;
  const inbox = endpoint.inboxId
    ? (inboxes.data?.find((i) => i.id === endpoint.inboxId)?.name ?? '…')
    : t('webhooks.allInboxes');
  const previousUntil =
    endpoint.previousSecretExpiresAt && new Date(endpoint.previousSecretExpiresAt).getTime() > Date.now()
      ? endpoint.previousSecretExpiresAt
      : null;
  return (
    <Stack gap="lg" data-testid="webhook-page">
      {actions.dialogs}
      {crumbs(new URL(endpoint.url).host)}
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="md">
        <Box miw={0}>
          <Title order={1} fz={20} fw={600} className="webhook-url" data-testid="webhook-title">
            {endpoint.url}
          </Title>
          {endpoint.description ? (
            <Text c="dimmed" fz="sm" mt={4}>
              {endpoint.description}
            </Text>
          ) : null}
        </Box>
        <Group gap="xs" wrap="nowrap">
          {!endpoint.enabled ? (
            <Button
              variant="light"
              leftSection={<IconPlayerPlay size={16} />}
              onClick={() => actions.setEnabled(endpoint, true)}
              loading={actions.enabling}
              data-testid="webhook-enable"
            >
              {t('webhooks.actions.enable')}
            </Button>
          ) : null}
          <Button
            variant="default"
            leftSection={<IconPencil size={16} />}
            onClick={() => actions.edit(endpoint)}
            data-testid="webhook-edit"
          >
            {t('webhooks.actions.edit')}
          </Button>
          <WebhookMenu webhook={endpoint} actions={actions} withLog={false} />
        </Group>
      </Group>
      <Paper withBorder radius="lg" p={{ base: 'md', sm: 'lg' }}>
        <DataList labelWidth={140} gap="sm">
          <DataList.Item>
            <DataList.ItemLabel>{t('webhooks.log.status')}</DataList.ItemLabel>
            <DataList.ItemValue>
              <WebhookState webhook={endpoint} withReason />
            </DataList.ItemValue>
          </DataList.Item>
          <DataList.Item>
            <DataList.ItemLabel>{t('webhooks.form.events')}</DataList.ItemLabel>
            <DataList.ItemValue>
              <EventChips types={endpoint.eventTypes} />
            </DataList.ItemValue>
          </DataList.Item>
          <DataList.Item>
            <DataList.ItemLabel>{t('webhooks.form.inbox')}</DataList.ItemLabel>
            <DataList.ItemValue>{inbox}</DataList.ItemValue>
          </DataList.Item>
          <DataList.Item>
            <DataList.ItemLabel>{t('webhooks.secret.label')}</DataList.ItemLabel>
            <DataList.ItemValue>
              <Group gap="sm">
                <Text fz="sm" ff="monospace" component="span">
                  whsec_…
                </Text>
                <Button
                  size="compact-xs"
                  variant="subtle"
                  leftSection={<IconRotateClockwise size={14} />}
                  onClick={() => actions.rotate(endpoint)}
                >
                  {t('webhooks.actions.rotate')}
                </Button>
              </Group>
              {previousUntil ? (
                <Text fz="xs" c="dimmed">
                  {t('webhooks.detail.previousSecret', {
                    time: `${formatDate(previousUntil)} ${formatTime(previousUntil)}`,
                  })}
                </Text>
              ) : null}
            </DataList.ItemValue>
          </DataList.Item>
          <DataList.Item>
            <DataList.ItemLabel>{t('webhooks.delivery.created')}</DataList.ItemLabel>
            <DataList.ItemValue>{formatDate(endpoint.createdAt)}</DataList.ItemValue>
          </DataList.Item>
        </DataList>
      </Paper>
      <DeliveryLog webhookId={endpoint.id} />
    </Stack>
  );
}
