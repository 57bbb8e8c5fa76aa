import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Group,
  Menu,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { BotPhase, Conversation, ConversationStatus, Priority } from '@parley/shared';
import {
  IconArrowsExchange,
  IconClockPause,
  IconDots,
  IconFlag,
  IconNote,
  IconRobot,
  IconUserCheck,
} from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useT } from '../i18n/index.tsx';
import { post } from '../lib/api.ts';
import { conversationStore } from '../lib/conversation-store.ts';
import { useMembers, useTeams } from '../lib/queries.ts';
import { actionErrorMessage } from './action-errors.ts';
import { AgentLoadOption, useAgentLoads } from './transfer-load.tsx';

type Action =
  | { kind: 'status'; status: 'open' | 'pending' | 'on_hold' }
  | { kind: 'priority'; priority: Priority }
  | { kind: 'snooze'; until: string }
  | { kind: 'transfer'; assigneeId?: string; teamId?: string; note?: string }
  | { kind: 'accept' };

/** The server's allowed changes (modules/conversations/status.ts), so the menu offers only those. */
const allowed: Record<ConversationStatus, readonly ConversationStatus[]> = {
  new: ['open', 'pending', 'on_hold', 'solved'],
  open: ['pending', 'on_hold', 'solved'],
  pending: ['open', 'on_hold', 'solved'],
  on_hold: ['open', 'pending', 'solved'],
  solved: ['open', 'closed'],
  closed: [],
};

const priorities: Priority[] = ['low', 'normal', 'high', 'urgent'];
const priorityColors: Record<Priority, string> = {
  low: 'gray',
  normal: 'blue',
  high: 'orange',
  urgent: 'red',
};
const phaseColors: Record<BotPhase, string> = { bot: 'violet', requested: 'orange', accepted: 'teal' };

function pathOf(action: Action): string {
  switch (action.kind) {
    case 'status':
      return 'status';
    case 'priority':
      return 'priority';
    case 'snooze':
      return 'snooze';
    case 'transfer':
      return 'transfer';
    case 'accept':
      return 'bot/accept';
  }
}

function bodyOf(action: Action): unknown {
  switch (action.kind) {
    case 'status':
      return { status: action.status };
    case 'priority':
      return { priority: action.priority };
    case 'snooze':
      return { until: action.until };
    case 'transfer':
      return { assigneeId: action.assigneeId, teamId: action.teamId, note: action.note };
    case 'accept':
      return {};
  }
}

/** One mutation for every header action: the answer is the conversation, so the store takes it. */
export function useConversationAction(
  accountId: string,
  conversationId: string,
  onDone?: (a: Action) => void,
) {
  const t = useT();
  return useMutation({
    mutationFn: (action: Action) =>
      post<{ conversation: Conversation }>(
        `/api/accounts/${accountId}/conversations/${conversationId}/${pathOf(action)}`,
        bodyOf(action),
      ),
    onSuccess: ({ conversation }, action) => {
      conversationStore.upsert([conversation]);
      onDone?.(action);
    },
    onError: (error) => notifications.show({ color: 'red', message: actionErrorMessage(error, t) }),
  });
}

/** The bot phase as a badge; nothing when no bot is involved. */
export function BotPhaseBadge({ phase }: { phase: BotPhase | null }) {
  const t = useT();
  if (!phase) return null;
  return (
    <Badge
      size="xs"
      variant="light"
      color={phaseColors[phase]}
      leftSection={<IconRobot size={11} />}
      data-testid="bot-phase"
      data-phase={phase}
    >
      {t(`bot.phase.${phase}`)}
    </Badge>
  );
}

/**
 * While the bot holds the conversation: a strip under the header saying so, with "Accept" when the
 * customer asked for a person and "Take over" while the bot is still answering.
 */
export function BotStrip({ accountId, conversation }: { accountId: string; conversation: Conversation }) {
  const t = useT();
  const action = useConversationAction(accountId, conversation.id);
  if (conversation.botPhase !== 'bot' && conversation.botPhase !== 'requested') return null;
  if (conversation.status === 'closed') return null;
  const requested = conversation.botPhase === 'requested';
  return (
    <Group
      gap="sm"
      px="md"
      py={8}
      wrap="nowrap"
      data-testid="bot-strip"
      style={{
        flex: 'none',
        background: `var(--mantine-color-${requested ? 'orange' : 'violet'}-0)`,
        borderBottom: `1px solid var(--mantine-color-${requested ? 'orange' : 'violet'}-2)`,
      }}
    >
      <IconRobot size={18} color={`var(--mantine-color-${requested ? 'orange' : 'violet'}-7)`} />
      <Text fz="sm" fw={500} style={{ flex: 1 }}>
        {t(`bot.strip.${conversation.botPhase}`)}
      </Text>
      <Button
        size="compact-sm"
        color={requested ? 'orange' : 'violet'}
        variant={requested ? 'filled' : 'light'}
        leftSection={<IconUserCheck size={14} />}
        loading={action.isPending}
        onClick={() => action.mutate({ kind: 'accept' })}
        data-testid="bot-accept"
      >
        {requested ? t('bot.accept') : t('bot.takeOver')}
      </Button>
    </Group>
  );
}

/** The note the last transfer left: the first thing the receiving agent reads, above the thread. */
export function HandoffNote({ conversation }: { conversation: Conversation }) {
  const t = useT();
  if (!conversation.handoffNote) return null;
  return (
    <Alert
      color="yellow"
      variant="light"
      mx="md"
      mt="sm"
      icon={<IconNote size={18} />}
      title={t('handoff.title')}
      data-testid="handoff-note"
      style={{ flex: 'none', whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
    >
      {conversation.handoffNote}
    </Alert>
  );
}

/** A local date-time string for an input, an hour from now. */
function inAnHour(): string {
  const d = new Date(Date.now() + 60 * 60 * 1000);
  d.setSeconds(0, 0);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Status changes other than resolve, priority, snooze and transfer; resolve stays its own button. */
export function ConversationActions({
  accountId,
  conversation,
  me,
}: {
  accountId: string;
  conversation: Conversation;
  me: string;
}) {
  const t = useT();
  const [modal, setModal] = useState<'snooze' | 'transfer' | null>(null);
  const action = useConversationAction(accountId, conversation.id, (a) => {
    if (a.kind === 'transfer') notifications.show({ color: 'teal', message: t('transfer.done') });
    if (a.kind === 'snooze' || a.kind === 'transfer') setModal(null);
  });
  const closed = conversation.status === 'closed';
  const statusTargets = (['open', 'pending', 'on_hold'] as const).filter((s) =>
    allowed[conversation.status].includes(s),
  );
  return (
    <>
      <Menu position="bottom-end" width={230} withinPortal shadow="md" disabled={closed}>
        <Menu.Target>
          <Tooltip label={t('status.change')}>
            <ActionIcon
              variant="default"
              size={36}
              loading={action.isPending}
              aria-label={t('status.change')}
              data-testid="conversation-actions"
            >
              <IconDots size={18} />
            </ActionIcon>
          </Tooltip>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>{t('status.change')}</Menu.Label>
          {statusTargets.map((status) => (
            <Menu.Item
              key={status}
              onClick={() => action.mutate({ kind: 'status', status })}
              data-testid={`status-to-${status}`}
            >
              {t(`status.to.${status}`)}
            </Menu.Item>
          ))}
          <Menu.Item
            leftSection={<IconClockPause size={16} />}
            onClick={() => setModal('snooze')}
            data-testid="snooze"
          >
            {t('snooze.title')}…
          </Menu.Item>
          <Menu.Divider />
          <Menu.Item
            leftSection={<IconArrowsExchange size={16} />}
            onClick={() => setModal('transfer')}
            data-testid="transfer"
          >
            {t('transfer.title')}…
          </Menu.Item>
          <Menu.Divider />
          <Menu.Label>{t('priority.title')}</Menu.Label>
          {priorities.map((priority) => (
            <Menu.Item
              key={priority}
              leftSection={
                <IconFlag size={16} color={`var(--mantine-color-${priorityColors[priority]}-6)`} />
              }
              rightSection={priority === conversation.priority ? '✓' : null}
              onClick={() => action.mutate({ kind: 'priority', priority })}
              data-testid={`priority-${priority}`}
            >
              {t(`priority.${priority}`)}
            </Menu.Item>
          ))}
        </Menu.Dropdown>
      </Menu>
      <SnoozeModal
        opened={modal === 'snooze'}
        onClose={() => setModal(null)}
        pending={action.isPending}
        onSubmit={(until) => action.mutate({ kind: 'snooze', until })}
      />
      <TransferModal
        accountId={accountId}
        me={me}
        opened={modal === 'transfer'}
        onClose={() => setModal(null)}
        pending={action.isPending}
        onSubmit={(target) => action.mutate({ kind: 'transfer', ...target })}
      />
    </>
  );
}

function SnoozeModal({
  opened,
  onClose,
  pending,
  onSubmit,
}: {
  opened: boolean;
  onClose: () => void;
  pending: boolean;
  onSubmit: (until: string) => void;
}) {
  const t = useT();
  const [value, setValue] = useState(inAnHour);
  const [error, setError] = useState<string | null>(null);
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    // The input is local time without a zone; Date reads it as local, toISOString sends UTC.
    const at = new Date(value);
    if (Number.isNaN(at.getTime()) || at.getTime() <= Date.now()) {
      setError(t('snooze.invalid'));
      return;
    }
    setError(null);
    onSubmit(at.toISOString());
  };
  return (
    <Modal opened={opened} onClose={onClose} title={t('snooze.title')} size="sm">
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            type="datetime-local"
            label={t('snooze.until')}
            value={value}
            onChange={(e) => setValue(e.currentTarget.value)}
            error={error}
            data-testid="snooze-until"
            data-autofocus
          />
          <Group justify="flex-end">
            <Button type="submit" loading={pending} data-testid="snooze-submit">
              {t('snooze.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function TransferModal({
  accountId,
  me,
  opened,
  onClose,
  pending,
  onSubmit,
}: {
  accountId: string;
  me: string;
  opened: boolean;
  onClose: () => void;
  pending: boolean;
  onSubmit: (target: { assigneeId?: string; teamId?: string; note?: string }) => void;
}) {
  const t = useT();
  const members = useMembers(accountId);
  const teams = useTeams(accountId);
  const loads = useAgentLoads(accountId, opened);
  const [to, setTo] = useState<'agent' | 'team'>('agent');
  const [target, setTarget] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!target) return;
    const trimmed = note.trim();
    onSubmit({
      ...(to === 'agent' ? { assigneeId: target } : { teamId: target }),
      ...(trimmed ? { note: trimmed } : {}),
    });
  };
  const data =
    to === 'agent'
      ? (members.data ?? []).filter((m) => m.userId !== me).map((m) => ({ value: m.userId, label: m.name }))
      : (teams.data ?? []).map((x) => ({ value: x.id, label: x.name }));
  return (
    <Modal opened={opened} onClose={onClose} title={t('transfer.title')}>
      <form onSubmit={submit}>
        <Stack>
          <SegmentedControl
            value={to}
            onChange={(v) => {
              setTo(v as 'agent' | 'team');
              setTarget(null);
            }}
            data={[
              { value: 'agent', label: t('transfer.toAgent') },
              { value: 'team', label: t('transfer.toTeam') },
            ]}
          />
          <Select
            label={to === 'agent' ? t('transfer.agent') : t('transfer.team')}
            data={data}
            value={target}
            onChange={setTarget}
            searchable
            comboboxProps={{ withinPortal: true }}
            {...(to === 'agent'
              ? {
                  renderOption: ({ option }: { option: { value: string; label: string } }) => (
                    <AgentLoadOption
                      name={option.label}
                      profile={loads.data?.find((p) => p.userId === option.value)}
                    />
                  ),
                }
              : {})}
            data-testid="transfer-target"
          />
          <Textarea
            label={t('transfer.note')}
            placeholder={t('transfer.notePlaceholder')}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            autosize
            minRows={3}
            maxLength={2000}
            data-testid="transfer-note"
          />
          <Group justify="flex-end">
            <Button type="submit" loading={pending} disabled={!target} data-testid="transfer-submit">
              {t('transfer.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
