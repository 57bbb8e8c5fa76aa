import { Box, NavLink, ScrollArea, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import {
  IconBolt,
  IconInbox,
  IconKey,
  IconListDetails,
  IconMessageBolt,
  IconTags,
  IconUser,
  IconUsers,
  IconUsersGroup,
  IconWebhook,
} from '@tabler/icons-react';
import { lazy, type ReactNode } from 'react';
import { LazyPart, LoadFailed } from '../components/LazyBoundary.tsx';
import { type MessageKey, useT } from '../i18n/index.tsx';
import { linkHandler } from '../lib/router.ts';
import { useReady } from '../lib/session.tsx';

// Each section loads when it is opened: an agent who only changes the profile never fetches the rules
// editor or the webhook log.
const TagsSettings = lazy(() =>
  import('../tags/TagsSettings.tsx').then((m) => ({ default: m.TagsSettings })),
);
const AgentsSettings = lazy(() =>
  import('./AgentsSettings.tsx').then((m) => ({ default: m.AgentsSettings })),
);
const ApiTokensSettings = lazy(() =>
  import('./ApiTokensSettings.tsx').then((m) => ({ default: m.ApiTokensSettings })),
);
const AttributesSettings = lazy(() =>
  import('./AttributesSettings.tsx').then((m) => ({ default: m.AttributesSettings })),
);
const CannedRepliesSettings = lazy(() =>
  import('./CannedRepliesSettings.tsx').then((m) => ({ default: m.CannedRepliesSettings })),
);
const InboxEditor = lazy(() => import('./InboxEditor.tsx').then((m) => ({ default: m.InboxEditor })));
const InboxesSettings = lazy(() =>
  import('./InboxesSettings.tsx').then((m) => ({ default: m.InboxesSettings })),
);
const ProfileSettings = lazy(() =>
  import('./ProfileSettings.tsx').then((m) => ({ default: m.ProfileSettings })),
);
const RulesSettings = lazy(() => import('./RulesSettings.tsx').then((m) => ({ default: m.RulesSettings })));
const TeamsSettings = lazy(() => import('./TeamsSettings.tsx').then((m) => ({ default: m.TeamsSettings })));
const WebhooksSettings = lazy(() =>
  import('./WebhooksSettings.tsx').then((m) => ({ default: m.WebhooksSettings })),
);

/** The shape of a section (header, then content) while its code arrives, so nothing jumps. */
function SectionLoading() {
  return (
    <Box aria-busy="true">
      <Skeleton h={28} w="40%" mb={10} />
      <Skeleton h={14} w="65%" mb="xl" />
      <Skeleton h={300} radius="lg" />
    </Box>
  );
}

const sections: Array<{ id: string; label: MessageKey; icon: ReactNode }> = [
  { id: 'inboxes', label: 'settings.inboxes', icon: <IconInbox size={18} stroke={1.7} /> },
  { id: 'agents', label: 'settings.agents', icon: <IconUsers size={18} stroke={1.7} /> },
  { id: 'teams', label: 'settings.teams', icon: <IconUsersGroup size={18} stroke={1.7} /> },
  { id: 'rules', label: 'settings.rules', icon: <IconBolt size={18} stroke={1.7} /> },
  { id: 'tags', label: 'tags.settings.nav', icon: <IconTags size={18} stroke={1.7} /> },
  {
    id: 'attributes',
    label: 'contacts.attributes.section',
    icon: <IconListDetails size={18} stroke={1.7} />,
  },
  { id: 'canned', label: 'canned.settings.nav', icon: <IconMessageBolt size={18} stroke={1.7} /> },
  { id: 'api-tokens', label: 'api.settings.nav', icon: <IconKey size={18} stroke={1.7} /> },
  { id: 'webhooks', label: 'webhooks.settings.nav', icon: <IconWebhook size={18} stroke={1.7} /> },
  { id: 'profile', label: 'settings.profile', icon: <IconUser size={18} stroke={1.7} /> },
];

export function SettingsScreen({ section, id }: { section: string; id: string | undefined }) {
  const t = useT();
  const { account } = useReady();
  const phone = useMediaQuery('(max-width: 48em)', false);
  const isAdmin = account.role === 'admin';
  let content: ReactNode;
  if (section === 'inboxes' && id) content = <InboxEditor inboxId={id} isAdmin={isAdmin} />;
  else if (section === 'inboxes') content = <InboxesSettings isAdmin={isAdmin} />;
  else if (section === 'agents') content = <AgentsSettings isAdmin={isAdmin} />;
  else if (section === 'teams') content = <TeamsSettings isAdmin={isAdmin} />;
  else if (section === 'rules') content = <RulesSettings isAdmin={isAdmin} />;
  else if (section === 'tags') content = <TagsSettings />;
  else if (section === 'attributes') content = <AttributesSettings isAdmin={isAdmin} />;
  else if (section === 'canned') content = <CannedRepliesSettings />;
  else if (section === 'api-tokens') content = <ApiTokensSettings isAdmin={isAdmin} />;
  else if (section === 'webhooks') content = <WebhooksSettings isAdmin={isAdmin} webhookId={id} />;
  else content = <ProfileSettings />;
  return (
    <Box className="settings" data-phone={phone || undefined}>
      <nav className="settings__nav" aria-label={t('settings.title')}>
        <Title order={2} fz={20} px="md" pt="md" pb="sm" visibleFrom="sm">
          {t('settings.title')}
        </Title>
        <Stack gap={2} px="xs" className="settings__links">
          {sections.map((s) => (
            <NavLink
              key={s.id}
              component="a"
              href={`/settings/${s.id}`}
              onClick={linkHandler(`/settings/${s.id}`)}
              label={t(s.label)}
              leftSection={s.icon}
              active={section === s.id}
              className="sidebar__link"
            />
          ))}
        </Stack>
      </nav>
      <ScrollArea className="settings__content">
        <Box maw={880} mx="auto" px={{ base: 'md', sm: 'xl' }} py="xl">
          <LazyPart key={section} fallback={<SectionLoading />} failed={<LoadFailed />}>
            {content}
          </LazyPart>
        </Box>
      </ScrollArea>
    </Box>
  );
}

export function SectionHeader({
  title,
  subtitle,
  action,
}: {
  title: string;
  subtitle: string;
  action?: ReactNode;
}) {
  return (
    <Box mb="xl" className="section-header">
      <Box>
        <Title order={1} fz={24}>
          {title}
        </Title>
        <Text c="dimmed" fz="sm" mt={4}>
          {subtitle}
        </Text>
      </Box>
      {action}
    </Box>
  );
}
