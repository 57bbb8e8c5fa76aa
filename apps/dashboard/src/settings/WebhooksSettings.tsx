import { Alert, Anchor, Box, Button, Group, Paper, Skeleton, Stack, Text, ThemeIcon } from '@mantine/core';
import type { Inbox, Webhook } from '@parley/shared';
import { IconPlayerPlay, IconPlus, IconWebhook } from '@tabler/icons-react';
import { Empty } from '../components/common.tsx';
import { useI18n } from '../i18n/index.tsx';
import { errorMessage } from '../lib/errors.ts';
import { useInboxes } from '../lib/queries.ts';
import { linkHandler } from '../lib/router.ts';
import { useReady } from '../lib/session.tsx';
import { SectionHeader } from './SettingsScreen.tsx';
import { useWebhooks } from './webhooks/queries.ts';
import {
  useWebhookActions,
  type WebhookActions,
  WebhookMenu,
  WebhookState,
} from './webhooks/WebhookActions.tsx';
import { EventChips, WebhookPage } from './webhooks/WebhookPage.tsx';
import './webhooks/webhooks.css';

/** `/settings/webhooks` lists the endpoints; `/settings/webhooks/:id` is one endpoint and its delivery log. */
export function WebhooksSettings({ isAdmin, webhookId }: { isAdmin: boolean; webhookId?: string }) {
  if (isAdmin && webhookId) return <WebhookPage webhookId={webhookId} />;
  return <WebhookList isAdmin={isAdmin} />;
}

function WebhookRow({
  webhook,
  inboxes,
  actions,
}: {
  webhook: Webhook;
  inboxes: Inbox[];
  actions: WebhookActions;
}) {
  const { t, formatDate } = useI18n();
  const path = `/settings/webhooks/${webhook.id}`;
  const inbox = webhook.inboxId
    ? (inboxes.find((i) => i.id === webhook.inboxId)?.name ?? '…')
    : t('webhooks.allInboxes');
  const meta = [webhook.description, inbox, t('webhooks.addedOn', { date: formatDate(webhook.createdAt) })]
    .filter(Boolean)
    .join(' · ');
  return (
    <Box className="table-row webhook-row" data-webhook-url={webhook.url} data-webhook-id={webhook.id}>
      <Group gap="md" wrap="nowrap" align="flex-start" className="webhook-row__main">
        <ThemeIcon variant="light" size={36} radius="md" color={webhook.enabled ? 'brand' : 'gray'}>
          <IconWebhook size={20} stroke={1.7} />
        </ThemeIcon>
        <Stack gap={6} className="webhook-row__text">
          <Anchor href={path} onClick={linkHandler(path)} fw={600} fz="sm" className="webhook-url">
            {webhook.url}
          </Anchor>
          <Text fz="xs" c="dimmed">
            {meta}
          </Text>
          {!webhook.enabled ? (
            <Text fz="xs" c="red.7" data-testid="webhook-disabled-reason">
              {webhook.disabledReason ?? t('webhooks.state.turnedOff')}
            </Text>
          ) : null}
          <EventChips types={webhook.eventTypes} />
        </Stack>
      </Group>
      <Group gap="sm" wrap="nowrap" className="webhook-row__side">
        <WebhookState webhook={webhook} />
        {!webhook.enabled ? (
          <Button
            size="xs"
            variant="light"
            leftSection={<IconPlayerPlay size={14} />}
            onClick={() => actions.setEnabled(webhook, true)}
            loading={actions.enabling}
            data-testid="webhook-enable"
          >
            {t('webhooks.actions.enable')}
          </Button>
        ) : null}
        <WebhookMenu webhook={webhook} actions={actions} />
      </Group>
    </Box>
  );
}

function WebhookList({ isAdmin }: { isAdmin: boolean }) {
  const { t } = useI18n();
  const { account } = useReady();
  const webhooks = useWebhooks(account.accountId, isAdmin);
  const inboxes = useInboxes(account.accountId);
  const actions = useWebhookActions();
  const newButton = isAdmin ? (
    <Button leftSection={<IconPlus size={16} />} onClick={actions.create} data-testid="new-webhook">
      {t('webhooks.settings.new')}
    </Button>
  ) : null;
  return (
    <>
      {actions.dialogs}
      <SectionHeader
        title={t('webhooks.settings.title')}
        subtitle={t('webhooks.settings.subtitle')}
        action={newButton}
      />
      {!isAdmin ? (
        <Alert color="gray" variant="light">
          {t('webhooks.settings.adminsOnly')}
        </Alert>
      ) : webhooks.isPending ? (
        <Skeleton h={120} radius="lg" />
      ) : webhooks.isError ? (
        <Alert color="red" variant="light">
          {errorMessage(webhooks.error, t)}
        </Alert>
      ) : webhooks.data.length === 0 ? (
        <Paper withBorder radius="lg" p="xl">
          <Empty
            icon={<IconWebhook size={26} />}
            title={t('webhooks.settings.empty')}
            description={t('webhooks.settings.emptyHint')}
          >
            {newButton}
          </Empty>
        </Paper>
      ) : (
        <Paper withBorder radius="lg" className="table-card" data-testid="webhook-list">
          {webhooks.data.map((webhook) => (
            <WebhookRow key={webhook.id} webhook={webhook} inboxes={inboxes.data ?? []} actions={actions} />
          ))}
        </Paper>
      )}
    </>
  );
}
