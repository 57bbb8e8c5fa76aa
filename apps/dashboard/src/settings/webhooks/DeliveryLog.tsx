import {
  ActionIcon,
  Alert,
  Box,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Skeleton,
  Table,
  Text,
  Title,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import type { WebhookDelivery } from '@parley/shared';
import { IconHistory, IconRefresh } from '@tabler/icons-react';
import { useState } from 'react';
import { Empty, RelativeTime } from '../../components/common.tsx';
import { type MessageKey, useI18n } from '../../i18n/index.tsx';
import { errorMessage } from '../../lib/errors.ts';
import { navigate, useLocation } from '../../lib/router.ts';
import { useReady } from '../../lib/session.tsx';
import { AttemptOutcome, DeliveryStatusBadge } from './DeliveryBadges.tsx';
import { DeliveryDrawer } from './DeliveryDrawer.tsx';
import { type DeliveryStatus, useDeliveries, useRefreshWebhooks } from './queries.ts';

const statuses: DeliveryStatus[] = ['pending', 'succeeded', 'failed'];
function DeliveryRow({ delivery, onOpen }: { delivery: WebhookDelivery; onOpen: () => void }) {
  const { t, formatRelative } = useI18n();
  return (
    <Table.Tr className="delivery-row" onClick={onOpen} data-delivery-id={delivery.id}>
      <Table.Td>
        <UnstyledButton
          onClick={(event) => {
            event.stopPropagation();
            onOpen();
          }}
          className="delivery-row__open"
        >
          <Text fz="sm" ff="monospace">
            {delivery.eventType}
          </Text>
        </UnstyledButton>
      </Table.Td>
      <Table.Td>
        <DeliveryStatusBadge delivery={delivery} />
      </Table.Td>
      <Table.Td ta="center">
        <Text fz="sm">{delivery.attempts}</Text>
      </Table.Td>
      <Table.Td>
        {delivery.lastAttempt ? (
          <AttemptOutcome attempt={delivery.lastAttempt} />
        ) : (
          <Text fz="sm" c="dimmed">
            {t('webhooks.log.notSent')}
          </Text>
        )}
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text fz="sm">
          <RelativeTime iso={delivery.createdAt} />
        </Text>
        {delivery.nextAttemptAt ? (
          <Text fz="xs" c="dimmed" data-testid="next-attempt">
            {t('webhooks.log.nextAttempt', { time: formatRelative(delivery.nextAttemptAt) })}
          </Text>
        ) : null}
      </Table.Td>
    </Table.Tr>
  );
}

/** An endpoint's deliveries, newest first, a page at a time; a delivery opens in a drawer. */
export function DeliveryLog({ webhookId }: { webhookId: string }) {
  const { t } = useI18n();
  const { account } = useReady();
  const { search } = useLocation();
  const [status, setStatus] = useState<DeliveryStatus | null>(null);
  const deliveries = useDeliveries(account.accountId, webhookId, status);
  const refresh = useRefreshWebhooks(account.accountId);
  // The open delivery lives in the address, so a reload or a shared link shows it again.
  const openId = search.get('delivery');
  const path = `/settings/webhooks/${webhookId}`;
  const rows = deliveries.data?.pages.flatMap((page) => page.deliveries) ?? [];
  return (
    <Paper withBorder radius="lg" className="delivery-log" data-testid="delivery-log">
      <Group justify="space-between" align="flex-start" px={{ base: 'md', sm: 'lg' }} py="md" gap="sm">
        <Box>
          <Title order={2} fz={16}>
            {t('webhooks.log.title')}
          </Title>
          <Text fz="xs" c="dimmed" mt={2}>
            {t('webhooks.log.subtitle')}
          </Text>
        </Box>
        <Group gap="xs" wrap="nowrap">
          <SegmentedControl
            size="xs"
            aria-label={t('webhooks.log.filter')}
            value={status ?? 'all'}
            onChange={(value) => setStatus(value === 'all' ? null : (value as DeliveryStatus))}
            data={[
              { value: 'all', label: t('webhooks.log.all') },
              ...statuses.map((s) => ({ value: s, label: t(`webhooks.status.${s}` as MessageKey) })),
            ]}
            data-testid="delivery-filter"
          />
          <Tooltip label={t('webhooks.log.refresh')}>
            <ActionIcon
              variant="subtle"
              color="gray"
              onClick={() => void refresh()}
              loading={deliveries.isRefetching && !deliveries.isFetchingNextPage}
              aria-label={t('webhooks.log.refresh')}
              data-testid="delivery-refresh"
            >
              <IconRefresh size={16} />
            </ActionIcon>
          </Tooltip>
        </Group>
      </Group>
      {deliveries.isPending ? (
        <Box p="lg">
          <Skeleton h={80} radius="md" />
        </Box>
      ) : deliveries.isError ? (
        <Box p="lg">
          <Alert color="red" variant="light">
            {errorMessage(deliveries.error, t)}
          </Alert>
        </Box>
      ) : rows.length === 0 ? (
        <Box className="delivery-log__empty">
          {status ? (
            <Text fz="sm" c="dimmed" ta="center" py="xl">
              {t('webhooks.log.emptyFiltered')}
            </Text>
          ) : (
            <Empty
              icon={<IconHistory size={26} />}
              title={t('webhooks.log.empty')}
              description={t('webhooks.log.emptyHint')}
            />
          )}
        </Box>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing="sm" horizontalSpacing="lg" highlightOnHover data-testid="delivery-table">
            <Table.Thead>
              <Table.Tr style={{ whiteSpace: 'nowrap' }}>
                <Table.Th>{t('webhooks.log.event')}</Table.Th>
                <Table.Th>{t('webhooks.log.status')}</Table.Th>
                <Table.Th ta="center">{t('webhooks.log.attempts')}</Table.Th>
                <Table.Th>{t('webhooks.log.response')}</Table.Th>
                <Table.Th>{t('webhooks.log.time')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((delivery) => (
                <DeliveryRow
                  key={delivery.id}
                  delivery={delivery}
                  onOpen={() => navigate(`${path}?delivery=${delivery.id}`, { replace: true })}
                />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {deliveries.hasNextPage ? (
        <Group justify="center" p="md" className="delivery-log__more">
          <Button
            variant="default"
            size="xs"
            onClick={() => void deliveries.fetchNextPage()}
            loading={deliveries.isFetchingNextPage}
            data-testid="delivery-more"
          >
            {t('webhooks.log.loadMore')}
          </Button>
        </Group>
      ) : null}
      <DeliveryDrawer
        webhookId={webhookId}
        deliveryId={openId && /^msg_[A-Za-z0-9]{10,40}$/.test(openId) ? openId : null}
        onClose={() => navigate(path, { replace: true })}
      />
    </Paper>
  );
}
