import {
  ActionIcon,
  Box,
  Button,
  Center,
  Group,
  Indicator,
  Loader,
  Popover,
  ScrollArea,
  SegmentedControl,
  Stack,
  Text,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import type { Notification } from '@parley/shared';
import { IconBell, IconBellCheck, IconCheck } from '@tabler/icons-react';
import { useState } from 'react';
import { PersonAvatar } from '../components/common.tsx';
import { useI18n } from '../i18n/index.tsx';
import { navigate } from '../lib/router.ts';
import { useReady, useSession } from '../lib/session.tsx';
import './notifications.css';
import {
  notificationHref,
  notificationText,
  useMarkRead,
  useNotificationFeed,
  useNotificationList,
  useUnreadCount,
} from './state.ts';

function Row({
  notification,
  onOpen,
  onRead,
}: {
  notification: Notification;
  onOpen: (n: Notification) => void;
  onRead: (n: Notification) => void;
}) {
  const { t, formatRelative } = useI18n();
  const unread = notification.readAt === null;
  const where =
    notification.conversationNumber === null
      ? null
      : t('notifications.conversation', {
          contact: notification.contactName ?? t('list.visitor', { number: notification.conversationNumber }),
          number: notification.conversationNumber,
        });
  return (
    <Box className="notice" data-unread={unread || undefined} data-testid="notification-item">
      <UnstyledButton className="notice__main" onClick={() => onOpen(notification)}>
        <Group gap="sm" wrap="nowrap" align="flex-start">
          <PersonAvatar
            name={notification.actor?.name ?? notification.contactName}
            seed={notification.actor?.id ?? notification.conversationId ?? notification.id}
            size={32}
          />
          <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
            <Text fz="sm" fw={unread ? 600 : 400} lh={1.3}>
              {notificationText(notification, t)}
            </Text>
            {where ? (
              <Text fz="xs" c="dimmed" truncate>
                {where}
              </Text>
            ) : null}
            {notification.payload.excerpt ? (
              <Text fz="xs" className="notice__excerpt" lineClamp={2}>
                {notification.payload.excerpt}
              </Text>
            ) : null}
            <Text fz={11} c="dimmed">
              {formatRelative(notification.createdAt)}
            </Text>
          </Stack>
        </Group>
      </UnstyledButton>
      {unread ? (
        <Tooltip label={t('notifications.markRead')} position="left">
          <ActionIcon
            variant="subtle"
            color="gray"
            size="sm"
            className="notice__read"
            aria-label={t('notifications.markRead')}
            onClick={() => onRead(notification)}
          >
            <IconCheck size={14} />
          </ActionIcon>
        </Tooltip>
      ) : null}
    </Box>
  );
}

function NotificationList({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const { account } = useReady();
  const [filter, setFilter] = useState<'all' | 'unread'>('all');
  const list = useNotificationList(account.accountId, filter === 'unread', true);
  const count = useUnreadCount(account.accountId);
  const markRead = useMarkRead(account.accountId);
  const items = list.data?.pages.flatMap((p) => p.notifications) ?? [];

  const open = (n: Notification) => {
    if (n.readAt === null) markRead.mutate(n.id);
    const href = notificationHref(n);
    if (href) navigate(href);
    onClose();
  };

  return (
    <Stack gap={0} data-testid="notification-drawer">
      <Group justify="space-between" px="md" pt="sm" pb={8} wrap="nowrap">
        <Text fw={700} fz="md">
          {t('notifications.title')}
        </Text>
        <Button
          variant="subtle"
          size="compact-xs"
          leftSection={<IconBellCheck size={14} />}
          disabled={(count.data ?? 0) === 0}
          onClick={() => markRead.mutate(null)}
          data-testid="notification-read-all"
        >
          {t('notifications.markAllRead')}
        </Button>
      </Group>
      <Box px="md" pb="sm">
        <SegmentedControl
          size="xs"
          fullWidth
          value={filter}
          onChange={(value) => setFilter(value === 'unread' ? 'unread' : 'all')}
          data={[
            { value: 'all', label: t('notifications.filter.all') },
            { value: 'unread', label: t('notifications.filter.unread') },
          ]}
        />
      </Box>
      <ScrollArea.Autosize mah="min(70vh, 560px)" type="auto" className="notices">
        {list.isPending ? (
          <Center py="xl">
            <Loader type="dots" />
          </Center>
        ) : items.length === 0 ? (
          <Stack align="center" gap={4} py="xl" px="md">
            <IconBellCheck size={28} stroke={1.5} color="var(--mantine-color-dimmed)" />
            <Text fz="sm" fw={600}>
              {filter === 'unread' ? t('notifications.emptyUnread') : t('notifications.empty')}
            </Text>
            {filter === 'all' ? (
              <Text fz="xs" c="dimmed" ta="center">
                {t('notifications.emptyHint')}
              </Text>
            ) : null}
          </Stack>
        ) : (
          <>
            {items.map((n) => (
              <Row key={n.id} notification={n} onOpen={open} onRead={(x) => markRead.mutate(x.id)} />
            ))}
            {list.hasNextPage ? (
              <Center py="xs">
                <Button
                  variant="subtle"
                  size="compact-xs"
                  loading={list.isFetchingNextPage}
                  onClick={() => void list.fetchNextPage()}
                >
                  {t('notifications.loadMore')}
                </Button>
              </Center>
            ) : null}
          </>
        )}
      </ScrollArea.Autosize>
    </Stack>
  );
}

/** The bell in the rail: unread count, and the notification list in a popover. */
export function NotificationBell() {
  const { t } = useI18n();
  const { session, account } = useReady();
  const { preferences } = useSession();
  const phone = useMediaQuery('(max-width: 48em)', false);
  const [opened, setOpened] = useState(false);
  useNotificationFeed(account.accountId, session.user.id, preferences.soundMuted);
  const count = useUnreadCount(account.accountId).data ?? 0;
  return (
    <Popover
      opened={opened}
      onChange={setOpened}
      position={phone ? 'top' : 'right-start'}
      width={380}
      shadow="lg"
      radius="md"
      offset={10}
      withinPortal
      trapFocus
    >
      <Popover.Target>
        <Tooltip label={t('notifications.title')} position="right" disabled={opened}>
          <ActionIcon
            variant="subtle"
            color="gray"
            size={42}
            radius="md"
            onClick={() => setOpened((o) => !o)}
            aria-label={count > 0 ? `${t('notifications.title')} (${count})` : t('notifications.title')}
            data-testid="notification-bell"
          >
            <Indicator
              disabled={count === 0}
              label={count > 99 ? '99+' : count}
              size={17}
              offset={3}
              color="red"
              withBorder
              data-testid="notification-count"
              data-count={count}
            >
              <IconBell size={21} stroke={1.7} />
            </Indicator>
          </ActionIcon>
        </Tooltip>
      </Popover.Target>
      <Popover.Dropdown p={0}>
        {opened ? <NotificationList onClose={() => setOpened(false)} /> : null}
      </Popover.Dropdown>
    </Popover>
  );
}
