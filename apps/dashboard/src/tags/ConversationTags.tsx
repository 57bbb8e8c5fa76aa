import { ActionIcon, Button, Group, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { Conversation, Tag } from '@parley/shared';
import { IconTag, IconTagPlus } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useT } from '../i18n/index.tsx';
import { del, get, post, put } from '../lib/api.ts';
import { conversationStore } from '../lib/conversation-store.ts';
import { errorMessage } from '../lib/errors.ts';
import { useReady } from '../lib/session.tsx';
import { tagsKey, useTagLookup } from './queries.ts';
import { TagChip } from './TagChip.tsx';
import { TagCombobox } from './TagCombobox.tsx';

/**
 * A conversation's tags in its header: chips that can be removed, and a picker that adds tags and, for
 * people who manage tags, creates one inline.
 */
export function ConversationTags({
  accountId,
  conversation,
  compact = false,
}: {
  accountId: string;
  conversation: Conversation;
  /** Only a button (with the number of tags) instead of chips. */
  compact?: boolean;
}) {
  const t = useT();
  const { account } = useReady();
  const queryClient = useQueryClient();
  const lookup = useTagLookup(accountId);
  const canManage = account.role === 'admin' || account.role === 'supervisor';
  const base = `/api/accounts/${accountId}/conversations/${conversation.id}`;

  // The account feed brings the new summary too; reading it here makes the change show at once.
  const refresh = async () => {
    const { conversation: fresh } = await get<{ conversation: Conversation }>(base);
    conversationStore.upsert([fresh]);
  };
  const showError = (error: unknown) => notifications.show({ color: 'red', message: errorMessage(error, t) });
  const toggle = useMutation({
    mutationFn: ({ tag, present }: { tag: Tag; present: boolean }) =>
      present ? put(`${base}/tags/${tag.id}`) : del(`${base}/tags/${tag.id}`),
    onSuccess: refresh,
    onError: showError,
  });
  const create = useMutation({
    mutationFn: async ({ name, color }: { name: string; color: string }) => {
      const { tag } = await post<{ tag: Tag }>(`/api/accounts/${accountId}/tags`, { name, color });
      queryClient.setQueryData<Tag[]>(tagsKey(accountId), (list) =>
        [...(list ?? []), tag].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase())),
      );
      await put(`${base}/tags/${tag.id}`);
    },
    onSuccess: refresh,
    onError: showError,
  });

  const tags = conversation.tagIds
    .map(lookup)
    .filter((tag): tag is Tag => tag !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name));
  const busy = toggle.isPending || create.isPending;
  return (
    <Group gap={4} wrap="nowrap" style={{ minWidth: 0, flexShrink: 1 }} data-testid="conversation-tags">
      {compact ? null : (
        <Group gap={4} wrap="nowrap" style={{ minWidth: 0, overflow: 'hidden' }}>
          {tags.slice(0, 3).map((tag) => (
            <TagChip
              key={tag.id}
              tag={tag}
              size="xs"
              onRemove={() => toggle.mutate({ tag, present: false })}
            />
          ))}
          {tags.length > 3 ? (
            <Text fz={11} c="dimmed" style={{ flexShrink: 0 }}>
              {t('tags.more', { count: tags.length - 3 })}
            </Text>
          ) : null}
        </Group>
      )}
      <TagCombobox
        accountId={accountId}
        selected={conversation.tagIds}
        onToggle={(tag, present) => toggle.mutate({ tag, present })}
        onCreate={canManage ? (name, color) => create.mutate({ name, color }) : undefined}
        placeholder={canManage ? t('tags.findOrCreate') : t('tags.find')}
        target={(open) =>
          // A narrow header has no room for chips: the button counts the tags and names them on hover.
          compact && tags.length > 0 ? (
            <Tooltip label={tags.map((tag) => tag.name).join(', ')}>
              <Button
                variant="subtle"
                color="gray"
                size="compact-xs"
                leftSection={<IconTag size={14} />}
                onClick={open}
                loading={busy}
                aria-label={`${t('tags.label')}: ${tags.map((tag) => tag.name).join(', ')}`}
                style={{ flexShrink: 0 }}
                data-testid="add-tag"
                data-count={tags.length}
              >
                {tags.length}
              </Button>
            </Tooltip>
          ) : (
            <Tooltip label={t('tags.add')}>
              <ActionIcon
                variant="subtle"
                color="gray"
                size={22}
                onClick={open}
                loading={busy}
                aria-label={t('tags.add')}
                style={{ flexShrink: 0 }}
                data-testid="add-tag"
              >
                <IconTagPlus size={15} />
              </ActionIcon>
            </Tooltip>
          )
        }
      />
    </Group>
  );
}
