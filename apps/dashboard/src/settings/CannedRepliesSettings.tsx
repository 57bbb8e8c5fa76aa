import {
  ActionIcon,
  Alert,
  Badge,
  Box,
  Button,
  Group,
  Modal,
  Paper,
  SegmentedControl,
  Select,
  Skeleton,
  Stack,
  Text,
  Textarea,
  TextInput,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  type CannedReply,
  type CannedScope,
  type CannedVariableValues,
  cannedVariables,
  fillVariables,
  markdownToPlainText,
  parseMarkdownLite,
  unknownVariables,
} from '@parley/shared';
import { IconMessageBolt, IconPencil, IconPlus, IconSearch, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useRef, useState } from 'react';
import { useConfirm } from '../components/Confirm.tsx';
import { Empty } from '../components/common.tsx';
import { type MessageKey, useT } from '../i18n/index.tsx';
import { cannedKey, matchCanned } from '../inbox/composer/canned-data.ts';
import { RichText } from '../inbox/RichText.tsx';
import { ApiError, del, get, patch, post } from '../lib/api.ts';
import { errorMessage, fieldErrors } from '../lib/errors.ts';
import { useInboxes, useTeams } from '../lib/queries.ts';
import { useReady } from '../lib/session.tsx';
import './canned-settings.css';
import { SectionHeader } from './SettingsScreen.tsx';

type Filter = 'all' | CannedScope;

interface Draft {
  id: string | null;
  shortcut: string;
  body: string;
  scope: CannedScope;
  teamId: string | null;
}

/** Every reply this person may manage or use, with every team's for admins and supervisors. */
function useManagedReplies(accountId: string) {
  return useQuery({
    queryKey: [...cannedKey(accountId), 'all'],
    queryFn: async () =>
      (await get<{ cannedReplies: CannedReply[] }>(`/api/accounts/${accountId}/canned-replies?teams=all`))
        .cannedReplies,
  });
}

function ScopeBadge({ reply }: { reply: CannedReply }) {
  const t = useT();
  const label =
    reply.scope === 'team' ? (reply.teamName ?? t('canned.scope.team')) : t(`canned.scope.${reply.scope}`);
  const color = reply.scope === 'account' ? 'brand' : reply.scope === 'team' ? 'teal' : 'gray';
  return (
    <Badge size="sm" variant="light" color={color} data-testid="canned-scope">
      {label}
    </Badge>
  );
}

function CannedForm({ draft, manager, onClose }: { draft: Draft; manager: boolean; onClose: () => void }) {
  const t = useT();
  const { account, session } = useReady();
  const queryClient = useQueryClient();
  const teams = useTeams(account.accountId);
  const inboxes = useInboxes(account.accountId);
  const [value, setValue] = useState<Draft>(draft);
  const body = useRef<HTMLTextAreaElement>(null);
  const base = `/api/accounts/${account.accountId}/canned-replies`;

  const save = useMutation({
    mutationFn: (next: Draft) => {
      const payload = {
        shortcut: next.shortcut.replace(/^#/, '').trim(),
        body: next.body,
        scope: next.scope,
        teamId: next.scope === 'team' ? next.teamId : null,
      };
      return next.id ? patch(`${base}/${next.id}`, payload) : post(base, payload);
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: cannedKey(account.accountId) });
      notifications.show({ color: 'teal', message: t('canned.settings.saved') });
      onClose();
    },
  });

  const errors = fieldErrors(save.error);
  const exists = save.error instanceof ApiError && save.error.code === 'canned_reply_exists';
  const otherError = save.error && !exists && Object.keys(errors).length === 0 ? save.error : null;
  const unknown = unknownVariables(value.body);
  const example: CannedVariableValues = {
    contact: { name: 'Ana Souza', email: 'ana@example.com', phone: '+1 555 0100' },
    agent: { name: session.user.name },
    conversation: { number: 42 },
    inbox: { name: inboxes.data?.[0]?.name ?? null },
  };

  const insertVariable = (name: string) => {
    const element = body.current;
    const token = `{{${name}}}`;
    const start = element?.selectionStart ?? value.body.length;
    const end = element?.selectionEnd ?? value.body.length;
    setValue((v) => ({ ...v, body: v.body.slice(0, start) + token + v.body.slice(end) }));
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(start + token.length, start + token.length);
    });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(value);
  };

  const scopes: CannedScope[] = ['account', 'team', 'personal'];
  return (
    <Modal
      opened
      onClose={onClose}
      title={draft.id ? t('canned.form.editTitle') : t('canned.form.createTitle')}
      size="lg"
    >
      <form onSubmit={submit} data-testid="canned-form">
        <Stack gap="md">
          <TextInput
            label={t('canned.form.shortcut')}
            description={t('canned.form.shortcutHint')}
            leftSection={<Text c="dimmed">#</Text>}
            value={value.shortcut}
            onChange={(e) => {
              const shortcut = e.currentTarget.value.replace(/^#/, '').replace(/\s/g, '');
              setValue((v) => ({ ...v, shortcut }));
            }}
            error={exists ? t('canned.error.exists') : errors.shortcut}
            maxLength={32}
            required
            data-autofocus
            name="shortcut"
          />
          <Box>
            <Text fz="sm" fw={500} mb={4}>
              {t('canned.form.scope')}
            </Text>
            <SegmentedControl
              fullWidth
              value={value.scope}
              onChange={(scope) => setValue((v) => ({ ...v, scope: scope as CannedScope }))}
              data={scopes.map((scope) => ({
                value: scope,
                label: t(`canned.scope.${scope}`),
                disabled: scope !== 'personal' && !manager,
              }))}
              data-testid="canned-scope-control"
            />
            {manager ? null : (
              <Text fz="xs" c="dimmed" mt={4}>
                {t('canned.form.managersOnly')}
              </Text>
            )}
          </Box>
          {value.scope === 'team' ? (
            <Select
              label={t('canned.form.team')}
              placeholder={t('canned.form.teamPlaceholder')}
              data={(teams.data ?? []).map((team) => ({ value: team.id, label: team.name }))}
              value={value.teamId}
              onChange={(teamId) => setValue((v) => ({ ...v, teamId }))}
              error={errors.teamId}
              required
              allowDeselect={false}
            />
          ) : null}
          <Textarea
            ref={body}
            label={t('canned.form.body')}
            description={t('canned.form.bodyHint')}
            value={value.body}
            onChange={(e) => {
              const text = e.currentTarget.value;
              setValue((v) => ({ ...v, body: text }));
            }}
            error={errors.body}
            autosize
            minRows={4}
            maxRows={12}
            maxLength={5000}
            required
            name="body"
          />
          <Box>
            <Text fz="xs" fw={600} c="dimmed" mb={6}>
              {t('canned.form.variables')}
            </Text>
            <Group gap={6}>
              {cannedVariables.map((name) => (
                <Tooltip key={name} label={t(`canned.variable.${name}` as MessageKey)}>
                  <UnstyledButton
                    className="canned-variable"
                    onClick={() => insertVariable(name)}
                    data-testid="canned-variable"
                  >
                    {`{{${name}}}`}
                  </UnstyledButton>
                </Tooltip>
              ))}
            </Group>
            <Text fz="xs" c="dimmed" mt={6}>
              {t('canned.form.variablesHint')}
            </Text>
            {unknown.length > 0 ? (
              <Text fz="xs" c="orange.8" mt={4}>
                {t('canned.form.unknownVariables', { names: unknown.join(', ') })}
              </Text>
            ) : null}
          </Box>
          {value.body.trim() ? (
            <Box>
              <Text fz="xs" fw={600} c="dimmed" mb={6}>
                {t('canned.form.preview')}
              </Text>
              <Paper withBorder radius="md" p="sm" className="canned-preview" data-testid="canned-preview">
                <RichText
                  text={fillVariables(value.body, example, {
                    'contact.first_name': t('canned.fallback.name'),
                  })}
                />
              </Paper>
            </Box>
          ) : null}
          {otherError ? <Alert color="red">{errorMessage(otherError, t)}</Alert> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button
              type="submit"
              loading={save.isPending}
              disabled={
                !value.shortcut.trim() || !value.body.trim() || (value.scope === 'team' && !value.teamId)
              }
            >
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function CannedRow({ reply, onEdit }: { reply: CannedReply; onEdit: () => void }) {
  const t = useT();
  const { account } = useReady();
  const queryClient = useQueryClient();
  const confirm = useConfirm();
  const remove = useMutation({
    mutationFn: () => del(`/api/accounts/${account.accountId}/canned-replies/${reply.id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: cannedKey(account.accountId) }),
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error, t) }),
  });
  const preview = markdownToPlainText(parseMarkdownLite(reply.body));
  return (
    <Group className="canned-row" justify="space-between" wrap="nowrap" gap="md" data-testid="canned-row">
      {confirm.dialog}
      <Box style={{ minWidth: 0, flex: 1 }}>
        <Group gap="xs" wrap="nowrap" mb={2}>
          <Text fw={650} fz="sm" className="canned-row__shortcut" truncate>
            #{reply.shortcut}
          </Text>
          <ScopeBadge reply={reply} />
        </Group>
        <Text fz="sm" c="dimmed" lineClamp={2} style={{ whiteSpace: 'pre-line' }}>
          {preview}
        </Text>
      </Box>
      {reply.canManage ? (
        <Group gap={4} wrap="nowrap">
          <Tooltip label={t('canned.form.editTitle')}>
            <ActionIcon
              variant="subtle"
              color="gray"
              onClick={onEdit}
              aria-label={t('canned.form.editTitle')}
            >
              <IconPencil size={16} />
            </ActionIcon>
          </Tooltip>
          <Tooltip label={t('common.delete')}>
            <ActionIcon
              variant="subtle"
              color="red"
              onClick={() =>
                confirm.ask(
                  t('canned.settings.deleteConfirm', { shortcut: reply.shortcut }),
                  t('common.delete'),
                  () => remove.mutate(),
                )
              }
              aria-label={t('common.delete')}
            >
              <IconTrash size={16} />
            </ActionIcon>
          </Tooltip>
        </Group>
      ) : null}
    </Group>
  );
}

/** Settings → Canned replies: everyone manages their own; admins and supervisors the shared ones. */
export function CannedRepliesSettings() {
  const t = useT();
  const { account } = useReady();
  const manager = account.role === 'admin' || account.role === 'supervisor';
  const replies = useManagedReplies(account.accountId);
  const [search, setSearch] = useState('');
  const [filter, setFilter] = useState<Filter>('all');
  const [editing, setEditing] = useState<Draft | null>(null);

  const shown = useMemo(() => {
    const scoped = (replies.data ?? []).filter((r) => filter === 'all' || r.scope === filter);
    return search.trim() ? matchCanned(scoped, search.replace(/^#/, ''), 500) : scoped;
  }, [replies.data, filter, search]);

  const create = () =>
    setEditing({ id: null, shortcut: '', body: '', scope: manager ? 'account' : 'personal', teamId: null });
  const edit = (reply: CannedReply) =>
    setEditing({
      id: reply.id,
      shortcut: reply.shortcut,
      body: reply.body,
      scope: reply.scope,
      teamId: reply.teamId,
    });

  const filters: Filter[] = ['all', 'account', 'team', 'personal'];
  return (
    <>
      <SectionHeader
        title={t('canned.settings.title')}
        subtitle={t('canned.settings.subtitle')}
        action={
          <Button leftSection={<IconPlus size={16} />} onClick={create} data-testid="canned-new">
            {t('canned.settings.new')}
          </Button>
        }
      />
      <Group mb="md" gap="sm" wrap="wrap">
        <TextInput
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          placeholder={t('canned.settings.search')}
          aria-label={t('canned.settings.search')}
          leftSection={<IconSearch size={16} />}
          style={{ flex: 1, minWidth: 220 }}
        />
        <SegmentedControl
          value={filter}
          onChange={(v) => setFilter(v as Filter)}
          data={filters.map((f) => ({
            value: f,
            label: t(`canned.filter.${f}`),
          }))}
        />
      </Group>
      {replies.isPending ? (
        <Stack gap="sm">
          <Skeleton h={64} radius="md" />
          <Skeleton h={64} radius="md" />
        </Stack>
      ) : replies.isError ? (
        <Alert color="red">{errorMessage(replies.error, t)}</Alert>
      ) : (replies.data ?? []).length === 0 ? (
        <Paper withBorder radius="lg" p="xl">
          <Empty
            icon={<IconMessageBolt size={26} />}
            title={t('canned.settings.empty')}
            description={t('canned.settings.emptyHint')}
          />
        </Paper>
      ) : shown.length === 0 ? (
        <Text c="dimmed" fz="sm" ta="center" py="xl">
          {t('canned.settings.noMatch')}
        </Text>
      ) : (
        <Paper withBorder radius="lg" className="canned-list" data-testid="canned-list">
          {shown.map((reply) => (
            <CannedRow key={reply.id} reply={reply} onEdit={() => edit(reply)} />
          ))}
        </Paper>
      )}
      {editing ? <CannedForm draft={editing} manager={manager} onClose={() => setEditing(null)} /> : null}
    </>
  );
}
