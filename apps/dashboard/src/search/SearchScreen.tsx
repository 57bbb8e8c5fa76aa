import {
  Alert,
  Badge,
  Box,
  Button,
  Center,
  Group,
  Kbd,
  Loader,
  Paper,
  ScrollArea,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import {
  type ContactSearchHit,
  conversationStatuses,
  type Inbox,
  type MessageSearchHit,
} from '@parley/shared';
import { IconAlertCircle, IconLock, IconSearch, IconX } from '@tabler/icons-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Empty, PersonAvatar, RelativeTime, StatusBadge } from '../components/common.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useInboxes, useMembers } from '../lib/queries.ts';
import { linkHandler, navigate, useLocation } from '../lib/router.ts';
import { useReady } from '../lib/session.tsx';
import { type SearchParams, useSearch, useTags } from './api.ts';
import { Highlighted } from './Highlighted.tsx';
import { onFocusRequest } from './shortcut.ts';
import './search.css';

const FILTER_KEYS = ['inbox', 'status', 'assignee', 'tag', 'from', 'to'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

/** The screen's state lives in the address, so back and forward and shared links work. */
function updateSearch(changes: Partial<Record<'q' | 'type' | FilterKey, string | null>>): void {
  const next = new URLSearchParams(location.search);
  for (const [key, value] of Object.entries(changes)) {
    if (value) next.set(key, value);
    else next.delete(key);
  }
  const text = next.toString();
  navigate(`/search${text ? `?${text}` : ''}`, { replace: true });
}

function useSearchParams(): SearchParams {
  const { search } = useLocation();
  const day = (value: string | null) => (value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null);
  const status = search.get('status');
  return {
    q: search.get('q') ?? '',
    type: search.get('type') === 'contacts' ? 'contacts' : 'messages',
    inboxId: search.get('inbox'),
    status: status && (conversationStatuses as readonly string[]).includes(status) ? status : null,
    assigneeId: search.get('assignee'),
    tagId: search.get('tag'),
    from: day(search.get('from')),
    to: day(search.get('to')),
  };
}

function messageHref(hit: MessageSearchHit): string {
  return `/inbox/all/${hit.conversation.id}?seq=${hit.message.seq}`;
}

function MessageResult({ hit, inbox }: { hit: MessageSearchHit; inbox: Inbox | undefined }) {
  const { t } = useI18n();
  const href = messageHref(hit);
  const name = hit.contact.name ?? t('list.visitor', { number: hit.conversation.number });
  // The customer is named above; anyone else who wrote is named before the text.
  const sender =
    hit.message.senderKind === 'contact'
      ? null
      : (hit.message.senderName ?? t(`search.from.${hit.message.senderKind}`));
  return (
    <UnstyledButton
      component="a"
      href={href}
      onClick={linkHandler(href)}
      className="search-result"
      data-testid="search-result"
      data-conversation-id={hit.conversation.id}
      data-seq={hit.message.seq}
      data-note={hit.message.private || undefined}
    >
      <PersonAvatar name={hit.contact.name} seed={hit.contact.id} size={36} />
      <Box className="search-result__body">
        <Group gap={8} wrap="nowrap" className="search-result__head">
          <Text fw={600} fz="sm" truncate>
            {name}
          </Text>
          <Text fz="xs" c="dimmed" className="search-result__number">
            {t('search.conversation', { number: hit.conversation.number })}
          </Text>
          <StatusBadge status={hit.conversation.status} size="xs" />
          {inbox ? (
            <Text fz="xs" c="dimmed" truncate visibleFrom="sm">
              {inbox.name}
            </Text>
          ) : null}
          <Text fz="xs" c="dimmed" className="search-result__time">
            <RelativeTime iso={hit.message.createdAt} />
          </Text>
        </Group>
        <Text fz="sm" className="search-result__snippet" lineClamp={3}>
          {hit.message.private ? (
            <Badge
              size="xs"
              color="yellow"
              variant="light"
              leftSection={<IconLock size={10} />}
              mr={6}
              className="search-result__badge"
            >
              {t('search.note')}
            </Badge>
          ) : null}
          {sender ? (
            <Text span fz="sm" fw={600} c="dimmed">
              {sender}:{' '}
            </Text>
          ) : null}
          <Highlighted segments={hit.snippet} />
        </Text>
      </Box>
    </UnstyledButton>
  );
}

function ContactResult({ hit }: { hit: ContactSearchHit }) {
  const { t } = useI18n();
  const href = `/contacts/${hit.contact.id}`;
  const { highlights } = hit;
  const details = [highlights.email, highlights.phone, highlights.company].filter(
    (h): h is NonNullable<typeof h> => h !== null && h.length > 0,
  );
  return (
    <UnstyledButton
      component="a"
      href={href}
      onClick={linkHandler(href)}
      className="search-result"
      data-testid="search-contact-result"
      data-contact-id={hit.contact.id}
    >
      <PersonAvatar name={hit.contact.name} seed={hit.contact.id} size={36} />
      <Box className="search-result__body">
        <Group gap={8} wrap="nowrap" className="search-result__head">
          <Text fw={600} fz="sm" truncate>
            {highlights.name ? <Highlighted segments={highlights.name} /> : t('search.contact.unnamed')}
          </Text>
          {hit.latestConversation ? (
            <Text fz="xs" c="dimmed" className="search-result__number">
              {t('search.conversation', { number: hit.latestConversation.number })}
            </Text>
          ) : null}
          <Text fz="xs" c="dimmed" className="search-result__time">
            <RelativeTime iso={hit.contact.createdAt} />
          </Text>
        </Group>
        {details.length > 0 ? (
          <Text fz="sm" c="dimmed" className="search-result__details">
            {details.map((segments, index) => (
              <span key={segments.map((s) => s.text).join('')}>
                {index > 0 ? ' · ' : null}
                <Highlighted segments={segments} />
              </span>
            ))}
          </Text>
        ) : null}
      </Box>
    </UnstyledButton>
  );
}

/** Full-text search over the messages and contacts the agent may see, with filters. */
export function SearchScreen() {
  const { t } = useI18n();
  const { session, account } = useReady();
  const params = useSearchParams();
  const [text, setText] = useState(params.q);
  const [debounced] = useDebouncedValue(text, 250);
  const input = useRef<HTMLInputElement>(null);
  const inboxes = useInboxes(account.accountId);
  const members = useMembers(account.accountId);
  const tags = useTags(account.accountId);

  // The typed words reach the address (and the request) once typing pauses.
  useEffect(() => {
    if (debounced.trim() !== params.q) updateSearch({ q: debounced.trim() || null });
  }, [debounced, params.q]);
  useEffect(
    () =>
      onFocusRequest(() => {
        input.current?.focus();
        input.current?.select();
      }),
    [],
  );

  const query = useSearch(account.accountId, params);
  const pages = query.data?.pages ?? [];
  const messageHits = pages.flatMap((p) => (p.type === 'messages' ? p.messages : []));
  const contactHits = pages.flatMap((p) => (p.type === 'contacts' ? p.contacts : []));
  const count = params.type === 'messages' ? messageHits.length : contactHits.length;
  const inboxById = useMemo(() => new Map((inboxes.data ?? []).map((i) => [i.id, i])), [inboxes.data]);
  const filtered = FILTER_KEYS.some((key) =>
    key === 'inbox' || key === 'tag' || params.type === 'messages'
      ? Boolean(
          {
            inbox: params.inboxId,
            status: params.status,
            assignee: params.assigneeId,
            tag: params.tagId,
            from: params.from,
            to: params.to,
          }[key],
        )
      : false,
  );

  const assigneeOptions = [
    { value: session.user.id, label: t('search.filter.me') },
    { value: 'none', label: t('search.filter.unassigned') },
    ...(members.data ?? [])
      .filter((m) => m.userId !== session.user.id)
      .map((m) => ({ value: m.userId, label: m.name })),
  ];

  return (
    <ScrollArea h="100%" className="search-screen">
      <Box maw={960} mx="auto" px={{ base: 'md', sm: 'xl' }} py="xl">
        <Group justify="space-between" align="flex-end" mb="md">
          <Box>
            <Title order={1} fz={24}>
              {t('search.title')}
            </Title>
            <Text c="dimmed" fz="sm" mt={4}>
              {t('search.subtitle')}
            </Text>
          </Box>
          <Text fz="xs" c="dimmed" visibleFrom="sm">
            {t('search.shortcut')
              .split('{key}')
              .flatMap((part, index) =>
                index === 0
                  ? [part]
                  : [
                      <Kbd key="key" size="xs">
                        /
                      </Kbd>,
                      part,
                    ],
              )}
          </Text>
        </Group>
        <TextInput
          ref={input}
          size="md"
          radius="md"
          autoFocus
          leftSection={<IconSearch size={18} />}
          rightSection={
            text ? (
              <UnstyledButton onClick={() => setText('')} aria-label={t('search.clearText')}>
                <IconX size={16} />
              </UnstyledButton>
            ) : query.isFetching ? (
              <Loader size="xs" />
            ) : null
          }
          placeholder={t('search.placeholder')}
          aria-label={t('search.title')}
          value={text}
          maxLength={200}
          onChange={(event) => setText(event.currentTarget.value)}
          data-testid="search-input"
        />
        <SegmentedControl
          mt="md"
          value={params.type}
          onChange={(value) => updateSearch({ type: value === 'contacts' ? 'contacts' : null })}
          data={[
            { value: 'messages', label: t('search.tab.messages') },
            { value: 'contacts', label: t('search.tab.contacts') },
          ]}
          data-testid="search-type"
        />
        <Group mt="sm" gap="xs" align="center" wrap="wrap">
          <Select
            size="xs"
            w={140}
            aria-label={t('search.filter.inbox')}
            placeholder={t('search.filter.anyInbox')}
            data={(inboxes.data ?? []).map((i) => ({ value: i.id, label: i.name }))}
            value={params.inboxId}
            onChange={(value) => updateSearch({ inbox: value })}
            clearable
            data-testid="search-filter-inbox"
          />
          {params.type === 'messages' ? (
            <>
              <Select
                size="xs"
                w={140}
                aria-label={t('search.filter.status')}
                placeholder={t('search.filter.anyStatus')}
                data={conversationStatuses.map((s) => ({ value: s, label: t(`status.${s}`) }))}
                value={params.status}
                onChange={(value) => updateSearch({ status: value })}
                clearable
                data-testid="search-filter-status"
              />
              <Select
                size="xs"
                w={140}
                aria-label={t('search.filter.assignee')}
                placeholder={t('search.filter.anyAssignee')}
                data={assigneeOptions}
                value={params.assigneeId}
                onChange={(value) => updateSearch({ assignee: value })}
                clearable
                searchable
                data-testid="search-filter-assignee"
              />
            </>
          ) : null}
          <Select
            size="xs"
            w={140}
            aria-label={t('search.filter.tag')}
            placeholder={t('search.filter.anyTag')}
            data={(tags.data ?? []).map((tag) => ({ value: tag.id, label: tag.name }))}
            value={params.tagId}
            onChange={(value) => updateSearch({ tag: value })}
            clearable
            searchable
            data-testid="search-filter-tag"
          />
          {params.type === 'messages' ? (
            <Group gap={6} wrap="nowrap">
              <TextInput
                size="xs"
                type="date"
                w={140}
                aria-label={t('search.filter.from')}
                leftSection={
                  <Text fz={10} c="dimmed">
                    {t('search.filter.from')}
                  </Text>
                }
                leftSectionWidth={36}
                value={params.from ?? ''}
                max={params.to ?? undefined}
                onChange={(event) => updateSearch({ from: event.currentTarget.value || null })}
                data-testid="search-filter-from"
              />
              <TextInput
                size="xs"
                type="date"
                w={140}
                aria-label={t('search.filter.to')}
                leftSection={
                  <Text fz={10} c="dimmed">
                    {t('search.filter.to')}
                  </Text>
                }
                leftSectionWidth={36}
                value={params.to ?? ''}
                min={params.from ?? undefined}
                onChange={(event) => updateSearch({ to: event.currentTarget.value || null })}
                data-testid="search-filter-to"
              />
            </Group>
          ) : null}
          {filtered ? (
            <Button
              size="xs"
              variant="subtle"
              color="gray"
              onClick={() => updateSearch(Object.fromEntries(FILTER_KEYS.map((key) => [key, null])))}
              data-testid="search-clear-filters"
            >
              {t('search.filter.clear')}
            </Button>
          ) : null}
        </Group>

        <Box mt="lg">
          {!params.q ? (
            <Empty
              icon={<IconSearch size={26} />}
              title={t('search.start.title')}
              description={t('search.start.description')}
            />
          ) : query.isError ? (
            <Alert color="red" icon={<IconAlertCircle size={16} />}>
              {t('search.error')}
            </Alert>
          ) : query.isPending ? (
            <Center py="xl">
              <Loader type="dots" />
            </Center>
          ) : count === 0 && !query.hasNextPage ? (
            <Empty
              icon={<IconSearch size={26} />}
              title={t('search.none.title')}
              description={t('search.none.description')}
            />
          ) : (
            <Stack gap="sm">
              {count > 0 ? (
                <Paper withBorder radius="lg" className="search-results" data-testid="search-results">
                  {params.type === 'messages'
                    ? messageHits.map((hit) => (
                        <MessageResult
                          key={hit.message.id}
                          hit={hit}
                          inbox={inboxById.get(hit.conversation.inboxId)}
                        />
                      ))
                    : contactHits.map((hit) => <ContactResult key={hit.contact.id} hit={hit} />)}
                </Paper>
              ) : null}
              {query.hasNextPage ? (
                <Center>
                  <Button
                    variant="light"
                    loading={query.isFetchingNextPage}
                    onClick={() => void query.fetchNextPage()}
                    data-testid="search-more"
                  >
                    {count === 0 ? t('search.moreOlder') : t('search.more')}
                  </Button>
                </Center>
              ) : null}
            </Stack>
          )}
        </Box>
      </Box>
    </ScrollArea>
  );
}
