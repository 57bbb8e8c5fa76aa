import { ActionIcon, Badge, Menu, Stack, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { Webhook } from '@parley/shared';
import {
  IconDots,
  IconHistory,
  IconPencil,
  IconPlayerPause,
  IconPlayerPlay,
  IconRotateClockwise,
  IconTrash,
} from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useConfirm } from '../../components/Confirm.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { del, patch } from '../../lib/api.ts';
import { errorMessage } from '../../lib/errors.ts';
import { linkHandler } from '../../lib/router.ts';
import { useReady } from '../../lib/session.tsx';
import { useRefreshWebhooks, type WebhookWithSecret, webhooksPath } from './queries.ts';
import { RotateModal, SecretModal } from './SecretModal.tsx';
import { WebhookForm } from './WebhookForm.tsx';

/** Active, failing since…, or disabled (with the reason underneath when `withReason`, else on hover). */
export function WebhookState({ webhook, withReason = false }: { webhook: Webhook; withReason?: boolean }) {
  const { t, formatDate, formatTime } = useI18n();
  if (!webhook.enabled) {
    const reason = webhook.disabledReason ?? t('webhooks.state.turnedOff');
    return (
      <Stack gap={2} align="flex-start">
        <Tooltip label={reason} disabled={withReason}>
          <Badge color="red" variant="light" data-state="disabled">
            {t('webhooks.state.disabled')}
          </Badge>
        </Tooltip>
        {withReason ? (
          <Text fz="xs" c="dimmed" data-testid="webhook-disabled-reason">
            {reason}
          </Text>
        ) : null}
      </Stack>
    );
  }
  if (webhook.failingSince) {
    const since = `${formatDate(webhook.failingSince)} ${formatTime(webhook.failingSince)}`;
    return (
      <Stack gap={2} align={withReason ? 'flex-start' : 'flex-end'}>
        <Badge color="orange" variant="light" data-state="failing">
          {t('webhooks.state.failing')}
        </Badge>
        <Text fz="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          {t('webhooks.state.failingSince', { time: since })}
        </Text>
      </Stack>
    );
  }
  return (
    <Badge color="teal" variant="light" data-state="active">
      {t('webhooks.state.active')}
    </Badge>
  );
}

type Shown = { value: WebhookWithSecret; rotated: boolean };

/**
 * Everything an admin can do to endpoints, with the dialogs it needs; the list and the endpoint page
 * both use it. `dialogs` must be rendered once.
 */
export function useWebhookActions({ onDeleted }: { onDeleted?: () => void } = {}) {
  const { t } = useI18n();
  const { account } = useReady();
  const refresh = useRefreshWebhooks(account.accountId);
  const confirm = useConfirm();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Webhook | null>(null);
  const [rotating, setRotating] = useState<Webhook | null>(null);
  const [shown, setShown] = useState<Shown | null>(null);
  const failed = (error: unknown) => notifications.show({ color: 'red', message: errorMessage(error, t) });
  const setEnabled = useMutation({
    mutationFn: ({ webhook, enabled }: { webhook: Webhook; enabled: boolean }) =>
      patch<{ webhook: Webhook }>(`${webhooksPath(account.accountId)}/${webhook.id}`, { enabled }),
    onSuccess: ({ webhook }) => {
      notifications.show({
        color: webhook.enabled ? 'teal' : 'gray',
        message: webhook.enabled ? t('webhooks.enabledNotice') : t('webhooks.disabledNotice'),
      });
      void refresh();
    },
    onError: failed,
  });
  const remove = useMutation({
    mutationFn: (webhook: Webhook) => del(`${webhooksPath(account.accountId)}/${webhook.id}`),
    onSuccess: () => {
      notifications.show({ color: 'teal', message: t('webhooks.deleted') });
      onDeleted?.();
      void refresh();
    },
    onError: failed,
  });
  const dialogs = (
    <>
      {confirm.dialog}
      {creating ? (
        <WebhookForm
          onClose={() => setCreating(false)}
          onCreated={(value) => {
            setCreating(false);
            setShown({ value, rotated: false });
          }}
        />
      ) : null}
      {editing ? <WebhookForm editing={editing} onClose={() => setEditing(null)} /> : null}
      {rotating ? (
        <RotateModal
          webhook={rotating}
          onClose={() => setRotating(null)}
          onRotated={(value) => {
            setRotating(null);
            setShown({ value, rotated: true });
          }}
        />
      ) : null}
      {shown ? (
        <SecretModal shown={shown.value} rotated={shown.rotated} onClose={() => setShown(null)} />
      ) : null}
    </>
  );
  return {
    dialogs,
    create: () => setCreating(true),
    edit: setEditing,
    rotate: setRotating,
    setEnabled: (webhook: Webhook, enabled: boolean) => setEnabled.mutate({ webhook, enabled }),
    enabling: setEnabled.isPending,
    askDelete: (webhook: Webhook) =>
      confirm.ask(t('webhooks.deleteConfirm', { url: webhook.url }), t('webhooks.actions.delete'), () =>
        remove.mutate(webhook),
      ),
  };
}

export type WebhookActions = ReturnType<typeof useWebhookActions>;

export function WebhookMenu({
  webhook,
  actions,
  withLog = true,
}: {
  webhook: Webhook;
  actions: WebhookActions;
  withLog?: boolean;
}) {
  const { t } = useI18n();
  const logPath = `/settings/webhooks/${webhook.id}`;
  return (
    <Menu position="bottom-end" withinPortal shadow="md" width={200}>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={t('common.more')} data-testid="webhook-menu">
          <IconDots size={18} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        {withLog ? (
          <Menu.Item
            component="a"
            href={logPath}
            onClick={linkHandler(logPath)}
            leftSection={<IconHistory size={16} />}
          >
            {t('webhooks.actions.open')}
          </Menu.Item>
        ) : null}
        <Menu.Item leftSection={<IconPencil size={16} />} onClick={() => actions.edit(webhook)}>
          {t('webhooks.actions.edit')}
        </Menu.Item>
        <Menu.Item
          leftSection={<IconRotateClockwise size={16} />}
          onClick={() => actions.rotate(webhook)}
          data-testid="webhook-rotate"
        >
          {t('webhooks.actions.rotate')}
        </Menu.Item>
        {webhook.enabled ? (
          <Menu.Item
            leftSection={<IconPlayerPause size={16} />}
            onClick={() => actions.setEnabled(webhook, false)}
          >
            {t('webhooks.actions.disable')}
          </Menu.Item>
        ) : (
          <Menu.Item
            leftSection={<IconPlayerPlay size={16} />}
            onClick={() => actions.setEnabled(webhook, true)}
          >
            {t('webhooks.actions.enable')}
          </Menu.Item>
        )}
        <Menu.Divider />
        <Menu.Item
          color="red"
          leftSection={<IconTrash size={16} />}
          onClick={() => actions.askDelete(webhook)}
          data-testid="webhook-delete"
        >
          {t('webhooks.actions.delete')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
