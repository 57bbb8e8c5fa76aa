import { Anchor, Box, Button, Group, Skeleton, Stack, Text, Timeline } from '@mantine/core';
import type { AttributeDefinition, ConversationStatus, JourneyEvent } from '@parley/shared';
import {
  IconArrowsExchange,
  IconBan,
  IconCircleCheck,
  IconClock,
  IconGitMerge,
  IconMessagePlus,
  IconPencil,
  IconRobot,
  IconTag,
  IconUserCheck,
  IconUserMinus,
  IconUserPlus,
} from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { RelativeTime } from '../components/common.tsx';
import { type Translate, useI18n } from '../i18n/index.tsx';
import { useInboxes, useMembers, useTeams } from '../lib/queries.ts';
import { linkHandler } from '../lib/router.ts';
import { useAttributeDefinitions, useJourney } from './api.ts';

interface Names {
  agent: (id: unknown) => string;
  team: (id: unknown) => string;
  inbox: (id: unknown) => string;
  field: (field: string) => string;
  when: (iso: unknown) => string;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const statusKeys: ConversationStatus[] = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'];

function statusLabel(value: unknown, t: Translate): string {
  const status = statusKeys.find((s) => s === value);
  return status ? t(`status.${status}`) : str(value);
}

function whoOf(event: JourneyEvent, t: Translate): string {
  switch (event.actor.kind) {
    case 'agent':
    case 'token':
      return event.actor.name ?? t('contacts.journey.someone');
    case 'contact':
      return event.actor.name ?? t('contacts.journey.customer');
    case 'bot':
      return t('contacts.journey.bot');
    case 'system':
      return 'Parley';
  }
}

function valueText(value: unknown, t: Translate): string {
  if (value === null || value === undefined || value === '') return '—';
  if (value === true) return t('contacts.yes');
  if (value === false) return t('contacts.no');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** One journey entry as a sentence people read (every inserted value stays text). */
export function describeEvent(event: JourneyEvent, t: Translate, names: Names): string {
  const who = whoOf(event, t);
  const p = event.payload;
  switch (event.type) {
    case 'conversation.created':
      return t('contacts.journey.created', { who, inbox: names.inbox(p.inboxId) });
    case 'conversation.assigned':
      if (p.reason === 'transfer')
        return t('contacts.journey.transferredTo', { who, name: names.agent(p.assigneeId) });
      return event.actor.kind === 'system'
        ? t('contacts.journey.assignedAuto', { name: names.agent(p.assigneeId) })
        : t('contacts.journey.assigned', { who, name: names.agent(p.assigneeId) });
    case 'conversation.transferred':
      return t('contacts.journey.transferredTeam', { who, team: names.team(p.teamId) });
    case 'conversation.unassigned':
      return t('contacts.journey.unassigned', { who, name: names.agent(p.previousAssigneeId) });
    case 'conversation.queued':
      return t('contacts.journey.queued');
    case 'conversation.status_changed':
      if (p.reason === 'customer_reply') return t('contacts.journey.reopenedByCustomer');
      return t('contacts.journey.status', { who, from: statusLabel(p.from, t), to: statusLabel(p.to, t) });
    case 'conversation.snoozed':
      return t('contacts.journey.snoozed', {
        who,
        until: names.when(p.until),
      });
    case 'conversation.priority_changed': {
      const to = ['low', 'normal', 'high', 'urgent'].find((v) => v === p.to);
      return t('contacts.journey.priority', {
        who,
        priority: to ? t(`priority.${to as 'low' | 'normal' | 'high' | 'urgent'}`) : str(p.to),
      });
    }
    case 'conversation.bot_phase_changed':
      if (p.to === 'requested') return t('contacts.journey.humanRequested', { who });
      if (p.to === 'accepted') return t('contacts.journey.botAccepted', { who });
      if (p.to === 'bot') return t('contacts.journey.botResumed', { who });
      return t('contacts.journey.botEnded', { who });
    case 'conversation.tag_added':
      return t('contacts.journey.tagAdded', { who, tag: str(p.name) });
    case 'conversation.tag_removed':
      return t('contacts.journey.tagRemoved', { who, tag: str(p.name) });
    case 'contact.created':
      return t('contacts.journey.contactCreated', { inbox: names.inbox(p.inboxId) });
    case 'contact.tag_added':
      return t('contacts.journey.contactTagAdded', { who, tag: str(p.name) });
    case 'contact.tag_removed':
      return t('contacts.journey.contactTagRemoved', { who, tag: str(p.name) });
    case 'contact.updated': {
      const changes = Array.isArray(p.changes) ? (p.changes as Array<{ field?: unknown }>) : [];
      return t('contacts.journey.updated', {
        who,
        fields: changes.map((c) => names.field(str(c.field))).join(', '),
      });
    }
    case 'contact.merged':
      return p.direction === 'into'
        ? t('contacts.journey.mergedInto', { who, name: str(p.otherName) || t('contacts.unnamed') })
        : t('contacts.journey.mergedFrom', { who, name: str(p.otherName) || t('contacts.unnamed') });
    case 'contact.blocked':
      return t('contacts.journey.blocked', { who });
    case 'contact.unblocked':
      return t('contacts.journey.unblocked', { who });
    default:
      return event.type;
  }
}

const iconSize = 13;
function iconOf(type: string): ReactNode {
  if (type === 'conversation.created') return <IconMessagePlus size={iconSize} />;
  if (type === 'contact.created') return <IconUserPlus size={iconSize} />;
  if (type === 'conversation.assigned') return <IconUserCheck size={iconSize} />;
  if (type === 'conversation.transferred') return <IconArrowsExchange size={iconSize} />;
  if (type === 'conversation.unassigned') return <IconUserMinus size={iconSize} />;
  if (type === 'conversation.status_changed') return <IconCircleCheck size={iconSize} />;
  if (type === 'conversation.snoozed' || type === 'conversation.queued') return <IconClock size={iconSize} />;
  if (type === 'conversation.bot_phase_changed') return <IconRobot size={iconSize} />;
  if (type.endsWith('tag_added') || type.endsWith('tag_removed')) return <IconTag size={iconSize} />;
  if (type === 'contact.merged') return <IconGitMerge size={iconSize} />;
  if (type === 'contact.blocked' || type === 'contact.unblocked') return <IconBan size={iconSize} />;
  return <IconPencil size={iconSize} />;
}

/** Old and new values of a profile edit, one line per field. */
function ChangeLines({ event, names }: { event: JourneyEvent; names: Names }) {
  const { t } = useI18n();
  const changes = Array.isArray(event.payload.changes)
    ? (event.payload.changes as Array<{ field?: unknown; from?: unknown; to?: unknown }>)
    : [];
  return (
    <Stack gap={0} mt={2}>
      {changes.slice(0, 6).map((change) => (
        <Text key={str(change.field)} fz="xs" c="dimmed" className="field__text">
          {names.field(str(change.field))}: {valueText(change.from, t)} → {valueText(change.to, t)}
        </Text>
      ))}
    </Stack>
  );
}

function useNames(accountId: string): Names {
  const { t, formatDate, formatTime } = useI18n();
  const members = useMembers(accountId);
  const teams = useTeams(accountId);
  const inboxes = useInboxes(accountId);
  const definitions = useAttributeDefinitions(accountId);
  const byId = <T extends { name: string }>(list: T[] | undefined, key: (item: T) => string) => {
    const map = new Map((list ?? []).map((item) => [key(item), item.name]));
    return (id: unknown) => (typeof id === 'string' ? map.get(id) : undefined);
  };
  const agent = byId(members.data, (m) => m.userId);
  const team = byId(teams.data, (x) => x.id);
  const inbox = byId(inboxes.data, (x) => x.id);
  const labels = new Map((definitions.data ?? []).map((d: AttributeDefinition) => [d.key, d.label]));
  const profileLabels: Record<string, string> = {
    name: t('common.name'),
    email: t('contact.email'),
    phone: t('contact.phone'),
    company: t('contacts.company'),
  };
  return {
    agent: (id) => agent(id) ?? t('contacts.journey.someone'),
    team: (id) => team(id) ?? t('contacts.journey.aTeam'),
    inbox: (id) => inbox(id) ?? t('contacts.journey.anInbox'),
    when: (iso) =>
      typeof iso === 'string' && Number.isFinite(Date.parse(iso))
        ? `${formatDate(iso)} ${formatTime(iso)}`
        : '',
    field: (field) => {
      if (field.startsWith('attributes.')) {
        const key = field.slice('attributes.'.length);
        return labels.get(key) ?? key;
      }
      return profileLabels[field] ?? field;
    },
  };
}

/**
 * The customer journey: what happened to the contact across conversations, newest first, with who did
 * it and when; each entry links to its conversation. `compact` shows the latest few for the side panel.
 */
export function JourneyTimeline({
  accountId,
  contactId,
  compact = false,
  conversationHref,
}: {
  accountId: string;
  contactId: string;
  compact?: boolean;
  conversationHref: (conversationId: string) => string;
}) {
  const { t } = useI18n();
  const journey = useJourney(accountId, contactId, compact ? 5 : 30);
  const names = useNames(accountId);
  const events =
    (compact ? journey.data?.pages.slice(0, 1) : journey.data?.pages)?.flatMap((p) => p.events) ?? [];

  if (journey.isPending) {
    return (
      <Stack gap="sm">
        <Skeleton h={12} w="80%" />
        <Skeleton h={12} w="60%" />
        <Skeleton h={12} w="70%" />
      </Stack>
    );
  }
  if (journey.isError) {
    return (
      <Text fz="sm" c="red">
        {t('common.error')}
      </Text>
    );
  }
  if (events.length === 0) {
    return (
      <Text fz="sm" c="dimmed">
        {t('contacts.journey.nothing')}
      </Text>
    );
  }
  return (
    <Box data-testid="journey">
      <Timeline bulletSize={24} lineWidth={2} className="journey" data-compact={compact || undefined}>
        {events.map((event) => (
          <Timeline.Item
            key={event.id}
            bullet={iconOf(event.type)}
            data-testid="journey-event"
            data-type={event.type}
            title={
              <Text fz="sm" fw={compact ? 500 : 550} className="field__text" lh={1.35}>
                {describeEvent(event, t, names)}
              </Text>
            }
          >
            {event.type === 'contact.updated' && !compact ? (
              <ChangeLines event={event} names={names} />
            ) : null}
            <Group gap={6} mt={2}>
              {event.conversationId && event.conversationNumber !== null ? (
                <Anchor
                  fz="xs"
                  href={conversationHref(event.conversationId)}
                  onClick={linkHandler(conversationHref(event.conversationId))}
                >
                  #{event.conversationNumber}
                </Anchor>
              ) : null}
              <Text fz="xs" c="dimmed">
                <RelativeTime iso={event.createdAt} />
              </Text>
            </Group>
          </Timeline.Item>
        ))}
      </Timeline>
      {!compact && journey.hasNextPage ? (
        <Button
          variant="subtle"
          size="xs"
          mt="sm"
          onClick={() => void journey.fetchNextPage()}
          loading={journey.isFetchingNextPage}
        >
          {t('contacts.journey.older')}
        </Button>
      ) : null}
    </Box>
  );
}
