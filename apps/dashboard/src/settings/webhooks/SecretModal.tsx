import { Alert, Button, Code, Group, Modal, NumberInput, Stack, Text, Title } from '@mantine/core';
import type { Webhook } from '@parley/shared';
import { IconAlertTriangle, IconShieldLock } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Copyable } from '../../components/Copyable.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { post } from '../../lib/api.ts';
import { errorMessage } from '../../lib/errors.ts';
import { useReady } from '../../lib/session.tsx';
import { useRefreshWebhooks, type WebhookWithSecret, webhooksPath } from './queries.ts';

/** What a receiver computes; code, so it stays the same in every language. */
const VERIFY_SNIPPET = `signed   = webhook-id + "." + webhook-timestamp + "." + raw body
key      = base64decode(secret without "whsec_")
expected = "v1," + base64(HMAC-SHA256(key, signed))
valid    = expected is one of the space-separated values of webhook-signature`;

export function VerifyHint() {
  const { t } = useI18n();
  return (
    <Stack gap={6} data-testid="verify-hint">
      <Group gap={6}>
        <IconShieldLock size={16} color="var(--mantine-color-brand-6)" />
        <Title order={3} fz="sm">
          {t('webhooks.verify.title')}
        </Title>
      </Group>
      <Text fz="sm" c="dimmed">
        {t('webhooks.verify.text')}
      </Text>
      <Code block fz="xs">
        {VERIFY_SNIPPET}
      </Code>
    </Stack>
  );
}

/** The signing secret, shown once: closing this dialog forgets it for good. */
export function SecretModal({
  shown,
  rotated,
  onClose,
}: {
  shown: WebhookWithSecret;
  rotated: boolean;
  onClose: () => void;
}) {
  const { t, formatDate, formatTime } = useI18n();
  const until = shown.webhook.previousSecretExpiresAt;
  return (
    <Modal
      opened
      onClose={onClose}
      title={rotated ? t('webhooks.secret.rotatedTitle') : t('webhooks.secret.createdTitle')}
      size="lg"
      closeOnClickOutside={false}
      data-testid="webhook-secret-dialog"
    >
      <Stack>
        <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
          {t('webhooks.secret.once')}
        </Alert>
        <Stack gap={6}>
          <Text fz="sm" fw={600}>
            {t('webhooks.secret.label')}
          </Text>
          <Text fz="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            {shown.webhook.url}
          </Text>
          <Copyable value={shown.secret} testId="webhook-secret" multiline />
        </Stack>
        {rotated && until ? (
          <Text fz="sm" c="dimmed">
            {t('webhooks.secret.overlap', { time: `${formatDate(until)} ${formatTime(until)}` })}
          </Text>
        ) : null}
        <VerifyHint />
        <Group justify="flex-end">
          <Button onClick={onClose} data-testid="webhook-secret-done">
            {t('webhooks.secret.done')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

const DEFAULT_OVERLAP_HOURS = 24;

export function RotateModal({
  webhook,
  onClose,
  onRotated,
}: {
  webhook: Webhook;
  onClose: () => void;
  onRotated: (rotated: WebhookWithSecret) => void;
}) {
  const { t } = useI18n();
  const { account } = useReady();
  const refresh = useRefreshWebhooks(account.accountId);
  const [hours, setHours] = useState<number>(DEFAULT_OVERLAP_HOURS);
  const rotate = useMutation({
    mutationFn: () =>
      post<WebhookWithSecret>(`${webhooksPath(account.accountId)}/${webhook.id}/rotate-secret`, {
        overlapMinutes: Math.round(hours * 60),
      }),
    onSuccess: (rotated) => {
      void refresh();
      onRotated(rotated);
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('webhooks.rotate.title')} size="md">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          rotate.mutate();
        }}
      >
        <Stack>
          <Text fz="sm" c="dimmed">
            {t('webhooks.rotate.text')}
          </Text>
          <NumberInput
            label={t('webhooks.rotate.overlap')}
            description={t('webhooks.rotate.overlapHint')}
            value={hours}
            onChange={(value) => setHours(typeof value === 'number' ? value : Number(value) || 0)}
            min={0}
            max={168}
            allowDecimal={false}
            clampBehavior="strict"
            name="overlapHours"
          />
          {rotate.isError ? (
            <Alert color="red" variant="light">
              {errorMessage(rotate.error, t)}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={rotate.isPending} data-testid="rotate-secret">
              {t('webhooks.rotate.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
