import {
  Badge,
  Button,
  Group,
  Loader,
  ScrollArea,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import type { ArticleStatus } from '@parley/shared';
import { IconNotebook, IconPlus, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { Empty } from '../components/common.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useArticleList } from './queries.ts';

/** The left column: search, category and status filters, and the articles, newest change first. */
export function ArticleList({
  accountId,
  selectedId,
  canEdit,
  onOpen,
}: {
  accountId: string;
  selectedId: string | null;
  canEdit: boolean;
  onOpen: (id: string) => void;
}) {
  const { t, formatDate } = useI18n();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 200);
  const [category, setCategory] = useState<string | null>(null);
  const [status, setStatus] = useState<ArticleStatus | null>(null);
  const list = useArticleList(accountId, { q, category, status });
  const articles = list.data?.articles ?? [];
  const filtered = q.trim() !== '' || category !== null || status !== null;

  return (
    <div className="kb__list">
      <div className="kb__list-head">
        <Group justify="space-between" wrap="nowrap" mb="sm">
          <Title order={2} fz={20}>
            {t('articles.title')}
          </Title>
          {canEdit ? (
            <Button
              size="xs"
              leftSection={<IconPlus size={14} />}
              onClick={() => onOpen('new')}
              data-testid="new-article"
            >
              {t('articles.new')}
            </Button>
          ) : null}
        </Group>
        <TextInput
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          placeholder={t('articles.search')}
          aria-label={t('articles.search')}
          leftSection={list.isFetching ? <Loader size={14} /> : <IconSearch size={14} />}
          data-testid="article-search"
          mb="xs"
        />
        <Group gap="xs" grow>
          <Select
            size="xs"
            value={category}
            onChange={setCategory}
            data={list.data?.categories ?? []}
            placeholder={t('articles.allCategories')}
            aria-label={t('articles.field.category')}
            clearable
            searchable
            data-testid="article-category-filter"
          />
          <Select
            size="xs"
            value={status}
            onChange={(value) => setStatus(value === 'draft' || value === 'published' ? value : null)}
            data={[
              { value: 'published', label: t('articles.status.published') },
              { value: 'draft', label: t('articles.status.draft') },
            ]}
            placeholder={t('articles.allStatuses')}
            aria-label={t('articles.field.status')}
            clearable
          />
        </Group>
      </div>
      <ScrollArea className="kb__list-scroll">
        {list.isPending ? (
          <Group justify="center" p="xl">
            <Loader size="sm" type="dots" />
          </Group>
        ) : articles.length === 0 ? (
          filtered ? (
            <Text c="dimmed" fz="sm" ta="center" p="xl">
              {t('articles.noMatch')}
            </Text>
          ) : (
            <Empty
              icon={<IconNotebook size={28} />}
              title={t('articles.empty')}
              description={t('articles.emptyHint')}
            />
          )
        ) : (
          <Stack gap={2} p="xs" component="ul" className="kb__items">
            {articles.map((article) => (
              <li key={article.id}>
                <UnstyledButton
                  className="kb__item"
                  data-active={article.id === selectedId || undefined}
                  aria-current={article.id === selectedId ? 'true' : undefined}
                  onClick={() => onOpen(article.id)}
                  data-testid="article-item"
                >
                  <Group justify="space-between" wrap="nowrap" gap="xs" align="flex-start">
                    <Text fz="sm" fw={600} lineClamp={2} className="kb__item-title">
                      {article.title}
                    </Text>
                    <Badge
                      size="xs"
                      variant="light"
                      color={article.status === 'published' ? 'teal' : 'gray'}
                      style={{ flex: 'none' }}
                    >
                      {t(`articles.status.${article.status}`)}
                    </Badge>
                  </Group>
                  {article.excerpt ? (
                    <Text fz="xs" c="dimmed" lineClamp={2} mt={2}>
                      {article.excerpt}
                    </Text>
                  ) : null}
                  <Text fz={11} c="dimmed" mt={4}>
                    {[
                      article.category,
                      article.language,
                      t('articles.updated', { date: formatDate(article.updatedAt) }),
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </Text>
                </UnstyledButton>
              </li>
            ))}
          </Stack>
        )}
      </ScrollArea>
    </div>
  );
}
