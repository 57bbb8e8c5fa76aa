import {
  ActionIcon,
  Badge,
  Button,
  Code,
  Group,
  Menu,
  Modal,
  Paper,
  Select,
  Stack,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type AttributeDefinition, type AttributeType, attributeTypes } from '@parley/shared';
import { IconDots, IconListDetails, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useConfirm } from '../components/Confirm.tsx';
import { Empty } from '../components/common.tsx';
import { contactKeys, useAttributeDefinitions } from '../contacts/api.ts';
import { type MessageKey, useT } from '../i18n/index.tsx';
import { del, patch, post } from '../lib/api.ts';
import { errorMessage, fieldErrors } from '../lib/errors.ts';
import { useReady } from '../lib/session.tsx';
import { SectionHeader } from './SettingsScreen.tsx';

const typeLabel = (type: AttributeType): MessageKey => `contacts.attributeType.${type}`;

/** A key from a label: "Renewal date" → renewal_date (the admin may change it before saving). */
function keyFrom(label: string): string {
  const key = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '')
    .slice(0, 40);
  return key;
}

function DefinitionModal({
  definition,
  onClose,
}: {
  /** null: a new attribute. */
  definition: AttributeDefinition | null;
  onClose: () => void;
}) {
  const t = useT();
  const { account } = useReady();
  const queryClient = useQueryClient();
  const [label, setLabel] = useState(definition?.label ?? '');
  const [key, setKey] = useState(definition?.key ?? '');
  const [keyTouched, setKeyTouched] = useState(definition !== null);
  const [type, setType] = useState<AttributeType>(definition?.type ?? 'text');
  const [options, setOptions] = useState<string[]>(definition?.options ?? []);
  const save = useMutation({
    mutationFn: () =>
      definition
        ? patch(`/api/accounts/${account.accountId}/attribute-definitions/${definition.id}`, {
            label,
            ...(definition.type === 'list' ? { options } : {}),
          })
        : post(`/api/accounts/${account.accountId}/attribute-definitions`, {
            key,
            label,
            type,
            options: type === 'list' ? options : [],
          }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: contactKeys.definitions(account.accountId) });
      onClose();
    },
  });
  const errors = fieldErrors(save.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const general = save.error && Object.keys(errors).length === 0 ? errorMessage(save.error, t) : null;
  return (
    <Modal
      opened
      onClose={onClose}
      title={definition ? t('contacts.attributes.edit') : t('contacts.attributes.new')}
      data-testid="attribute-modal"
    >
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label={t('contacts.attributes.label')}
            value={label}
            onChange={(event) => {
              const next = event.currentTarget.value;
              setLabel(next);
              if (!keyTouched) setKey(keyFrom(next));
            }}
            error={errors.label}
            required
            data-autofocus
            name="attributeLabel"
          />
          <TextInput
            label={t('contacts.attributes.key')}
            description={t('contacts.attributes.keyHelp')}
            value={key}
            onChange={(event) => {
              setKeyTouched(true);
              setKey(event.currentTarget.value);
            }}
            error={errors.key}
            disabled={definition !== null}
            required
            ff="monospace"
            name="attributeKey"
          />
          <Select
            label={t('contacts.attributes.type')}
            data={attributeTypes.map((value) => ({ value, label: t(typeLabel(value)) }))}
            value={type}
            onChange={(value) => value && setType(value as AttributeType)}
            disabled={definition !== null}
            allowDeselect={false}
            name="attributeType"
          />
          {type === 'list' ? (
            <TagsInput
              label={t('contacts.attributes.options')}
              description={t('contacts.attributes.optionsHelp')}
              value={options}
              onChange={setOptions}
              error={errors.options}
              clearable
              data-testid="attribute-options"
            />
          ) : null}
          {general ? (
            <Text c="red" fz="sm" role="alert">
              {general}
            </Text>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!label.trim() || !key.trim()}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Settings → Contact attributes: the typed fields every contact of the account can carry. */
export function AttributesSettings({ isAdmin }: { isAdmin: boolean }) {
  const t = useT();
  const { account } = useReady();
  const queryClient = useQueryClient();
  const definitions = useAttributeDefinitions(account.accountId);
  const [editing, setEditing] = useState<AttributeDefinition | 'new' | null>(null);
  const confirm = useConfirm();
  const remove = useMutation({
    mutationFn: (id: string) => del(`/api/accounts/${account.accountId}/attribute-definitions/${id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: contactKeys.definitions(account.accountId) }),
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error, t) }),
  });
  const addButton = isAdmin ? (
    <Button
      leftSection={<IconPlus size={16} />}
      onClick={() => setEditing('new')}
      data-testid="new-attribute"
    >
      {t('contacts.attributes.new')}
    </Button>
  ) : null;
  return (
    <>
      <SectionHeader
        title={t('contacts.attributes.title')}
        subtitle={t('contacts.attributes.subtitle')}
        action={addButton}
      />
      {confirm.dialog}
      {definitions.data?.length === 0 ? (
        <Paper withBorder radius="lg" p="xl">
          <Empty
            icon={<IconListDetails size={26} />}
            title={t('contacts.attributes.emptyTitle')}
            description={t('contacts.attributes.emptyDescription')}
          >
            {addButton}
          </Empty>
        </Paper>
      ) : (
        <Paper withBorder radius="lg">
          <Stack gap={0}>
            {(definitions.data ?? []).map((definition, index) => (
              <Group
                key={definition.id}
                justify="space-between"
                wrap="nowrap"
                px="lg"
                py="sm"
                style={index > 0 ? { borderTop: '1px solid var(--mantine-color-gray-2)' } : undefined}
                data-testid="attribute-row"
                data-key={definition.key}
              >
                <Stack gap={2} style={{ minWidth: 0 }}>
                  <Group gap="xs">
                    <Text fw={600} fz="sm" className="field__text">
                      {definition.label}
                    </Text>
                    <Badge variant="light" color="gray" radius="sm" tt="none">
                      {t(typeLabel(definition.type))}
                    </Badge>
                  </Group>
                  <Group gap={6}>
                    <Code fz="xs">{definition.key}</Code>
                    {definition.type === 'list' ? (
                      <Text fz="xs" c="dimmed" truncate className="field__text">
                        {definition.options.join(' · ')}
                      </Text>
                    ) : null}
                  </Group>
                </Stack>
                {isAdmin ? (
                  <Menu position="bottom-end" withinPortal>
                    <Menu.Target>
                      <ActionIcon variant="subtle" color="gray" aria-label={t('common.more')}>
                        <IconDots size={16} />
                      </ActionIcon>
                    </Menu.Target>
                    <Menu.Dropdown>
                      <Menu.Item
                        leftSection={<IconPencil size={14} />}
                        onClick={() => setEditing(definition)}
                      >
                        {t('contacts.attributes.edit')}
                      </Menu.Item>
                      <Menu.Item
                        color="red"
                        leftSection={<IconTrash size={14} />}
                        onClick={() =>
                          confirm.ask(
                            t('contacts.attributes.deleteConfirm', { label: definition.label }),
                            t('common.delete'),
                            () => remove.mutate(definition.id),
                          )
                        }
                      >
                        {t('common.delete')}
                      </Menu.Item>
                    </Menu.Dropdown>
                  </Menu>
                ) : null}
              </Group>
            ))}
          </Stack>
        </Paper>
      )}
      {editing ? (
        <DefinitionModal definition={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
      ) : null}
    </>
  );
}
