import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  ColorInput,
  Group,
  Modal,
  MultiSelect,
  Paper,
  Select,
  Skeleton,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  type ChannelType,
  type ConversationStatus,
  conversationStatuses,
  type Priority,
  type Rule,
  type RuleAction,
  type RuleCondition,
  type RuleEvent,
  type Tag,
} from '@parley/shared';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useConfirm } from '../components/Confirm.tsx';
import { type MessageKey, useT } from '../i18n/index.tsx';
import { del, get, patch, post } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { useInboxes, useMembers, useTeams } from '../lib/queries.ts';
import { useReady } from '../lib/session.tsx';
import { SectionHeader } from './SettingsScreen.tsx';

const events: RuleEvent[] = ['conversation_created', 'message_created', 'status_changed'];
const conditionTypes: RuleCondition['type'][] = [
  'inbox',
  'channel',
  'tag',
  'text_contains',
  'sender',
  'contact_attribute',
  'business_hours',
  'status',
];
const actionTypes: RuleAction['type'][] = [
  'assign_team',
  'assign_agent',
  'set_priority',
  'add_tag',
  'remove_tag',
  'send_message',
  'change_status',
];
const channels: ChannelType[] = ['web', 'email', 'api', 'whatsapp', 'telegram'];
const priorities: Priority[] = ['low', 'normal', 'high', 'urgent'];
const MESSAGE_ONLY = new Set(['text_contains', 'sender']);

const rulesKey = (accountId: string) => ['rules', accountId];
const tagsKey = (accountId: string) => ['tags', accountId];

function useTags(accountId: string) {
  return useQuery({
    queryKey: tagsKey(accountId),
    queryFn: async () => (await get<{ tags: Tag[] }>(`/api/accounts/${accountId}/tags`)).tags,
  });
}

/** A starting value for a condition of this type; the admin fills in the rest before saving. */
function blankCondition(type: RuleCondition['type']): RuleCondition {
  switch (type) {
    case 'inbox':
      return { type, inboxIds: [] };
    case 'channel':
      return { type, channels: ['web'] };
    case 'tag':
      return { type, tagId: '', present: true };
    case 'text_contains':
      return { type, values: [] };
    case 'sender':
      return { type, senders: ['contact'] };
    case 'contact_attribute':
      return { type, key: '', equals: '' };
    case 'business_hours':
      return { type, within: false };
    case 'status':
      return { type, statuses: ['new'] };
  }
}

function blankAction(type: RuleAction['type']): RuleAction {
  switch (type) {
    case 'assign_team':
      return { type, teamId: '' };
    case 'assign_agent':
      return { type, userId: '' };
    case 'set_priority':
      return { type, priority: 'high' };
    case 'add_tag':
    case 'remove_tag':
      return { type, tagId: '' };
    case 'send_message':
      return { type, body: '', private: false };
    case 'change_status':
      return { type, status: 'pending' };
  }
}

type Draft = {
  id: string | null;
  name: string;
  enabled: boolean;
  event: RuleEvent;
  conditions: RuleCondition[];
  actions: RuleAction[];
};

function ConditionEditor({
  condition,
  onChange,
}: {
  condition: RuleCondition;
  onChange: (next: RuleCondition) => void;
}) {
  const t = useT();
  const { account } = useReady();
  const inboxes = useInboxes(account.accountId);
  const tags = useTags(account.accountId);
  const statusData = conversationStatuses.map((s) => ({ value: s, label: t(`status.${s}` as MessageKey) }));
  switch (condition.type) {
    case 'inbox':
      return (
        <MultiSelect
          aria-label={t('ruleSettings.condition.inbox')}
          data={(inboxes.data ?? []).map((i) => ({ value: i.id, label: i.name }))}
          value={condition.inboxIds}
          onChange={(inboxIds) => onChange({ ...condition, inboxIds })}
          style={{ flex: 1 }}
        />
      );
    case 'channel':
      return (
        <MultiSelect
          aria-label={t('ruleSettings.condition.channel')}
          data={channels.map((c) => ({ value: c, label: t(`inboxes.channel.${c}`) }))}
          value={condition.channels}
          onChange={(values) => onChange({ ...condition, channels: values as ChannelType[] })}
          style={{ flex: 1 }}
        />
      );
    case 'tag':
      return (
        <Group gap="xs" style={{ flex: 1 }} wrap="nowrap">
          <Select
            aria-label={t('ruleSettings.condition.tag')}
            data={(tags.data ?? []).map((tag) => ({ value: tag.id, label: tag.name }))}
            value={condition.tagId || null}
            onChange={(tagId) => onChange({ ...condition, tagId: tagId ?? '' })}
            style={{ flex: 1 }}
          />
          <Switch
            label={t('ruleSettings.present')}
            checked={condition.present}
            onChange={(e) => onChange({ ...condition, present: e.currentTarget.checked })}
          />
        </Group>
      );
    case 'text_contains':
      return (
        <TagsInput
          aria-label={t('ruleSettings.condition.text_contains')}
          placeholder={t('ruleSettings.wordsPlaceholder')}
          value={condition.values}
          onChange={(values) => onChange({ ...condition, values })}
          acceptValueOnBlur
          maxTags={20}
          style={{ flex: 1 }}
        />
      );
    case 'sender':
      return (
        <MultiSelect
          aria-label={t('ruleSettings.condition.sender')}
          data={[
            { value: 'contact', label: t('ruleSettings.sender.contact') },
            { value: 'agent', label: t('ruleSettings.sender.agent') },
          ]}
          value={condition.senders}
          onChange={(values) => onChange({ ...condition, senders: values as Array<'contact' | 'agent'> })}
          style={{ flex: 1 }}
        />
      );
    case 'contact_attribute':
      return (
        <Group gap="xs" style={{ flex: 1 }} wrap="nowrap">
          <TextInput
            aria-label={t('ruleSettings.attributeKey')}
            placeholder="plan"
            value={condition.key}
            onChange={(e) => onChange({ ...condition, key: e.currentTarget.value })}
          />
          <TextInput
            aria-label={t('ruleSettings.attributeValue')}
            placeholder={t('ruleSettings.attributeValue')}
            value={String(condition.equals)}
            onChange={(e) => onChange({ ...condition, equals: e.currentTarget.value })}
            style={{ flex: 1 }}
          />
        </Group>
      );
    case 'business_hours':
      return (
        <Select
          aria-label={t('ruleSettings.condition.business_hours')}
          data={[
            { value: 'in', label: t('ruleSettings.withinHours') },
            { value: 'out', label: t('ruleSettings.outsideHours') },
          ]}
          value={condition.within ? 'in' : 'out'}
          onChange={(v) => onChange({ ...condition, within: v === 'in' })}
          allowDeselect={false}
          style={{ flex: 1 }}
        />
      );
    case 'status':
      return (
        <MultiSelect
          aria-label={t('ruleSettings.condition.status')}
          data={statusData}
          value={condition.statuses}
          onChange={(values) => onChange({ ...condition, statuses: values as ConversationStatus[] })}
          style={{ flex: 1 }}
        />
      );
  }
}

function ActionEditor({ action, onChange }: { action: RuleAction; onChange: (next: RuleAction) => void }) {
  const t = useT();
  const { account } = useReady();
  const teams = useTeams(account.accountId);
  const members = useMembers(account.accountId);
  const tags = useTags(account.accountId);
  switch (action.type) {
    case 'assign_team':
      return (
        <Select
          aria-label={t('ruleSettings.action.assign_team')}
          data={(teams.data ?? []).map((team) => ({ value: team.id, label: team.name }))}
          value={action.teamId || null}
          onChange={(teamId) => onChange({ ...action, teamId: teamId ?? '' })}
          style={{ flex: 1 }}
        />
      );
    case 'assign_agent':
      return (
        <Select
          aria-label={t('ruleSettings.action.assign_agent')}
          data={(members.data ?? []).map((m) => ({ value: m.userId, label: m.name }))}
          value={action.userId || null}
          onChange={(userId) => onChange({ ...action, userId: userId ?? '' })}
          style={{ flex: 1 }}
        />
      );
    case 'set_priority':
      return (
        <Select
          aria-label={t('ruleSettings.action.set_priority')}
          data={priorities.map((p) => ({ value: p, label: t(`ruleSettings.priority.${p}`) }))}
          value={action.priority}
          onChange={(p) => p && onChange({ ...action, priority: p as Priority })}
          allowDeselect={false}
          style={{ flex: 1 }}
        />
      );
    case 'add_tag':
    case 'remove_tag':
      return (
        <Select
          aria-label={t(`ruleSettings.action.${action.type}`)}
          data={(tags.data ?? []).map((tag) => ({ value: tag.id, label: tag.name }))}
          value={action.tagId || null}
          onChange={(tagId) => onChange({ ...action, tagId: tagId ?? '' })}
          style={{ flex: 1 }}
        />
      );
    case 'send_message':
      return (
        <Stack gap={4} style={{ flex: 1 }}>
          <Textarea
            aria-label={t('ruleSettings.action.send_message')}
            value={action.body}
            maxLength={5000}
            autosize
            onChange={(e) => onChange({ ...action, body: e.currentTarget.value })}
          />
          <Switch
            label={t('ruleSettings.privateNote')}
            checked={action.private}
            onChange={(e) => onChange({ ...action, private: e.currentTarget.checked })}
          />
        </Stack>
      );
    case 'change_status':
      return (
        <Select
          aria-label={t('ruleSettings.action.change_status')}
          data={conversationStatuses.map((s) => ({ value: s, label: t(`status.${s}` as MessageKey) }))}
          value={action.status}
          onChange={(s) => s && onChange({ ...action, status: s as ConversationStatus })}
          allowDeselect={false}
          style={{ flex: 1 }}
        />
      );
  }
}

function RuleModal({ draft, onClose }: { draft: Draft; onClose: () => void }) {
  const t = useT();
  const { account } = useReady();
  const queryClient = useQueryClient();
  const [rule, setRule] = useState<Draft>(draft);
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: rule.name,
        enabled: rule.enabled,
        event: rule.event,
        // Message-only conditions make no sense on other events; the server would refuse them.
        conditions: rule.conditions.filter(
          (c) => rule.event === 'message_created' || !MESSAGE_ONLY.has(c.type),
        ),
        actions: rule.actions,
      };
      return rule.id
        ? patch<{ rule: Rule }>(`/api/accounts/${account.accountId}/rules/${rule.id}`, body)
        : post<{ rule: Rule }>(`/api/accounts/${account.accountId}/rules`, body);
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: rulesKey(account.accountId) });
      notifications.show({ color: 'teal', message: t('common.saved') });
      onClose();
    },
  });
  const usable = conditionTypes.filter((c) => rule.event === 'message_created' || !MESSAGE_ONLY.has(c));
  return (
    <Modal
      opened
      onClose={onClose}
      title={rule.id ? t('ruleSettings.edit') : t('ruleSettings.create')}
      size="xl"
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack gap="md" data-testid="rule-editor">
          <TextInput
            label={t('common.name')}
            value={rule.name}
            onChange={(e) => setRule({ ...rule, name: e.currentTarget.value })}
            required
            name="ruleName"
          />
          <Select
            label={t('ruleSettings.event')}
            data={events.map((ev) => ({ value: ev, label: t(`ruleSettings.event.${ev}`) }))}
            value={rule.event}
            onChange={(ev) => ev && setRule({ ...rule, event: ev as RuleEvent })}
            allowDeselect={false}
            data-testid="rule-event"
          />
          <Switch
            label={t('ruleSettings.enabled')}
            checked={rule.enabled}
            onChange={(e) => setRule({ ...rule, enabled: e.currentTarget.checked })}
          />
          <Text fz="sm" fw={600}>
            {t('ruleSettings.conditions')}
          </Text>
          {rule.conditions.length === 0 ? (
            <Text fz="sm" c="dimmed">
              {t('ruleSettings.noConditions')}
            </Text>
          ) : null}
          {rule.conditions.map((condition, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no id; their order is their identity.
            <Group key={index} gap="xs" align="flex-start" wrap="nowrap" data-testid="rule-condition">
              <Select
                aria-label={t('ruleSettings.conditionType')}
                data={usable.map((c) => ({ value: c, label: t(`ruleSettings.condition.${c}`) }))}
                value={condition.type}
                onChange={(type) =>
                  type &&
                  setRule({
                    ...rule,
                    conditions: rule.conditions.map((c, i) =>
                      i === index ? blankCondition(type as RuleCondition['type']) : c,
                    ),
                  })
                }
                allowDeselect={false}
                w={200}
              />
              <ConditionEditor
                condition={condition}
                onChange={(next) =>
                  setRule({ ...rule, conditions: rule.conditions.map((c, i) => (i === index ? next : c)) })
                }
              />
              <ActionIcon
                variant="subtle"
                color="gray"
                size={36}
                aria-label={t('common.remove')}
                onClick={() =>
                  setRule({ ...rule, conditions: rule.conditions.filter((_, i) => i !== index) })
                }
              >
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
          ))}
          <Button
            variant="subtle"
            size="xs"
            w="fit-content"
            leftSection={<IconPlus size={14} />}
            onClick={() => setRule({ ...rule, conditions: [...rule.conditions, blankCondition('inbox')] })}
            disabled={rule.conditions.length >= 20}
          >
            {t('ruleSettings.addCondition')}
          </Button>
          <Text fz="sm" fw={600}>
            {t('ruleSettings.actions')}
          </Text>
          {rule.actions.map((action, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: actions run in order; the order is their identity.
            <Group key={index} gap="xs" align="flex-start" wrap="nowrap" data-testid="rule-action">
              <Select
                aria-label={t('ruleSettings.actionType')}
                data={actionTypes.map((a) => ({ value: a, label: t(`ruleSettings.action.${a}`) }))}
                value={action.type}
                onChange={(type) =>
                  type &&
                  setRule({
                    ...rule,
                    actions: rule.actions.map((a, i) =>
                      i === index ? blankAction(type as RuleAction['type']) : a,
                    ),
                  })
                }
                allowDeselect={false}
                w={200}
              />
              <ActionEditor
                action={action}
                onChange={(next) =>
                  setRule({ ...rule, actions: rule.actions.map((a, i) => (i === index ? next : a)) })
                }
              />
              <ActionIcon
                variant="subtle"
                color="gray"
                size={36}
                aria-label={t('common.remove')}
                onClick={() => setRule({ ...rule, actions: rule.actions.filter((_, i) => i !== index) })}
              >
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
          ))}
          <Button
            variant="subtle"
            size="xs"
            w="fit-content"
            leftSection={<IconPlus size={14} />}
            onClick={() => setRule({ ...rule, actions: [...rule.actions, blankAction('add_tag')] })}
            disabled={rule.actions.length >= 20}
          >
            {t('ruleSettings.addAction')}
          </Button>
          <Group justify="flex-end">
            {save.isError ? (
              <Text c="red" fz="sm">
                {errorMessage(save.error, t)}
              </Text>
            ) : null}
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button
              type="submit"
              loading={save.isPending}
              disabled={rule.actions.length === 0}
              data-testid="save-rule"
            >
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function TagsPanel({ isAdmin }: { isAdmin: boolean }) {
  const t = useT();
  const { account } = useReady();
  const queryClient = useQueryClient();
  const tags = useTags(account.accountId);
  const [name, setName] = useState('');
  const [color, setColor] = useState('#64748b');
  const { ask, dialog } = useConfirm();
  const refresh = () => queryClient.invalidateQueries({ queryKey: tagsKey(account.accountId) });
  const create = useMutation({
    mutationFn: () => post<{ tag: Tag }>(`/api/accounts/${account.accountId}/tags`, { name, color }),
    onSuccess: () => {
      setName('');
      void refresh();
    },
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error, t) }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => del(`/api/accounts/${account.accountId}/tags/${id}`),
    onSuccess: () => void refresh(),
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error, t) }),
  });
  return (
    <Paper withBorder radius="lg" p={{ base: 'md', sm: 'xl' }} data-testid="tags-panel">
      {dialog}
      <Title order={3} fz={16}>
        {t('tagSettings.title')}
      </Title>
      <Text fz="sm" c="dimmed" mt={4}>
        {t('tagSettings.help')}
      </Text>
      <Group gap="xs" mt="md">
        {(tags.data ?? []).length === 0 ? (
          <Text fz="sm" c="dimmed">
            {t('tagSettings.empty')}
          </Text>
        ) : null}
        {(tags.data ?? []).map((tag) => (
          <Badge
            key={tag.id}
            color={tag.color}
            variant="light"
            size="lg"
            tt="none"
            rightSection={
              isAdmin ? (
                <ActionIcon
                  size="xs"
                  variant="transparent"
                  color="gray"
                  aria-label={`${t('common.delete')} ${tag.name}`}
                  onClick={() =>
                    ask(t('tagSettings.confirmDelete'), t('common.delete'), () => remove.mutate(tag.id))
                  }
                >
                  <IconTrash size={12} />
                </ActionIcon>
              ) : null
            }
          >
            {tag.name}
          </Badge>
        ))}
      </Group>
      {isAdmin ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) create.mutate();
          }}
        >
          <Group gap="xs" mt="md" align="flex-end">
            <TextInput
              label={t('tagSettings.name')}
              value={name}
              maxLength={50}
              onChange={(e) => setName(e.currentTarget.value)}
              name="tagName"
            />
            <ColorInput
              label={t('tagSettings.color')}
              value={color}
              onChange={setColor}
              format="hex"
              w={140}
            />
            <Button type="submit" loading={create.isPending} disabled={!name.trim()} data-testid="create-tag">
              {t('common.create')}
            </Button>
          </Group>
        </form>
      ) : null}
    </Paper>
  );
}

export function RulesSettings({ isAdmin }: { isAdmin: boolean }) {
  const t = useT();
  const { account } = useReady();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Draft | null>(null);
  const { ask, dialog } = useConfirm();
  const rules = useQuery({
    queryKey: rulesKey(account.accountId),
    queryFn: async () => (await get<{ rules: Rule[] }>(`/api/accounts/${account.accountId}/rules`)).rules,
    // Only admins may read rules; others see the tags and a note instead of a refusal.
    enabled: isAdmin,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: rulesKey(account.accountId) });
  const toggle = useMutation({
    mutationFn: (rule: Rule) =>
      patch<{ rule: Rule }>(`/api/accounts/${account.accountId}/rules/${rule.id}`, {
        enabled: !rule.enabled,
      }),
    onSuccess: ({ rule: saved }) =>
      queryClient.setQueryData<Rule[]>(rulesKey(account.accountId), (list) =>
        list?.map((r) => (r.id === saved.id ? saved : r)),
      ),
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error, t) }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => del(`/api/accounts/${account.accountId}/rules/${id}`),
    onSuccess: () => void refresh(),
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error, t) }),
  });
  return (
    <Stack gap="lg">
      {dialog}
      <SectionHeader
        title={t('settings.rules')}
        subtitle={t('ruleSettings.subtitle')}
        action={
          isAdmin ? (
            <Button
              leftSection={<IconPlus size={16} />}
              onClick={() =>
                setEditing({
                  id: null,
                  name: '',
                  enabled: true,
                  event: 'conversation_created',
                  conditions: [],
                  actions: [blankAction('add_tag')],
                })
              }
              data-testid="new-rule"
            >
              {t('ruleSettings.create')}
            </Button>
          ) : null
        }
      />
      {!isAdmin ? <Alert color="gray">{t('settings.adminOnly')}</Alert> : null}
      {isAdmin && rules.isPending ? <Skeleton h={120} radius="lg" /> : null}
      {rules.isError ? <Alert color="red">{errorMessage(rules.error, t)}</Alert> : null}
      {rules.data && rules.data.length === 0 ? (
        <Text c="dimmed" fz="sm">
          {t('ruleSettings.empty')}
        </Text>
      ) : null}
      {(rules.data ?? []).map((rule) => (
        <Paper key={rule.id} withBorder radius="lg" p="md" data-testid="rule-row">
          <Group justify="space-between" wrap="nowrap">
            <div>
              <Text fw={600}>{rule.name}</Text>
              <Text fz="xs" c="dimmed">
                {t(`ruleSettings.event.${rule.event}`)} ·{' '}
                {t('ruleSettings.conditionsCount', { n: rule.conditions.length })} ·{' '}
                {t('ruleSettings.actionsCount', { n: rule.actions.length })}
              </Text>
            </div>
            <Group gap="xs" wrap="nowrap">
              <Switch
                checked={rule.enabled}
                onChange={() => toggle.mutate(rule)}
                disabled={!isAdmin}
                aria-label={t('ruleSettings.enabled')}
              />
              {isAdmin ? (
                <>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    aria-label={t('ruleSettings.edit')}
                    onClick={() =>
                      setEditing({
                        id: rule.id,
                        name: rule.name,
                        enabled: rule.enabled,
                        event: rule.event,
                        conditions: rule.conditions,
                        actions: rule.actions,
                      })
                    }
                  >
                    <IconPencil size={16} />
                  </ActionIcon>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={t('common.delete')}
                    onClick={() =>
                      ask(t('ruleSettings.confirmDelete'), t('common.delete'), () => remove.mutate(rule.id))
                    }
                  >
                    <IconTrash size={16} />
                  </ActionIcon>
                </>
              ) : null}
            </Group>
          </Group>
        </Paper>
      ))}
      <TagsPanel isAdmin={isAdmin} />
      {editing ? <RuleModal draft={editing} onClose={() => setEditing(null)} /> : null}
    </Stack>
  );
}
