import { Box, Button, Group, Kbd, Paper, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import type { Inbox } from '@parley/shared';
import { IconCheck, IconCode, IconInbox, IconMessages, IconUserPlus } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Empty } from '../components/common.tsx';
import { useT } from '../i18n/index.tsx';
import { navigate } from '../lib/router.ts';

function Step({
  done,
  icon,
  title,
  help,
  action,
  onClick,
}: {
  done: boolean;
  icon: ReactNode;
  title: string;
  help?: string;
  action: string;
  onClick: () => void;
}) {
  return (
    <Paper withBorder radius="md" p="md" className="step" data-done={done || undefined}>
      <Group justify="space-between" wrap="nowrap" gap="md">
        <Group gap="md" wrap="nowrap">
          <ThemeIcon
            size={38}
            radius="xl"
            variant={done ? 'filled' : 'light'}
            color={done ? 'teal' : 'brand'}
          >
            {done ? <IconCheck size={18} /> : icon}
          </ThemeIcon>
          <div>
            <Text fw={600} fz="sm" td={done ? 'line-through' : undefined} c={done ? 'dimmed' : undefined}>
              {title}
            </Text>
            {help ? (
              <Text fz="xs" c="dimmed">
                {help}
              </Text>
            ) : null}
          </div>
        </Group>
        {done ? null : (
          <Button size="xs" variant="light" onClick={onClick} style={{ flexShrink: 0 }}>
            {action}
          </Button>
        )}
      </Group>
    </Paper>
  );
}

/** What the conversation pane shows when nothing is open: first steps for a new account, else a hint. */
export function StartPane({
  inboxes,
  firstRun,
  isAdmin,
}: {
  inboxes: Inbox[] | undefined;
  firstRun: boolean;
  isAdmin: boolean;
}) {
  const t = useT();
  if (firstRun && isAdmin && inboxes) {
    const web = inboxes.find((i) => i.channelType === 'web');
    return (
      <Box className="pane pane--empty pane--start">
        <Stack maw={520} w="100%" gap="lg" px="lg">
          <div>
            <Title order={2} fz={22}>
              {t('start.title')}
            </Title>
            <Text c="dimmed" fz="sm" mt={4}>
              {t('start.subtitle')}
            </Text>
          </div>
          <Stack gap="sm">
            <Step
              done={web !== undefined}
              icon={<IconInbox size={18} />}
              title={web ? t('start.inboxDone') : t('start.inbox')}
              action={t('start.inbox')}
              onClick={() => navigate('/settings/inboxes?new=1')}
            />
            <Step
              done={false}
              icon={<IconCode size={18} />}
              title={t('start.snippet')}
              help={t('start.snippetHelp')}
              action={t('start.open')}
              onClick={() => navigate(web ? `/settings/inboxes/${web.id}` : '/settings/inboxes?new=1')}
            />
            <Step
              done={false}
              icon={<IconUserPlus size={18} />}
              title={t('start.team')}
              help={t('start.teamHelp')}
              action={t('start.open')}
              onClick={() => navigate('/settings/agents')}
            />
          </Stack>
        </Stack>
      </Box>
    );
  }
  return (
    <Box className="pane pane--empty">
      <Empty
        icon={<IconMessages size={28} />}
        title={t('conversation.pick.title')}
        description={t('conversation.pick.description')}
      >
        <Group gap={6} justify="center" c="dimmed" fz="sm">
          <Kbd>J</Kbd>
          <Kbd>K</Kbd>
          <span>{t('conversation.pick.keys')}</span>
          <Kbd>?</Kbd>
          <span>{t('conversation.pick.help')}</span>
        </Group>
      </Empty>
    </Box>
  );
}
