import {
  Badge,
  Button,
  Group,
  Loader,
  Popover,
  ScrollArea,
  Stack,
  Text,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import type { ArticleSummary, Message } from '@parley/shared';
import { IconNotebook, IconSearch } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useArticleList } from '../articles/queries.ts';
import { useT } from '../i18n/index.tsx';
import { ApiError, post } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { useReady } from '../lib/session.tsx';
import './article-card.css';

/**
 * The composer's "Insert article" button: searches the published articles and sends the chosen one as
 * a card. The message comes back through the conversation stream like any reply.
 */
export function ArticlePicker({ conversationId, disabled }: { conversationId: string; disabled: boolean }) {
  const t = useT();
  const { account } = useReady();
  const [opened, setOpened] = useState(false);
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 200);
  const list = useArticleList(account.accountId, { q, status: 'published' }, opened);
  const send = useMutation({
    mutationFn: (article: ArticleSummary) =>
      post<{ message: Message }>(
        `/api/accounts/${account.accountId}/conversations/${conversationId}/articles`,
        {
          clientMsgId: `dash-${crypto.randomUUID()}`,
          articleId: article.id,
        },
      ),
    onSuccess: () => {
      setOpened(false);
      setSearch('');
    },
    onError: (error) =>
      notifications.show({
        color: 'red',
        message:
          error instanceof ApiError && error.code === 'article_not_published'
            ? t('articles.notPublished')
            : errorMessage(error, t),
      }),
  });
  const articles = list.data?.articles ?? [];
  return (
    <Popover
      opened={opened}
      onChange={setOpened}
      position="top-end"
      width={380}
      shadow="md"
      trapFocus
      withinPortal
    >
      <Popover.Target>
        <Button
          variant="subtle"
          color="gray"
          size="compact-xs"
          fz="xs"
          leftSection={<IconNotebook size={14} />}
          onClick={() => setOpened((o) => !o)}
          disabled={disabled}
          aria-expanded={opened}
          data-testid="insert-article"
        >
          {t('articles.insert')}
        </Button>
      </Popover.Target>
      <Popover.Dropdown p="xs">
        <TextInput
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          placeholder={t('articles.pickerSearch')}
          aria-label={t('articles.pickerSearch')}
          leftSection={list.isFetching ? <Loader size={14} /> : <IconSearch size={14} />}
          data-autofocus
          data-testid="article-picker-search"
          mb={6}
        />
        <ScrollArea.Autosize mah={300}>
          {list.isPending ? null : articles.length === 0 ? (
            <Text fz="sm" c="dimmed" p="sm" ta="center">
              {q.trim() ? t('articles.pickerEmpty') : t('articles.pickerNone')}
            </Text>
          ) : (
            <Stack gap={0}>
              {articles.map((article) => (
                <UnstyledButton
                  key={article.id}
                  className="article-picker__item"
                  onClick={() => send.mutate(article)}
                  disabled={send.isPending}
                  data-testid="article-picker-item"
                >
                  <Group gap={6} wrap="nowrap" justify="space-between">
                    <Text fz="sm" fw={600} truncate>
                      {article.title}
                    </Text>
                    {article.category ? (
                      <Badge size="xs" variant="light" color="gray" style={{ flex: 'none' }}>
                        {article.category}
                      </Badge>
                    ) : null}
                  </Group>
                  {article.excerpt ? (
                    <Text fz="xs" c="dimmed" lineClamp={2}>
                      {article.excerpt}
                    </Text>
                  ) : null}
                </UnstyledButton>
              ))}
            </Stack>
          )}
        </ScrollArea.Autosize>
      </Popover.Dropdown>
    </Popover>
  );
}
