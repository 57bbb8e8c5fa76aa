import {
  Badge,
  Box,
  Button,
  Group,
  Loader,
  ScrollArea,
  SegmentedControl,
  Select,
  Skeleton,
  Stack,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import type { Conversation, Inbox } from '@parley/shared';
import { IconBell, IconInbox, IconMessageCircle, IconPlus } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { Empty, PersonAvatar, RelativeTime, StatusBadge } from '../components/common.tsx';
import { useT } from '../i18n/index.tsx';
import { notificationPermission, requestNotificationPermission } from '../lib/alerts.ts';
import { unreadOf } from '../lib/conversation-store.ts';
import { linkHandler, navigate } from '../lib/router.ts';
import { TagChips } from '../tags/TagChip.tsx';
import { FilterBar } from './FilterBar.tsx';
import { filterSearch } from './filters.ts';
import { botViews, type ListFilter, lifecycleViews, primaryViews, type View } from './list-state.ts';

export function hrefFor(filter: ListFilter, conversationId?: string): string {
  const search = filterSearch(filter).toString();
  return `/inbox/${filter.view}${conversationId ? `/${conversationId}` : ''}${search ? `?${search}` : ''}`;
}

function Row({
  conversation,
  inboxName,
  selected,
  href,
}: {
  conversation: Conversation;
  inboxName: string | undefined;
  selected: boolean;
  href: string;
}) {
  const t = useT();
  const unread = selected ? 0 : unreadOf(conversation);
  const name = conversation.contactName ?? t('list.visitor', { number: conversation.number });
  return (
    <UnstyledButton
      component="a"
      href={href}
      onClick={linkHandler(href)}
      className="row"
      data-selected={selected || undefined}
      data-unread={unread > 0 || undefined}
      data-conversation-id={conversation.id}
      aria-current={selected ? 'true' : undefined}
    >
      <PersonAvatar name={conversation.contactName} seed={conversation.contactId} size={40} />
      <Box className="row__body">
        <Group justify="space-between" gap={6} wrap="nowrap">
          <Text className="row__name" fz="sm" fw={unread > 0 ? 700 : 600} truncate>
            {name}
          </Text>
          <Text fz="xs" c="dimmed" className="row__time">
            <RelativeTime iso={conversation.lastActivityAt} />
          </Text>
        </Group>
        <Group justify="space-between" gap={6} wrap="nowrap" mt={2}>
          <Text fz="sm" c={unread > 0 ? undefined : 'dimmed'} truncate className="row__preview">
            {conversation.lastMessagePreview ?? t('list.noMessages')}
          </Text>
          {unread > 0 ? (
            <Badge
              size="sm"
              circle={unread < 10}
              variant="filled"
              aria-label={t('list.unread', { count: unread })}
            >
              {unread > 99 ? '99+' : unread}
            </Badge>
          ) : null}
        </Group>
        <Group gap={6} mt={6} wrap="nowrap">
          <StatusBadge status={conversation.status} size="xs" />
          <TagChips accountId={conversation.accountId} tagIds={conversation.tagIds} max={2} />
          <Text fz={11} c="dimmed" truncate>
            #{conversation.number}
            {inboxName ? ` · ${inboxName}` : ''}
          </Text>
        </Group>
      </Box>
    </UnstyledButton>
  );
}

export function ConversationList({
  filter,
  conversations,
  inboxes,
  selectedId,
  loading,
  hasMore,
  loadingMore,
  onLoadMore,
  isAdmin,
  compactViews,
}: {
  filter: ListFilter;
  conversations: Conversation[];
  inboxes: Inbox[] | undefined;
  selectedId: string | undefined;
  loading: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  isAdmin: boolean;
  compactViews: boolean;
}) {
  const t = useT();
  const sentinel = useRef<HTMLDivElement>(null);
  const [permission, setPermission] = useState(notificationPermission);
  const inboxNames = new Map((inboxes ?? []).map((i) => [i.id, i.name]));

  useEffect(() => {
    const node = sentinel.current;
    if (!node || !hasMore) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) onLoadMore();
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [hasMore, onLoadMore]);

  const go = (next: Partial<ListFilter>) => navigate(hrefFor({ ...filter, ...next }, selectedId));
  const noInboxes = inboxes !== undefined && inboxes.length === 0;

  return (
    <section className="list" aria-label={t('views.title')}>
      <Box className="list__header">
        <Title order={3} fz={18} mb="sm">
          {filter.inboxId
            ? (inboxes?.find((i) => i.id === filter.inboxId)?.name ?? t('views.all'))
            : t(`views.${filter.view}`)}
        </Title>
        {compactViews ? (
          <>
            <SegmentedControl
              fullWidth
              size="xs"
              mb="xs"
              value={filter.view}
              onChange={(value) => go({ view: value as View })}
              data={primaryViews.map((v) => ({ value: v, label: t(`views.${v}`) }))}
            />
            {/* The bot and lifecycle views do not fit the switcher; narrow screens pick them here. */}
            <Select
              size="xs"
              mb="xs"
              aria-label={t('views.title')}
              data={[...botViews, ...lifecycleViews].map((v) => ({ value: v, label: t(`views.${v}`) }))}
              value={(primaryViews as readonly string[]).includes(filter.view) ? null : filter.view}
              placeholder={`${t('views.botSection')} · ${t('views.lifecycleSection')}`}
              onChange={(value) => {
                if (value) go({ view: value as View });
              }}
              data-testid="more-views"
            />
          </>
        ) : null}
        <FilterBar filter={filter} inboxes={inboxes} onChange={go} />
      </Box>
      {permission === 'default' && conversations.length > 0 ? (
        <Group className="notify-bar" gap="sm" wrap="nowrap">
          <IconBell size={16} style={{ flexShrink: 0 }} />
          <Text fz="xs" style={{ flex: 1 }}>
            {t('list.enableNotifications')}
          </Text>
          <Button
            size="compact-xs"
            variant="white"
            style={{ flexShrink: 0 }}
            onClick={() => void requestNotificationPermission().then(setPermission)}
          >
            {t('list.enable')}
          </Button>
        </Group>
      ) : null}
      <ScrollArea className="list__scroll" type="hover" scrollbarSize={8}>
        {loading ? (
          <Stack gap={0} p="xs">
            {[0, 1, 2, 3, 4].map((i) => (
              <Group key={i} p="sm" gap="sm" wrap="nowrap">
                <Skeleton circle h={40} w={40} />
                <Stack gap={6} style={{ flex: 1 }}>
                  <Skeleton h={10} w="50%" />
                  <Skeleton h={10} w="85%" />
                </Stack>
              </Group>
            ))}
          </Stack>
        ) : conversations.length === 0 ? (
          noInboxes && isAdmin && compactViews ? (
            <Empty
              icon={<IconInbox size={26} />}
              title={t('list.empty.title')}
              description={t('list.empty.setup')}
            >
              <Button
                leftSection={<IconPlus size={16} />}
                onClick={() => navigate('/settings/inboxes?new=1')}
              >
                {t('list.empty.createInbox')}
              </Button>
            </Empty>
          ) : (
            <Empty
              icon={<IconMessageCircle size={26} />}
              title={t('list.empty.title')}
              description={t(`list.empty.${filter.view}`)}
            />
          )
        ) : (
          <ul className="list__rows">
            {conversations.map((c) => (
              <li key={c.id}>
                <Row
                  conversation={c}
                  inboxName={(inboxes?.length ?? 0) > 1 ? inboxNames.get(c.inboxId) : undefined}
                  selected={c.id === selectedId}
                  href={hrefFor(filter, c.id)}
                />
              </li>
            ))}
            {hasMore ? (
              <li>
                <Group justify="center" p="md" ref={sentinel}>
                  {loadingMore ? (
                    <Loader size="sm" type="dots" />
                  ) : (
                    <Button variant="subtle" size="xs" onClick={onLoadMore}>
                      {t('list.loadMore')}
                    </Button>
                  )}
                </Group>
              </li>
            ) : null}
          </ul>
        )}
      </ScrollArea>
    </section>
  );
}
