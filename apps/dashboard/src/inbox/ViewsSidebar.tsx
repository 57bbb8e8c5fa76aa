import { Badge, Box, ColorSwatch, NavLink, Stack, Text, Title } from '@mantine/core';
import type { Conversation, Inbox } from '@parley/shared';
import { IconInbox, IconStack2, IconUser, IconUserQuestion } from '@tabler/icons-react';
import { useT } from '../i18n/index.tsx';
import { unreadOf } from '../lib/conversation-store.ts';
import { linkHandler } from '../lib/router.ts';
import { hrefFor } from './ConversationList.tsx';
import { type ListFilter, matches, type View } from './list-state.ts';

const icons: Record<View, React.ReactNode> = {
  mine: <IconUser size={18} stroke={1.7} />,
  unassigned: <IconUserQuestion size={18} stroke={1.7} />,
  all: <IconStack2 size={18} stroke={1.7} />,
};

/** Views and inboxes, with how many conversations in each have unread messages. */
export function ViewsSidebar({
  filter,
  conversations,
  inboxes,
  me,
  accountName,
}: {
  filter: ListFilter;
  conversations: Conversation[];
  inboxes: Inbox[] | undefined;
  me: string;
  accountName: string;
}) {
  const t = useT();
  const unreadIn = (f: ListFilter) =>
    conversations.filter((c) => matches(c, f, me) && unreadOf(c) > 0 && c.status !== 'closed').length;
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
        {(['mine', 'unassigned', 'all'] as const).map((view) => {
          const target = { view, status: filter.status, inboxId: null };
          const count = unreadIn({ view, status: null, inboxId: null });
          const href = hrefFor(target);
          return (
            <NavLink
              key={view}
              component="a"
              href={href}
              onClick={linkHandler(href)}
              label={t(`views.${view}`)}
              leftSection={icons[view]}
              active={filter.view === view && !filter.inboxId}
              rightSection={
                count > 0 ? (
                  <Badge size="sm" variant="light" circle={count < 10}>
                    {count}
                  </Badge>
                ) : null
              }
              className="sidebar__link"
              data-view={view}
            />
          );
        })}
      </Stack>
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
                  rightSection={
                    count > 0 ? (
                      <Badge size="sm" variant="light" circle={count < 10}>
                        {count}
                      </Badge>
                    ) : null
                  }
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
