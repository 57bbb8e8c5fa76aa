import {
  ActionIcon,
  Alert,
  Button,
  ColorInput,
  Group,
  Input,
  Paper,
  Skeleton,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { Tag } from '@parley/shared';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useConfirm } from '../components/Confirm.tsx';
import { useT } from '../i18n/index.tsx';
import { del, patch, post } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { useReady } from '../lib/session.tsx';
import { SectionHeader } from '../settings/SettingsScreen.tsx';
import { colourFor, tagPalette } from './colours.ts';
import { tagsKey, useTags } from './queries.ts';
import { TagChip } from './TagChip.tsx';

const byName = (a: Tag, b: Tag) => a.name.toLowerCase().localeCompare(b.name.toLowerCase());

/** One tag: rename on Enter or when leaving the field, recolour from the palette or any colour. */
function TagRow({ tag, canManage }: { tag: Tag; canManage: boolean }) {
  const t = useT();
  const { account } = useReady();
  const queryClient = useQueryClient();
  const [name, setName] = useState(tag.name);
  const { ask, dialog } = useConfirm();
  const key = tagsKey(account.accountId);
  const url = `/api/accounts/${account.accountId}/tags/${tag.id}`;
  const update = useMutation({
    mutationFn: async (change: { name?: string; color?: string }) =>
      (await patch<{ tag: Tag }>(url, change)).tag,
    onSuccess: (saved) => {
      setName(saved.name);
      queryClient.setQueryData<Tag[]>(key, (list) =>
        list?.map((x) => (x.id === saved.id ? saved : x)).sort(byName),
      );
    },
    onError: (error) => {
      setName(tag.name);
      notifications.show({ color: 'red', message: errorMessage(error, t) });
    },
  });
  const remove = useMutation({
    mutationFn: () => del(url),
    onSuccess: () => queryClient.setQueryData<Tag[]>(key, (list) => list?.filter((x) => x.id !== tag.id)),
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error, t) }),
  });
  const rename = () => {
    const next = name.trim();
    if (next && next !== tag.name) update.mutate({ name: next });
    else setName(tag.name);
  };
  return (
    <Group gap="sm" wrap="nowrap" py={8} className="tag-row" data-testid="tag-row">
      {dialog}
      <div style={{ width: 150, flexShrink: 0 }}>
        <TagChip tag={{ ...tag, name: name.trim() || tag.name }} size="sm" />
      </div>
      {canManage ? (
        <>
          <TextInput
            size="xs"
            value={name}
            maxLength={50}
            onChange={(event) => setName(event.currentTarget.value)}
            onBlur={rename}
            onKeyDown={(event) => {
              if (event.key === 'Enter') event.currentTarget.blur();
              if (event.key === 'Escape') setName(tag.name);
            }}
            aria-label={t('tags.settings.rename', { name: tag.name })}
            style={{ flex: 1 }}
            data-testid="tag-name"
          />
          <ColorInput
            size="xs"
            w={130}
            format="hex"
            value={tag.color}
            swatches={[...tagPalette]}
            swatchesPerRow={5}
            withEyeDropper={false}
            onChangeEnd={(color) => {
              if (/^#[0-9a-f]{6}$/i.test(color) && color.toLowerCase() !== tag.color.toLowerCase())
                update.mutate({ color });
            }}
            aria-label={t('tags.settings.recolour', { name: tag.name })}
          />
          <ActionIcon
            variant="subtle"
            color="red"
            aria-label={t('tags.settings.delete', { name: tag.name })}
            onClick={() => ask(t('tagSettings.confirmDelete'), t('common.delete'), () => remove.mutate())}
          >
            <IconTrash size={16} />
          </ActionIcon>
        </>
      ) : null}
    </Group>
  );
}

/** The account's tags: everyone sees them; admins and supervisors create, rename, recolour and delete. */
export function TagsSettings() {
  const t = useT();
  const { account } = useReady();
  const queryClient = useQueryClient();
  const tags = useTags(account.accountId);
  const canManage = account.role === 'admin' || account.role === 'supervisor';
  const [name, setName] = useState('');
  const [color, setColor] = useState<string | null>(null);
  const chosen = color ?? colourFor(name.trim());
  const create = useMutation({
    mutationFn: async () =>
      (
        await post<{ tag: Tag }>(`/api/accounts/${account.accountId}/tags`, {
          name: name.trim(),
          color: chosen,
        })
      ).tag,
    onSuccess: (tag) => {
      queryClient.setQueryData<Tag[]>(tagsKey(account.accountId), (list) =>
        [...(list ?? []), tag].sort(byName),
      );
      setName('');
      setColor(null);
    },
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error, t) }),
  });
  return (
    <Stack gap="lg">
      <SectionHeader title={t('tagSettings.title')} subtitle={t('tags.settings.subtitle')} />
      {!canManage ? <Alert color="gray">{t('tags.settings.readOnly')}</Alert> : null}
      {canManage ? (
        <Paper withBorder radius="lg" p={{ base: 'md', sm: 'xl' }}>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              if (name.trim()) create.mutate();
            }}
          >
            <Group gap="sm" align="flex-end" wrap="wrap">
              <TextInput
                label={t('tagSettings.name')}
                value={name}
                maxLength={50}
                onChange={(event) => setName(event.currentTarget.value)}
                style={{ flex: 1, minWidth: 180 }}
                data-testid="new-tag-name"
              />
              <Input.Wrapper label={t('tagSettings.color')}>
                <Group gap={6} h={36}>
                  {tagPalette.map((swatch) => (
                    <button
                      type="button"
                      key={swatch}
                      className="tag-swatch"
                      aria-pressed={swatch === chosen}
                      aria-label={t('tags.colour', { colour: swatch })}
                      data-selected={swatch === chosen || undefined}
                      style={{ background: swatch }}
                      onClick={() => setColor(swatch)}
                    />
                  ))}
                </Group>
              </Input.Wrapper>
              <Button
                type="submit"
                leftSection={<IconPlus size={16} />}
                loading={create.isPending}
                disabled={!name.trim()}
                data-testid="create-tag"
              >
                {t('tags.settings.create')}
              </Button>
            </Group>
          </form>
        </Paper>
      ) : null}
      <Paper withBorder radius="lg" px={{ base: 'md', sm: 'xl' }} py="md" data-testid="tags-list">
        {tags.isPending ? <Skeleton h={80} /> : null}
        {tags.isError ? <Alert color="red">{errorMessage(tags.error, t)}</Alert> : null}
        {tags.data && tags.data.length === 0 ? (
          <Text fz="sm" c="dimmed">
            {t('tagSettings.empty')}
          </Text>
        ) : null}
        <Stack gap={0}>
          {(tags.data ?? []).map((tag) => (
            <TagRow key={`${tag.id}:${tag.name}`} tag={tag} canManage={canManage} />
          ))}
        </Stack>
      </Paper>
    </Stack>
  );
}
