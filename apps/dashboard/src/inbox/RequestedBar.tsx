import { Button, Group, Text } from '@mantine/core';
import { IconHandStop } from '@tabler/icons-react';
import { useT } from '../i18n/index.tsx';
import { linkHandler } from '../lib/router.ts';
import { hrefFor } from './ConversationList.tsx';

/** Customers the bot could not help and who asked for a person: the one thing agents must not miss. */
export function RequestedBar({ count }: { count: number }) {
  const t = useT();
  if (count <= 0) return null;
  const href = hrefFor({ view: 'requested', status: null, inboxId: null });
  return (
    <Group
      role="status"
      data-testid="requested-bar"
      gap="sm"
      px="md"
      py={6}
      wrap="nowrap"
      style={{
        flex: 'none',
        background: 'var(--mantine-color-orange-0)',
        borderBottom: '1px solid var(--mantine-color-orange-2)',
      }}
    >
      <IconHandStop size={18} color="var(--mantine-color-orange-7)" />
      <Text fz="sm" fw={600} c="orange.9" style={{ flex: 1 }} truncate>
        {t('requested.bar', { count })}
      </Text>
      <Button
        component="a"
        href={href}
        onClick={linkHandler(href)}
        size="compact-sm"
        color="orange"
        data-testid="requested-open"
      >
        {t('requested.open')}
      </Button>
    </Group>
  );
}
