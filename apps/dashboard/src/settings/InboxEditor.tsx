import {
  ActionIcon,
  Alert,
  Anchor,
  Box,
  Breadcrumbs,
  Button,
  ColorInput,
  Group,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { BotSettings, Inbox, InboxSettings } from '@parley/shared';
import {
  IconCheck,
  IconCode,
  IconEye,
  IconEyeOff,
  IconMessageCircle,
  IconRefresh,
  IconX,
} from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Copyable } from '../components/Copyable.tsx';
import { PersonAvatar } from '../components/common.tsx';
import { useT } from '../i18n/index.tsx';
import { del, get, patch, post, put } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { keys, useInboxes, useInboxMembers, useMembers } from '../lib/queries.ts';
import { linkHandler, useLocation } from '../lib/router.ts';
import { useReady } from '../lib/session.tsx';
import { AutoTagsSection } from '../tags/AutoTagsSection.tsx';
import { EmailFollowupSettings } from './EmailFollowupSettings.tsx';
import { BotSection, RoutingSection } from './InboxRouting.tsx';
import { embedSnippet } from './snippet.ts';

const originPattern = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;
const swatches = [
  '#3b43d6',
  '#4f46e5',
  '#0ea5e9',
  '#0d9488',
  '#16a34a',
  '#ea580c',
  '#e11d48',
  '#7c3aed',
  '#111827',
];

const weekdayOrder = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** An unused, empty webhook address would be refused by the server, so it is left out. */
function cleanBot(bot: BotSettings): BotSettings {
  const { webhook, ...rest } = bot;
  const url = webhook?.url.trim() ?? '';
  return url || bot.kind === 'webhook'
    ? { ...rest, webhook: { url, timeoutMs: webhook?.timeoutMs ?? 5000 } }
    : rest;
}

function Section({
  title,
  description,
  children,
}: {
  title: string;
  description?: string;
  children: React.ReactNode;
}) {
  return (
    <Paper withBorder radius="lg" p={{ base: 'md', sm: 'xl' }}>
      <Title order={3} fz={16}>
        {title}
      </Title>
      {description ? (
        <Text fz="sm" c="dimmed" mt={4}>
          {description}
        </Text>
      ) : null}
      <Box mt="lg">{children}</Box>
    </Paper>
  );
}

/** A small picture of the widget with the chosen colour, title and greeting. */
function WidgetPreview({
  color,
  title,
  greeting,
  position,
}: {
  color: string;
  title: string;
  greeting: string;
  position: 'left' | 'right';
}) {
  const t = useT();
  return (
    <Box className="widget-preview" aria-label={t('inboxes.preview')}>
      <Box className="widget-preview__header" style={{ background: color }}>
        <Text fw={700} fz="sm" c="white" truncate>
          {title}
        </Text>
      </Box>
      <Box className="widget-preview__body">
        {greeting ? (
          <Box className="widget-preview__bubble">
            <Text fz="xs">{greeting}</Text>
          </Box>
        ) : null}
      </Box>
      <Box className="widget-preview__launcher" style={{ background: color }} data-position={position}>
        <IconMessageCircle size={20} color="white" />
      </Box>
    </Box>
  );
}

function SecretField({ accountId, inboxId }: { accountId: string; inboxId: string }) {
  const t = useT();
  const [shown, setShown] = useState(false);
  const secret = useQuery({
    queryKey: ['inbox-secret', accountId, inboxId],
    queryFn: () =>
      get<{ identitySecret: string }>(`/api/accounts/${accountId}/inboxes/${inboxId}/identity-secret`),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const queryClient = useQueryClient();
  const rotate = useMutation({
    mutationFn: () =>
      post<{ identitySecret: string }>(`/api/accounts/${accountId}/inboxes/${inboxId}/identity-secret`),
    onSuccess: (data) => {
      queryClient.setQueryData(['inbox-secret', accountId, inboxId], data);
      setShown(true);
      notifications.show({ color: 'teal', message: t('inboxes.rotated') });
    },
  });
  const value = secret.data?.identitySecret ?? '';
  return (
    <Stack gap="xs">
      <Text fz="sm" fw={500}>
        {t('inboxes.secret')}
      </Text>
      <Group gap="xs" wrap="nowrap" align="center">
        <Box style={{ flex: 1, minWidth: 0 }}>
          {secret.isPending ? (
            <Skeleton h={36} />
          ) : (
            <Copyable value={value} display={shown ? value : '•'.repeat(32)} testId="identity-secret" />
          )}
        </Box>
        <Tooltip label={shown ? t('common.hide') : t('common.show')}>
          <ActionIcon
            variant="default"
            size={36}
            onClick={() => setShown((s) => !s)}
            aria-label={shown ? t('common.hide') : t('common.show')}
          >
            {shown ? <IconEyeOff size={16} /> : <IconEye size={16} />}
          </ActionIcon>
        </Tooltip>
      </Group>
      <Group justify="space-between" align="flex-start" gap="xs">
        <Text fz="xs" c="dimmed" maw={520}>
          {t('inboxes.secretHelp')}
        </Text>
        <Button
          variant="subtle"
          size="xs"
          color="red"
          leftSection={<IconRefresh size={14} />}
          onClick={() => rotate.mutate()}
          loading={rotate.isPending}
        >
          {t('inboxes.rotate')}
        </Button>
      </Group>
    </Stack>
  );
}

function InboxAgents({
  accountId,
  inboxId,
  isAdmin,
}: {
  accountId: string;
  inboxId: string;
  isAdmin: boolean;
}) {
  const t = useT();
  const queryClient = useQueryClient();
  const members = useMembers(accountId);
  const inboxMembers = useInboxMembers(accountId, inboxId, true);
  const change = useMutation({
    mutationFn: ({ userId, add }: { userId: string; add: boolean }) =>
      add
        ? put<{ userIds: string[] }>(`/api/accounts/${accountId}/inboxes/${inboxId}/members/${userId}`)
        : del<{ userIds: string[] }>(`/api/accounts/${accountId}/inboxes/${inboxId}/members/${userId}`),
    onSuccess: (data) => queryClient.setQueryData(keys.inboxMembers(accountId, inboxId), data.userIds),
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error, t) }),
  });
  const ids = new Set(inboxMembers.data ?? []);
  const agents = (members.data ?? []).filter((m) => m.role === 'agent');
  const inInbox = agents.filter((m) => ids.has(m.userId));
  const addable = agents.filter((m) => !ids.has(m.userId));
  return (
    <Stack gap="sm">
      {inInbox.length === 0 ? (
        <Text fz="sm" c="dimmed">
          {t('inboxes.noAgents')}
        </Text>
      ) : (
        inInbox.map((m) => (
          <Group key={m.userId} justify="space-between">
            <Group gap="sm">
              <PersonAvatar name={m.name} seed={m.userId} size={30} />
              <div>
                <Text fz="sm" fw={500}>
                  {m.name}
                </Text>
                <Text fz="xs" c="dimmed">
                  {m.email}
                </Text>
              </div>
            </Group>
            {isAdmin ? (
              <ActionIcon
                variant="subtle"
                color="gray"
                onClick={() => change.mutate({ userId: m.userId, add: false })}
                aria-label={t('common.remove')}
              >
                <IconX size={16} />
              </ActionIcon>
            ) : null}
          </Group>
        ))
      )}
      {isAdmin && addable.length > 0 ? (
        <Select
          placeholder={t('inboxes.addAgent')}
          data={addable.map((m) => ({ value: m.userId, label: `${m.name} (${m.email})` }))}
          value={null}
          onChange={(value) => value && change.mutate({ userId: value, add: true })}
          searchable
          maw={360}
        />
      ) : null}
    </Stack>
  );
}

export function InboxEditor({ inboxId, isAdmin }: { inboxId: string; isAdmin: boolean }) {
  const t = useT();
  const { account } = useReady();
  const { search } = useLocation();
  const queryClient = useQueryClient();
  const inboxes = useInboxes(account.accountId);
  const inbox = inboxes.data?.find((i) => i.id === inboxId);
  const [draft, setDraft] = useState<{ name: string; settings: InboxSettings } | null>(null);
  const [originError, setOriginError] = useState<string | null>(null);

  useEffect(() => {
    if (inbox && !draft) setDraft({ name: inbox.name, settings: inbox.settings });
  }, [inbox, draft]);

  const save = useMutation({
    mutationFn: (body: { name: string; settings: Partial<InboxSettings> }) =>
      patch<{ inbox: Inbox }>(`/api/accounts/${account.accountId}/inboxes/${inboxId}`, body),
    onSuccess: ({ inbox: saved }) => {
      queryClient.setQueryData<Inbox[]>(keys.inboxes(account.accountId), (list) =>
        list?.map((i) => (i.id === saved.id ? saved : i)),
      );
      setDraft({ name: saved.name, settings: saved.settings });
      notifications.show({ color: 'teal', message: t('common.saved'), icon: <IconCheck size={16} /> });
    },
  });

  if (inboxes.isPending || (!inbox && !inboxes.isError)) {
    return inboxes.isPending ? (
      <Skeleton h={300} radius="lg" />
    ) : (
      <Alert color="red">{t('common.error')}</Alert>
    );
  }
  if (!inbox || !draft) return <Alert color="red">{t('common.error')}</Alert>;

  const set = (change: Partial<InboxSettings>) =>
    setDraft({ ...draft, settings: { ...draft.settings, ...change } });
  const dirty = JSON.stringify(draft) !== JSON.stringify({ name: inbox.name, settings: inbox.settings });
  const snippet = embedSnippet(inbox.id);
  const title = draft.settings.title || draft.name;

  return (
    <Stack gap="lg" data-testid="inbox-editor">
      <Breadcrumbs>
        <Anchor href="/settings/inboxes" onClick={linkHandler('/settings/inboxes')} fz="sm">
          {t('settings.inboxes')}
        </Anchor>
        <Text fz="sm">{inbox.name}</Text>
      </Breadcrumbs>
      <Title order={1} fz={24}>
        {inbox.name}
      </Title>
      {search.get('created') === '1' ? (
        <Alert color="teal" icon={<IconCheck size={18} />} title={t('inboxes.created')} />
      ) : null}

      <Section title={t('inboxes.snippet')} description={t('inboxes.snippetHelp')}>
        <Group gap="sm" wrap="nowrap" align="flex-start">
          <IconCode size={20} color="var(--mantine-color-brand-6)" style={{ marginTop: 10, flexShrink: 0 }} />
          <Box style={{ flex: 1, minWidth: 0 }}>
            <Copyable value={snippet} testId="embed-snippet" multiline />
          </Box>
        </Group>
      </Section>

      <form
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate({
            name: draft.name,
            settings: {
              title: draft.settings.title,
              greeting: draft.settings.greeting,
              color: draft.settings.color,
              position: draft.settings.position,
              allowedOrigins: draft.settings.allowedOrigins,
              style: draft.settings.style,
              returningWindowMinutes: draft.settings.returningWindowMinutes,
              messagingCloseDays: draft.settings.messagingCloseDays,
              autoAssign: draft.settings.autoAssign,
              reassignOnOffline: draft.settings.reassignOnOffline,
              requiredSkills: draft.settings.requiredSkills,
              autoTagIds: draft.settings.autoTagIds,
              businessHours: {
                ...draft.settings.businessHours,
                hours: [...draft.settings.businessHours.hours].sort(
                  (a, b) => weekdayOrder.indexOf(a.day) - weekdayOrder.indexOf(b.day),
                ),
              },
              bot: cleanBot(draft.settings.bot),
            },
          });
        }}
      >
        <Stack gap="lg">
          <Section title={t('inboxes.appearance')}>
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xl">
              <Stack gap="md">
                <TextInput
                  label={t('common.name')}
                  value={draft.name}
                  onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
                  disabled={!isAdmin}
                  required
                  name="name"
                />
                <TextInput
                  label={t('inboxes.title')}
                  description={t('inboxes.titleHelp')}
                  value={draft.settings.title}
                  placeholder={draft.name}
                  maxLength={80}
                  onChange={(e) => set({ title: e.currentTarget.value })}
                  disabled={!isAdmin}
                  name="title"
                />
                <Textarea
                  label={t('inboxes.greeting')}
                  placeholder={t('inboxes.greetingPlaceholder')}
                  value={draft.settings.greeting}
                  maxLength={500}
                  autosize
                  minRows={2}
                  onChange={(e) => set({ greeting: e.currentTarget.value })}
                  disabled={!isAdmin}
                  name="greeting"
                />
                <ColorInput
                  label={t('inboxes.color')}
                  value={draft.settings.color}
                  onChange={(value) => {
                    if (/^#[0-9a-fA-F]{6}$/.test(value)) set({ color: value });
                  }}
                  format="hex"
                  swatches={swatches}
                  swatchesPerRow={9}
                  disabled={!isAdmin}
                  name="color"
                />
                <Box>
                  <Text fz="sm" fw={500} mb={4}>
                    {t('inboxes.position')}
                  </Text>
                  <SegmentedControl
                    value={draft.settings.position}
                    onChange={(value) => set({ position: value === 'left' ? 'left' : 'right' })}
                    data={[
                      { value: 'left', label: t('inboxes.positionLeft') },
                      { value: 'right', label: t('inboxes.positionRight') },
                    ]}
                    disabled={!isAdmin}
                    aria-label={t('inboxes.position')}
                  />
                </Box>
              </Stack>
              <WidgetPreview
                color={draft.settings.color}
                title={title}
                greeting={draft.settings.greeting}
                position={draft.settings.position}
              />
            </SimpleGrid>
          </Section>

          <Section title={t('inboxes.origins')} description={t('inboxes.originsHelp')}>
            <TagsInput
              value={draft.settings.allowedOrigins}
              onChange={(values) => {
                const cleaned = values.map((v) => v.trim().replace(/\/+$/, '').toLowerCase());
                const bad = cleaned.find((v) => !originPattern.test(v));
                setOriginError(bad ? t('inboxes.originsInvalid') : null);
                set({ allowedOrigins: [...new Set(cleaned.filter((v) => originPattern.test(v)))] });
              }}
              placeholder="https://www.example.com"
              error={originError}
              disabled={!isAdmin}
              clearable
              acceptValueOnBlur
              splitChars={[',', ' ']}
              data-testid="allowed-origins"
            />
          </Section>

          <RoutingSection settings={draft.settings} set={set} disabled={!isAdmin} />
          <BotSection settings={draft.settings} set={set} disabled={!isAdmin} />
          <AutoTagsSection settings={draft.settings} set={set} disabled={!isAdmin} />

          {isAdmin ? (
            <Group justify="flex-end">
              {save.isError ? (
                <Text c="red" fz="sm">
                  {errorMessage(save.error, t)}
                </Text>
              ) : null}
              <Button
                variant="default"
                disabled={!dirty}
                onClick={() => setDraft({ name: inbox.name, settings: inbox.settings })}
              >
                {t('common.cancel')}
              </Button>
              <Button type="submit" loading={save.isPending} disabled={!dirty} data-testid="save-inbox">
                {t('common.save')}
              </Button>
            </Group>
          ) : null}
        </Stack>
      </form>

      {isAdmin ? (
        <Section title={t('inboxes.security')}>
          <Stack gap="lg">
            <SecretField accountId={account.accountId} inboxId={inbox.id} />
            <Switch
              label={t('inboxes.requireVerification')}
              checked={inbox.settings.requireIdentityVerification}
              onChange={(event) =>
                save.mutate({
                  name: inbox.name,
                  settings: { requireIdentityVerification: event.currentTarget.checked },
                })
              }
            />
          </Stack>
        </Section>
      ) : null}

      {isAdmin ? <EmailFollowupSettings accountId={account.accountId} inbox={inbox} /> : null}

      <Section title={t('inboxes.members')} description={t('inboxes.membersHelp')}>
        <InboxAgents accountId={account.accountId} inboxId={inbox.id} isAdmin={isAdmin} />
      </Section>
    </Stack>
  );
}
