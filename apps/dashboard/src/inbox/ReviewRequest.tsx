import { ActionIcon, Button, Popover, Select, Stack, Text, Tooltip } from '@mantine/core';
import { notifications as toasts } from '@mantine/notifications';
import type { Review } from '@parley/shared';
import { IconUserCheck } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { ApiError, post } from '../lib/api.ts';
import { useConversation } from '../lib/conversation-store.ts';
import { errorMessage } from '../lib/errors.ts';
import { useInboxMembers, useMembers } from '../lib/queries.ts';
import { useReady } from '../lib/session.tsx';
import { notificationKeys } from '../notifications/state.ts';

/**
 * "Ask for review" in note mode: the draft in the composer goes to a chosen colleague as a note that
 * asks them to review it; they approve (it is sent as your reply) or comment.
 */
export function ReviewRequestButton({
  conversationId,
  draft,
  disabled,
  onSent,
}: {
  conversationId: string;
  draft: string;
  disabled: boolean;
  onSent: () => void;
}) {
  const { t } = useI18n();
  const { session, account } = useReady();
  const queryClient = useQueryClient();
  const [opened, setOpened] = useState(false);
  const [reviewerId, setReviewerId] = useState<string | null>(null);
  const conversation = useConversation(conversationId);
  const members = useMembers(account.accountId);
  const inboxMembers = useInboxMembers(
    account.accountId,
    conversation?.inboxId ?? '',
    opened && !!conversation,
  );
  const options = useMemo(() => {
    const inbox = new Set(inboxMembers.data ?? []);
    return (members.data ?? [])
      .filter(
        (m) =>
          m.userId !== session.user.id &&
          (m.role !== 'agent' || inbox.has(m.userId) || m.userId === conversation?.assigneeId),
      )
      .map((m) => ({ value: m.userId, label: m.name }));
  }, [members.data, inboxMembers.data, session.user.id, conversation?.assigneeId]);

  const ask = useMutation({
    mutationFn: (reviewer: string) =>
      post<{ review: Review }>(`/api/accounts/${account.accountId}/conversations/${conversationId}/reviews`, {
        clientMsgId: `review-${crypto.randomUUID()}`,
        reviewerId: reviewer,
        draft: draft.trim(),
      }),
    onSuccess: () => {
      setOpened(false);
      setReviewerId(null);
      onSent();
      void queryClient.invalidateQueries({
        queryKey: notificationKeys.reviews(account.accountId, conversationId),
      });
    },
    onError: (error) =>
      toasts.show({
        color: 'red',
        message:
          error instanceof ApiError && error.code === 'member_not_allowed'
            ? t('mention.refused')
            : errorMessage(error, t),
      }),
  });

  const empty = draft.trim() === '';
  return (
    <Popover
      opened={opened}
      onChange={setOpened}
      position="top-end"
      width={280}
      shadow="md"
      withinPortal
      trapFocus
    >
      <Popover.Target>
        <Tooltip label={empty ? t('review.emptyDraft') : t('review.ask')}>
          <ActionIcon
            size={36}
            radius="md"
            variant="light"
            color="yellow"
            disabled={disabled || empty}
            onClick={() => setOpened((o) => !o)}
            aria-label={t('review.ask')}
            data-testid="review-ask"
          >
            <IconUserCheck size={18} />
          </ActionIcon>
        </Tooltip>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          <Text fz="sm" fw={600}>
            {t('review.ask')}
          </Text>
          <Text fz="xs" c="dimmed">
            {t('review.askHint')}
          </Text>
          <Select
            label={t('review.pick')}
            placeholder={t('review.pickPlaceholder')}
            data={options}
            value={reviewerId}
            onChange={setReviewerId}
            searchable
            comboboxProps={{ withinPortal: false }}
            data-testid="review-reviewer"
          />
          <Button
            size="xs"
            disabled={!reviewerId}
            loading={ask.isPending}
            onClick={() => reviewerId && ask.mutate(reviewerId)}
            data-testid="review-send"
          >
            {t('review.send')}
          </Button>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
