import { Button, CloseButton, Menu, ScrollArea, Tooltip } from '@mantine/core';
import { type ConversationStatus, conversationStatuses, type Inbox } from '@parley/shared';
import { IconCheck, IconChevronDown } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useT } from '../i18n/index.tsx';
import { useMembers } from '../lib/queries.ts';
import { useReady } from '../lib/session.tsx';
import { useTagLookup } from '../tags/queries.ts';
import { TagCombobox } from '../tags/TagCombobox.tsx';
import { hasFilters } from './filters.ts';
import type { ListFilter } from './list-state.ts';

function Pill({
  active,
  children,
  testId,
  ...rest
}: {
  active: boolean;
  children: ReactNode;
  testId: string;
  onClick?: () => void;
}) {
  return (
    <Button
      size="compact-xs"
      radius="xl"
      variant={active ? 'light' : 'default'}
      rightSection={<IconChevronDown size={12} />}
      className="filter-pill"
      data-active={active || undefined}
      data-testid={testId}
      styles={{ label: { maxWidth: 120, overflow: 'hidden', textOverflow: 'ellipsis' } }}
      {...rest}
    >
      {children}
    </Button>
  );
}

const check = (on: boolean) => (on ? <IconCheck size={14} /> : <span style={{ width: 14 }} />);

/** Narrows the list by status, inbox, assignee and tags; every change is a new URL (see filters.ts). */
export function FilterBar({
  filter,
  inboxes,
  onChange,
}: {
  filter: ListFilter;
  inboxes: Inbox[] | undefined;
  onChange: (next: Partial<ListFilter>) => void;
}) {
  const t = useT();
  const { account, session } = useReady();
  const members = useMembers(account.accountId);
  const lookup = useTagLookup(account.accountId);
  const tagIds = filter.tagIds ?? [];
  const assigneeFixed = filter.view === 'mine' || filter.view === 'unassigned';
  const assigneeLabel =
    filter.assignee === 'me' || filter.assignee === session.user.id
      ? t('tags.filter.me')
      : filter.assignee === 'none'
        ? t('tags.filter.unassigned')
        : filter.assignee
          ? (members.data?.find((m) => m.userId === filter.assignee)?.name ?? t('tags.filter.assignee'))
          : t('tags.filter.assignee');
  const firstTag = tagIds.length === 1 && tagIds[0] ? lookup(tagIds[0]) : undefined;
  const tagLabel =
    tagIds.length === 0
      ? t('tags.filter.tags')
      : firstTag
        ? firstTag.name
        : t('tags.filter.tagCount', { count: tagIds.length });

  return (
    <div className="filter-bar" role="toolbar" aria-label={t('tags.filter.bar')}>
      <Menu position="bottom-start" withinPortal>
        <Menu.Target>
          <Pill active={filter.status !== null} testId="status-filter">
            {filter.status ? t(`status.${filter.status}`) : t('tags.filter.status')}
          </Pill>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item leftSection={check(filter.status === null)} onClick={() => onChange({ status: null })}>
            {t('status.any')}
          </Menu.Item>
          {conversationStatuses.map((status: ConversationStatus) => (
            <Menu.Item
              key={status}
              leftSection={check(filter.status === status)}
              onClick={() => onChange({ status })}
            >
              {t(`status.${status}`)}
            </Menu.Item>
          ))}
        </Menu.Dropdown>
      </Menu>

      {(inboxes?.length ?? 0) > 1 ? (
        <Menu position="bottom-start" withinPortal>
          <Menu.Target>
            <Pill active={filter.inboxId !== null} testId="inbox-filter">
              {(filter.inboxId && inboxes?.find((i) => i.id === filter.inboxId)?.name) ||
                t('tags.filter.inbox')}
            </Pill>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item
              leftSection={check(filter.inboxId === null)}
              onClick={() => onChange({ inboxId: null })}
            >
              {t('views.allInboxes')}
            </Menu.Item>
            {(inboxes ?? []).map((inbox) => (
              <Menu.Item
                key={inbox.id}
                leftSection={check(filter.inboxId === inbox.id)}
                onClick={() => onChange({ inboxId: inbox.id })}
              >
                {inbox.name}
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
      ) : null}

      {assigneeFixed ? null : (
        <Menu position="bottom-start" withinPortal>
          <Menu.Target>
            <Pill active={Boolean(filter.assignee)} testId="assignee-filter">
              {assigneeLabel}
            </Pill>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item leftSection={check(!filter.assignee)} onClick={() => onChange({ assignee: null })}>
              {t('tags.filter.anyone')}
            </Menu.Item>
            <Menu.Item
              leftSection={check(filter.assignee === 'me')}
              onClick={() => onChange({ assignee: 'me' })}
            >
              {t('tags.filter.me')}
            </Menu.Item>
            <Menu.Item
              leftSection={check(filter.assignee === 'none')}
              onClick={() => onChange({ assignee: 'none' })}
            >
              {t('tags.filter.unassigned')}
            </Menu.Item>
            {(members.data ?? []).filter((m) => m.userId !== session.user.id).length > 0 ? (
              <Menu.Divider />
            ) : null}
            <ScrollArea.Autosize mah={220}>
              {(members.data ?? [])
                .filter((m) => m.userId !== session.user.id)
                .map((member) => (
                  <Menu.Item
                    key={member.userId}
                    leftSection={check(filter.assignee === member.userId)}
                    onClick={() => onChange({ assignee: member.userId })}
                  >
                    {member.name}
                  </Menu.Item>
                ))}
            </ScrollArea.Autosize>
          </Menu.Dropdown>
        </Menu>
      )}

      <TagCombobox
        accountId={account.accountId}
        selected={tagIds}
        placeholder={t('tags.find')}
        onToggle={(tag, present) =>
          onChange({ tagIds: present ? [...tagIds, tag.id] : tagIds.filter((id) => id !== tag.id) })
        }
        target={(open) => (
          <Pill active={tagIds.length > 0} testId="tag-filter" onClick={open}>
            {tagLabel}
          </Pill>
        )}
      />

      {hasFilters(filter) ? (
        <Tooltip label={t('tags.filter.clear')}>
          <CloseButton
            size="sm"
            aria-label={t('tags.filter.clear')}
            onClick={() => onChange({ status: null, inboxId: null, assignee: null, tagIds: [] })}
            data-testid="clear-filters"
          />
        </Tooltip>
      ) : null}
    </div>
  );
}
