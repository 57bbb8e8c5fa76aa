import { Button, Group, Paper, Text, Title } from '@mantine/core';
import type { InboxSettings, Tag } from '@parley/shared';
import { IconTagPlus } from '@tabler/icons-react';
import { useT } from '../i18n/index.tsx';
import { useReady } from '../lib/session.tsx';
import { useTagLookup } from './queries.ts';
import { TagChip } from './TagChip.tsx';
import { TagCombobox } from './TagCombobox.tsx';

/** The inbox's automatic tags: put on every new conversation of the inbox as it starts. */
export function AutoTagsSection({
  settings,
  set,
  disabled,
}: {
  settings: InboxSettings;
  set: (change: Partial<InboxSettings>) => void;
  disabled: boolean;
}) {
  const t = useT();
  const { account } = useReady();
  const lookup = useTagLookup(account.accountId);
  const ids = settings.autoTagIds;
  const chosen = ids.map(lookup).filter((tag): tag is Tag => tag !== undefined);
  return (
    <Paper withBorder radius="lg" p={{ base: 'md', sm: 'xl' }} data-testid="auto-tags">
      <Title order={3} fz={16}>
        {t('tags.auto.title')}
      </Title>
      <Text fz="sm" c="dimmed" mt={4}>
        {t('tags.auto.help')}
      </Text>
      <Group gap={6} mt="lg">
        {chosen.map((tag) => (
          <TagChip
            key={tag.id}
            tag={tag}
            size="sm"
            onRemove={disabled ? undefined : () => set({ autoTagIds: ids.filter((id) => id !== tag.id) })}
          />
        ))}
        {disabled ? null : (
          <TagCombobox
            accountId={account.accountId}
            selected={ids}
            placeholder={t('tags.find')}
            onToggle={(tag, present) =>
              set({ autoTagIds: present ? [...ids, tag.id] : ids.filter((id) => id !== tag.id) })
            }
            target={(open) => (
              <Button
                variant="default"
                size="compact-sm"
                radius="xl"
                leftSection={<IconTagPlus size={14} />}
                onClick={open}
                data-testid="auto-tags-add"
              >
                {chosen.length === 0 ? t('tags.auto.placeholder') : t('tags.add')}
              </Button>
            )}
          />
        )}
      </Group>
    </Paper>
  );
}
