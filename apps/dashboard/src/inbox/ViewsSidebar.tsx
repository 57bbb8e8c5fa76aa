import { Badge, Box, ColorSwatch, NavLink, Stack, Text, Title } from '@mantine/core';
import type { Conversation, Inbox } from '@parley/shared';
import {
  IconCheckbox,
  IconClockPause,
  IconHandStop,
  IconHistory,
  IconInbox,
  IconListNumbers,
  IconRobot,
  IconStack2,
  IconUser,
  IconUserCheck,
  IconUserQuestion,
} from '@tabler/icons-react';
import { useT } from '../i18n/index.tsx';
import { unreadOf } from '../lib/conversation-store.ts';
import { linkHandler } from '../lib/router.ts';
import { hrefFor } from './ConversationList.tsx';
import { botViews, type ListFilter, lifecycleViews, matches, primaryViews, type View } from './list-state.ts';
import { SavedViews } from './SavedViews.tsx';

const icons: Record<View, React.ReactNode> = {
  mine: <IconUser size={18} stroke={1.7} />,
  unassigned: <IconUserQuestion size={18} stroke={1.7} />,
  all: <IconStack2 size={18} stroke={1.7} />,
  bot: <IconRobot size={18} stroke={1.7} />,
  requested: <IconHandStop size={18} stroke={1.7} />,
  accepted: <IconUserCheck size={18} stroke={1.7} />,
  queued: <IconListNumbers size={18} stroke={1.7} />,
  snoozed: <IconClockPause size={18} stroke={1.7} />,
  done: <IconCheckbox size={18} stroke={1.7} />,
  history: <IconHistory size={18} stroke={1.7} />,
};

function CountBadge({ count, color }: { count: number; color?: string }) {
  if (count <= 0) return null;
  return (
    <Badge size="sm" variant="light" color={color} circle={count < 10}>
      {count}
    </Badge>
  );
}

/** Views and inboxes, with how many conversations in each have unread messages. */
export function ViewsSidebar({
  filter,
  conversations,
  inboxes,
  me,
  accountName,
  phaseCounts,
}: {
  filter: ListFilter;
  conversations: Conversation[];
  inboxes: Inbox[] | undefined;
  me: string;
  accountName: string;
  /** Server counts of the bot phases (open conversations only). */
  phaseCounts: Record<'bot' | 'requested' | 'accepted', number>;
}) {
  const t = useT();
  const unreadIn = (f: ListFilter) =>
    conversations.filter((c) => matches(c, f, me) && unreadOf(c) > 0 && c.status !== 'closed').length;
  const countIn = (f: ListFilter) => conversations.filter((c) => matches(c, f, me)).length;
  const link = (view: View, right: React.ReactNode) => {
    const href = hrefFor({ view, status: filter.status, inboxId: null });
    return (
      <NavLink
        key={view}
        component="a"
        href={href}
        onClick={linkHandler(href)}
        label={t(`views.${view}`)}
        leftSection={icons[view]}
        active={filter.view === view && !filter.inboxId && !filter.assignee && !filter.tagIds?.length}
        rightSection={right}
        className="sidebar__link"
        data-view={view}
      />
    );
  };
  return (
    <aside className="sidebar" aria-label={t('views.title')}>
      <Box px="md" pt="md" pb="sm">
        <Text fz="xs" c="dimmed" fw={600} tt="uppercase" lts={0.4} truncate>
          {accountName}
        </Text>
        <Title order={2} fz={20} mt={2}>
          {t('views.title')}
        </Title>
      </Box>
      <Stack gap={2} px="xs">
        {primaryViews.map((view) =>
          link(view, <CountBadge count={unreadIn({ view, status: null, inboxId: null })} />),
        )}
      </Stack>
      <Text fz="xs" c="dimmed" fw={600} tt="uppercase" lts={0.4} px="md" mt="lg" mb={6}>
        {t('views.botSection')}
      </Text>
      <Stack gap={2} px="xs">
        {botViews.map((view) =>
          link(
            view,
            <CountBadge count={phaseCounts[view]} color={view === 'requested' ? 'orange' : undefined} />,
          ),
        )}
      </Stack>
      <Text fz="xs" c="dimmed" fw={600} tt="uppercase" lts={0.4} px="md" mt="lg" mb={6}>
        {t('views.lifecycleSection')}
      </Text>
      <Stack gap={2} px="xs">
        {lifecycleViews.map((view) =>
          // Queued and snoozed are short lists worth a number; done and history only grow.
          link(
            view,
            view === 'queued' || view === 'snoozed' ? (
              <CountBadge count={countIn({ view, status: null, inboxId: null })} color="gray" />
            ) : null,
          ),
        )}
      </Stack>
      <SavedViews filter={filter} />
      {(inboxes?.length ?? 0) > 0 ? (
        <>
          <Text fz="xs" c="dimmed" fw={600} tt="uppercase" lts={0.4} px="md" mt="lg" mb={6}>
            {t('views.inboxes')}
          </Text>
          <Stack gap={2} px="xs">
            {(inboxes ?? []).map((inbox) => {
              const href = hrefFor({ view: 'all', status: filter.status, inboxId: inbox.id });
              const count = unreadIn({ view: 'all', status: null, inboxId: inbox.id });
              return (
                <NavLink
                  key={inbox.id}
                  component="a"
                  href={href}
                  onClick={linkHandler(href)}
                  label={inbox.name}
                  leftSection={
                    inbox.channelType === 'web' ? (
                      <ColorSwatch color={inbox.settings.color} size={12} withShadow={false} />
                    ) : (
                      <IconInbox size={16} />
                    )
                  }
                  active={filter.inboxId === inbox.id}
                  rightSection={<CountBadge count={count} />}
                  className="sidebar__link"
                />
              );
            })}
          </Stack>
        </>
      ) : null}
    </aside>
  );
}
