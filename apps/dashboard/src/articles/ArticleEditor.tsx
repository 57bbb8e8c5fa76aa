import {
  ActionIcon,
  Alert,
  Autocomplete,
  Badge,
  Box,
  Button,
  Group,
  Input,
  Loader,
  ScrollArea,
  SegmentedControl,
  Select,
  Text,
  Textarea,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { Article, ArticleStatus } from '@parley/shared';
import { IconArrowLeft, IconExternalLink, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useConfirm } from '../components/Confirm.tsx';
import { useI18n } from '../i18n/index.tsx';
import { ApiError, del, patch, post } from '../lib/api.ts';
import { errorMessage, fieldErrors } from '../lib/errors.ts';
import { ArticlePreview } from './ArticlePreview.tsx';
import { articleKeys, useArticle, useArticleList } from './queries.ts';

interface Draft {
  title: string;
  slug: string;
  category: string;
  language: string;
  status: ArticleStatus;
  body: string;
}

const blank: Draft = { title: '', slug: '', category: '', language: 'en', status: 'draft', body: '' };

const draftOf = (article: Article): Draft => ({
  title: article.title,
  slug: article.slug,
  category: article.category ?? '',
  language: article.language,
  status: article.status,
  body: article.body,
});

const COMMON_LANGUAGES = ['en', 'pt-BR', 'es', 'fr', 'de', 'it', 'nl', 'pl', 'ru', 'uk', 'tr', 'ja', 'zh'];

/** Language tags named in the reader's language ("pt-BR" → "Portuguese (Brazil)"). */
function useLanguageOptions(current: string) {
  const { locale } = useI18n();
  return useMemo(() => {
    let names: Intl.DisplayNames | null = null;
    try {
      names = new Intl.DisplayNames([locale], { type: 'language' });
    } catch {
      names = null;
    }
    const tags = COMMON_LANGUAGES.includes(current) ? COMMON_LANGUAGES : [current, ...COMMON_LANGUAGES];
    return tags.map((tag) => ({ value: tag, label: `${names?.of(tag) ?? tag} (${tag})` }));
  }, [locale, current]);
}

/**
 * One article: its fields and Markdown on the left, the server-rendered preview beside it. Agents see
 * the rendered article only. `id` is "new" for an article not saved yet.
 */
export function ArticleEditor({
  accountId,
  id,
  canEdit,
  onSaved,
  onClosed,
  onDirtyChange,
}: {
  accountId: string;
  id: string;
  canEdit: boolean;
  onSaved: (id: string) => void;
  onClosed: () => void;
  onDirtyChange: (dirty: boolean) => void;
}) {
  const { t, formatDate } = useI18n();
  const queryClient = useQueryClient();
  const isNew = id === 'new';
  const loaded = useArticle(accountId, isNew ? null : id);
  // The same query as the unfiltered list beside it, so it costs no extra request.
  const categories =
    useArticleList(accountId, { q: '', category: null, status: null }).data?.categories ?? [];
  const [draft, setDraft] = useState<Draft>(blank);
  const [saved, setSaved] = useState<Draft>(blank);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { ask, dialog } = useConfirm();
  const languages = useLanguageOptions(draft.language);

  useEffect(() => {
    if (!loaded.data) return;
    const next = draftOf(loaded.data);
    setDraft(next);
    setSaved(next);
    setErrors({});
  }, [loaded.data]);

  const dirty = JSON.stringify(draft) !== JSON.stringify(saved);
  useEffect(() => onDirtyChange(dirty), [dirty, onDirtyChange]);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setErrors((e) => ({ ...e, [key]: '' }));
  };

  const save = useMutation({
    mutationFn: async () => {
      const body = {
        title: draft.title,
        category: draft.category,
        language: draft.language,
        status: draft.status,
        body: draft.body,
        // An empty address on a new article means "from the title"; an existing one keeps its own.
        ...(draft.slug.trim() !== '' && draft.slug !== saved.slug ? { slug: draft.slug } : {}),
      };
      const answer = isNew
        ? await post<{ article: Article }>(`/api/accounts/${accountId}/articles`, body)
        : await patch<{ article: Article }>(`/api/accounts/${accountId}/articles/${id}`, body);
      return answer.article;
    },
    onSuccess: (article) => {
      const next = draftOf(article);
      setDraft(next);
      setSaved(next);
      onDirtyChange(false);
      queryClient.setQueryData(articleKeys.one(accountId, article.id), article);
      void queryClient.invalidateQueries({ queryKey: articleKeys.all(accountId) });
      notifications.show({ color: 'teal', message: isNew ? t('articles.created') : t('articles.saved') });
      if (isNew) onSaved(article.id);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'article_slug_taken') {
        setErrors({ slug: t('articles.slugTaken') });
        return;
      }
      const fields = fieldErrors(error);
      setErrors(fields);
      if (Object.keys(fields).length === 0)
        notifications.show({ color: 'red', message: errorMessage(error, t) });
    },
  });

  const remove = useMutation({
    mutationFn: () => del(`/api/accounts/${accountId}/articles/${id}`),
    onSuccess: () => {
      onDirtyChange(false);
      queryClient.removeQueries({ queryKey: articleKeys.one(accountId, id) });
      void queryClient.invalidateQueries({ queryKey: articleKeys.all(accountId) });
      notifications.show({ color: 'teal', message: t('articles.deleted') });
      onClosed();
    },
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error, t) }),
  });

  if (!isNew && loaded.isPending) {
    return (
      <Group justify="center" p="xl">
        <Loader type="dots" />
      </Group>
    );
  }
  if (!isNew && (loaded.isError || !loaded.data)) {
    return (
      <Box p="xl">
        <Alert color="orange">
          {loaded.error instanceof ApiError && loaded.error.status === 404
            ? t('articles.notFound')
            : errorMessage(loaded.error, t)}
        </Alert>
      </Box>
    );
  }
  const article = loaded.data ?? null;
  const published = article?.status === 'published';

  const header = (
    <Group className="kb__editor-head" justify="space-between" wrap="nowrap" gap="sm">
      <Group gap="xs" wrap="nowrap" miw={0}>
        <Tooltip label={t('articles.back')}>
          <ActionIcon
            variant="subtle"
            color="gray"
            onClick={onClosed}
            aria-label={t('articles.back')}
            className="kb__back"
          >
            <IconArrowLeft size={18} />
          </ActionIcon>
        </Tooltip>
        <Box miw={0}>
          <Title order={2} fz={18} lineClamp={1} style={{ overflowWrap: 'anywhere' }}>
            {draft.title.trim() || t('articles.new')}
          </Title>
          {article ? (
            <Text fz="xs" c="dimmed" truncate>
              {t('articles.updated', { date: formatDate(article.updatedAt) })}
              {article.authorName ? ` · ${t('articles.by', { name: article.authorName })}` : ''}
            </Text>
          ) : null}
        </Box>
        {dirty && canEdit ? (
          <Badge variant="light" color="yellow" style={{ flex: 'none' }} visibleFrom="sm">
            {t('articles.unsaved')}
          </Badge>
        ) : null}
      </Group>
      <Group gap="xs" wrap="nowrap">
        {article ? (
          <Tooltip label={published ? article.url : t('articles.publicOnlyPublished')}>
            <Button
              component="a"
              href={published ? article.url : undefined}
              target="_blank"
              rel="noopener noreferrer"
              variant="default"
              size="xs"
              leftSection={<IconExternalLink size={14} />}
              data-disabled={!published || undefined}
              onClick={(event) => {
                if (!published) event.preventDefault();
              }}
              data-testid="open-public"
              visibleFrom="sm"
            >
              {t('articles.openPublic')}
            </Button>
          </Tooltip>
        ) : null}
        {canEdit && article ? (
          <Tooltip label={t('articles.delete')}>
            <ActionIcon
              variant="subtle"
              color="red"
              size="lg"
              aria-label={t('articles.delete')}
              onClick={() =>
                ask(t('articles.deleteConfirm', { title: article.title }), t('articles.delete'), () =>
                  remove.mutate(),
                )
              }
              data-testid="delete-article"
            >
              <IconTrash size={18} />
            </ActionIcon>
          </Tooltip>
        ) : null}
        {canEdit ? (
          <Button
            size="xs"
            onClick={() => save.mutate()}
            loading={save.isPending}
            disabled={!isNew && !dirty}
            data-testid="save-article"
          >
            {isNew ? t('articles.create') : t('articles.save')}
          </Button>
        ) : null}
      </Group>
    </Group>
  );

  if (!canEdit) {
    return (
      <div className="kb__editor">
        {header}
        <ScrollArea className="kb__editor-scroll">
          <Box maw={760} mx="auto" p="lg">
            <Alert color="gray" variant="light" mb="md">
              {t('articles.readOnly')}
            </Alert>
            <Title order={1} fz={28} mb="md">
              {draft.title}
            </Title>
            <ArticlePreview accountId={accountId} markdown={draft.body} />
          </Box>
        </ScrollArea>
      </div>
    );
  }

  return (
    <div className="kb__editor">
      {header}
      {dialog}
      <ScrollArea className="kb__editor-scroll">
        <Box p="lg" className="kb__form">
          <TextInput
            label={t('articles.field.title')}
            value={draft.title}
            onChange={(event) => set('title', event.currentTarget.value)}
            error={errors.title}
            maxLength={200}
            required
            size="md"
            data-testid="article-title"
          />
          <div className="kb__fields">
            <Autocomplete
              label={t('articles.field.category')}
              value={draft.category}
              onChange={(value) => set('category', value)}
              data={categories}
              placeholder={t('articles.field.categoryPlaceholder')}
              error={errors.category}
              maxLength={80}
              data-testid="article-category"
            />
            <Select
              label={t('articles.field.language')}
              value={draft.language}
              onChange={(value) => set('language', value ?? 'en')}
              data={languages}
              allowDeselect={false}
              searchable
              error={errors.language}
              data-testid="article-language"
            />
            <Input.Wrapper label={t('articles.field.status')}>
              <SegmentedControl
                fullWidth
                value={draft.status}
                onChange={(value) => set('status', value === 'published' ? 'published' : 'draft')}
                data={[
                  { value: 'draft', label: t('articles.status.draft') },
                  { value: 'published', label: t('articles.status.published') },
                ]}
                color={draft.status === 'published' ? 'teal' : undefined}
                data-testid="article-status"
              />
            </Input.Wrapper>
          </div>
          <TextInput
            label={t('articles.field.slug')}
            description={t('articles.field.slugHint')}
            value={draft.slug}
            onChange={(event) => set('slug', event.currentTarget.value)}
            error={errors.slug}
            maxLength={120}
            leftSection={
              <Text fz="xs" c="dimmed">
                /
              </Text>
            }
            data-testid="article-slug"
          />
          <div className="kb__write">
            <div className="kb__pane">
              <Textarea
                label={t('articles.field.body')}
                description={t('articles.markdownHint')}
                value={draft.body}
                onChange={(event) => set('body', event.currentTarget.value)}
                placeholder={t('articles.bodyPlaceholder')}
                error={errors.body}
                autosize
                minRows={14}
                maxRows={40}
                classNames={{ input: 'kb__markdown' }}
                data-testid="article-body"
              />
            </div>
            <div className="kb__pane">
              <Text fz="sm" fw={500} mb={4}>
                {t('articles.preview')}
              </Text>
              <div className="kb__preview">
                <ArticlePreview accountId={accountId} markdown={draft.body} />
              </div>
            </div>
          </div>
        </Box>
      </ScrollArea>
    </div>
  );
}
