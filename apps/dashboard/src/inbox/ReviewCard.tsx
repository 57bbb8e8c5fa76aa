import { Badge, Button, Group, Paper, Stack, Text, Textarea } from '@mantine/core';
import { notifications as toasts } from '@mantine/notifications';
import type { Message, Review } from '@parley/shared';
import { IconCheck, IconMessageCircle, IconUserCheck } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { post } from '../lib/api.ts';
import { useConversation } from '../lib/conversation-store.ts';
import { errorMessage } from '../lib/errors.ts';
import { useReady } from '../lib/session.tsx';
import '../notifications/notifications.css';
import { notificationKeys, useReviews } from '../notifications/state.ts';

const reviewIdOf = (message: Message): string | null =>
  message.attributes.type === 'review_request' && typeof message.attributes.reviewId === 'string'
    ? message.attributes.reviewId
    : null;

/**
 * Under a note that asks for a review: who was asked and where it stands; the named reviewer gets
 * "Approve and send" (the draft goes out as the requester's reply) and "Comment".
 */
export function ReviewCard({ message, me }: { message: Message; me: string }) {
  const reviewId = reviewIdOf(message);
  if (!reviewId) return null;
  return <ReviewState reviewId={reviewId} conversationId={message.conversationId} me={me} />;
}

function ReviewState({
  reviewId,
  conversationId,
  me,
}: {
  reviewId: string;
  conversationId: string;
  me: string;
}) {
  const { t } = useI18n();
  const { account } = useReady();
  const queryClient = useQueryClient();
  const reviews = useReviews(account.accountId, conversationId, true);
  const review = reviews.data?.find((r) => r.id === reviewId);
  const lastSeq = useConversation(conversationId)?.lastSeq;
  const [commenting, setCommenting] = useState(false);
  const [comment, setComment] = useState('');
  const { refetch } = reviews;

  // Decisions show up in the thread (a reply or a comment): read the state again when it grows.
  // biome-ignore lint/correctness/useExhaustiveDependencies: refetch on new items only
  useEffect(() => {
    if (lastSeq !== undefined) void refetch();
  }, [lastSeq]);

  const settle = (next: Review) =>
    queryClient.setQueryData<Review[]>(notificationKeys.reviews(account.accountId, conversationId), (list) =>
      list?.map((r) => (r.id === next.id ? next : r)),
    );
  const onError = (error: unknown) => toasts.show({ color: 'red', message: errorMessage(error, t) });
  const approve = useMutation({
    mutationFn: () =>
      post<{ review: Review }>(`/api/accounts/${account.accountId}/reviews/${reviewId}/approve`),
    onSuccess: ({ review: next }) => settle(next),
    onError,
  });
  const send = useMutation({
    mutationFn: () =>
      post<{ review: Review }>(`/api/accounts/${account.accountId}/reviews/${reviewId}/comment`, {
        clientMsgId: `review-comment-${crypto.randomUUID()}`,
        comment: comment.trim(),
      }),
    onSuccess: ({ review: next }) => {
      settle(next);
      setCommenting(false);
      setComment('');
    },
    onError,
  });

  if (!review) return null;
  const reviewer = review.reviewer.id === me ? t('review.card.you') : review.reviewer.name;
  const status =
    review.status === 'approved'
      ? t('review.card.approved', { name: reviewer })
      : review.status === 'commented'
        ? t('review.card.commented', { name: reviewer })
        : t('review.card.pending');
  const mine = review.reviewer.id === me && review.status === 'pending';
  return (
    <Paper
      className="review-card"
      withBorder
      radius="md"
      p="sm"
      mt={6}
      data-testid="review-card"
      data-status={review.status}
    >
      <Stack gap={8}>
        <Group gap={8} wrap="nowrap" align="flex-start">
          <IconUserCheck
            size={16}
            style={{ flex: 'none', marginTop: 2 }}
            color="var(--mantine-color-yellow-8)"
          />
          <Stack gap={4} style={{ minWidth: 0 }}>
            <Text fz="xs" fw={600}>
              {t('review.card.asked', { name: reviewer })}
            </Text>
            <Badge
              size="sm"
              variant="light"
              tt="none"
              style={{ maxWidth: 'none' }}
              color={
                review.status === 'approved' ? 'teal' : review.status === 'commented' ? 'orange' : 'gray'
              }
            >
              {status}
            </Badge>
          </Stack>
        </Group>
        {mine && !commenting ? (
          <Group gap="xs">
            <Button
              size="xs"
              color="teal"
              leftSection={<IconCheck size={14} />}
              loading={approve.isPending}
              onClick={() => approve.mutate()}
              data-testid="review-approve"
            >
              {t('review.approve')}
            </Button>
            <Button
              size="xs"
              variant="default"
              leftSection={<IconMessageCircle size={14} />}
              onClick={() => setCommenting(true)}
              data-testid="review-comment"
            >
              {t('review.comment')}
            </Button>
          </Group>
        ) : null}
        {mine && commenting ? (
          <Stack gap={6}>
            <Textarea
              autosize
              minRows={2}
              maxRows={6}
              value={comment}
              onChange={(event) => setComment(event.currentTarget.value)}
              placeholder={t('review.commentPlaceholder')}
              aria-label={t('review.comment')}
              data-autofocus
            />
            <Group gap="xs" justify="flex-end">
              <Button size="xs" variant="subtle" color="gray" onClick={() => setCommenting(false)}>
                {t('review.cancel')}
              </Button>
              <Button
                size="xs"
                loading={send.isPending}
                disabled={comment.trim() === ''}
                onClick={() => send.mutate()}
                data-testid="review-comment-send"
              >
                {t('review.commentSend')}
              </Button>
            </Group>
          </Stack>
        ) : null}
      </Stack>
    </Paper>
  );
}
