import { Badge, Group, Text } from '@mantine/core';
import type { WebhookAttempt, WebhookDelivery } from '@parley/shared';
import { type MessageKey, useI18n } from '../../i18n/index.tsx';
import type { DeliveryStatus } from './queries.ts';

const statusColors: Record<DeliveryStatus, string> = { pending: 'blue', succeeded: 'teal', failed: 'red' };

export function DeliveryStatusBadge({ delivery }: { delivery: WebhookDelivery }) {
  const { t } = useI18n();
  // A pending delivery that has already failed once is being retried.
  const retrying = delivery.status === 'pending' && delivery.lastAttempt !== null;
  return (
    <Badge
      color={retrying ? 'orange' : statusColors[delivery.status]}
      variant="light"
      tt="none"
      data-status={delivery.status}
    >
      {t(retrying ? 'webhooks.status.retrying' : (`webhooks.status.${delivery.status}` as MessageKey))}
    </Badge>
  );
}

function codeColor(code: number | null): string {
  if (code === null) return 'gray';
  if (code < 300) return 'teal';
  if (code < 400) return 'yellow';
  if (code < 500) return 'orange';
  return 'red';
}

/** The HTTP status and latency of an attempt, or what went wrong before any status came back. */
export function AttemptOutcome({ attempt }: { attempt: WebhookAttempt }) {
  const { t } = useI18n();
  return (
    <Group gap={6} wrap="nowrap" miw={0}>
      {attempt.statusCode !== null ? (
        <Text
          fz="sm"
          fw={600}
          ff="monospace"
          c={`${codeColor(attempt.statusCode)}.8`}
          data-testid="status-code"
        >
          {attempt.statusCode}
        </Text>
      ) : (
        <Text fz="sm" c="red.8">
          {t('webhooks.log.noAnswer')}
        </Text>
      )}
      {attempt.latencyMs !== null ? (
        <Text fz="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          {t('webhooks.delivery.latency', { ms: attempt.latencyMs })}
        </Text>
      ) : null}
    </Group>
  );
}
