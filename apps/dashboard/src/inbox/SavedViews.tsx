import { ActionIcon, Button, Group, Menu, Modal, NavLink, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { SavedView } from '@parley/shared';
import {
  IconArrowDown,
  IconArrowUp,
  IconBookmark,
  IconDots,
  IconFilter,
  IconPencil,
  IconPlus,
  IconTrash,
} from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useConfirm } from '../components/Confirm.tsx';
import { useT } from '../i18n/index.tsx';
import { del, patch, post, put } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { linkHandler } from '../lib/router.ts';
import { useReady } from '../lib/session.tsx';
import { savedViewsKey, useSavedViews } from '../tags/queries.ts';
import { hrefFor } from './ConversationList.tsx';
import { fromSavedFilters, hasFilters, sameFilters, toSavedFilters } from './filters.ts';
import type { ListFilter } from './list-state.ts';

type Naming = { mode: 'create' } | { mode: 'rename'; view: SavedView };

/** The person's saved views under the built-in ones: a click applies the filters, a menu edits them. */
export function SavedViews({ filter }: { filter: ListFilter }) {
  const t = useT();
  const { account } = useReady();
  const queryClient = useQueryClient();
  const views = useSavedViews(account.accountId);
  const [naming, setNaming] = useState<Naming | null>(null);
  const [name, setName] = useState('');
  const { ask, dialog } = useConfirm();
  const base = `/api/accounts/${account.accountId}/saved-views`;
  const setViews = (list: SavedView[]) => queryClient.setQueryData(savedViewsKey(account.accountId), list);
  const replace = (saved: SavedView) =>
    queryClient.setQueryData<SavedView[]>(savedViewsKey(account.accountId), (list) =>
      list?.map((v) => (v.id === saved.id ? saved : v)),
    );
  const showError = (error: unknown) => notifications.show({ color: 'red', message: errorMessage(error, t) });

  const save = useMutation({
    mutationFn: async (input: { naming: Naming; name: string }) =>
      input.naming.mode === 'create'
        ? (await post<{ view: SavedView }>(base, { name: input.name, filters: toSavedFilters(filter) })).view
        : (await patch<{ view: SavedView }>(`${base}/${input.naming.view.id}`, { name: input.name })).view,
    onSuccess: (saved, input) => {
      if (input.naming.mode === 'create') {
        setViews([...(views.data ?? []), saved]);
        notifications.show({ color: 'teal', message: t('tags.views.saved') });
      } else replace(saved);
      setNaming(null);
    },
    onError: showError,
  });
  const refilter = useMutation({
    mutationFn: async (view: SavedView) =>
      (await patch<{ view: SavedView }>(`${base}/${view.id}`, { filters: toSavedFilters(filter) })).view,
    onSuccess: replace,
    onError: showError,
  });
  const reorder = useMutation({
    mutationFn: async (ids: string[]) => (await put<{ views: SavedView[] }>(`${base}/order`, { ids })).views,
    onSuccess: setViews,
    onError: showError,
  });
  const remove = useMutation({
    mutationFn: (view: SavedView) => del(`${base}/${view.id}`),
    onSuccess: (_nothing, view) => setViews((views.data ?? []).filter((v) => v.id !== view.id)),
    onError: showError,
  });

  const list = views.data ?? [];
  // Saving is offered for a narrowed list that is not saved already.
  const savable =
    (hasFilters(filter) || !['all', 'mine', 'unassigned'].includes(filter.view)) &&
    !list.some((v) => sameFilters(fromSavedFilters(v.filters), filter));
  const move = (index: number, delta: number) => {
    const ids = list.map((v) => v.id);
    const [moved] = ids.splice(index, 1);
    if (!moved) return;
    ids.splice(index + delta, 0, moved);
    reorder.mutate(ids);
  };
  const open = (next: Naming) => {
    setName(next.mode === 'rename' ? next.view.name : '');
    setNaming(next);
  };

  return (
    <>
      {dialog}
      <Text fz="xs" c="dimmed" fw={600} tt="uppercase" lts={0.4} px="md" mt="lg" mb={6}>
        {t('tags.views.title')}
      </Text>
      <Stack gap={2} px="xs" data-testid="saved-views">
        {list.map((view, index) => {
          const target = fromSavedFilters(view.filters);
          const href = hrefFor(target);
          return (
            <Group key={view.id} gap={0} wrap="nowrap" className="saved-view">
              <NavLink
                component="a"
                href={href}
                onClick={linkHandler(href)}
                label={view.name}
                leftSection={<IconBookmark size={16} stroke={1.7} />}
                active={sameFilters(target, filter)}
                className="sidebar__link"
                style={{ flex: 1, minWidth: 0 }}
                data-testid="saved-view"
              />
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    size="sm"
                    aria-label={t('tags.views.menu', { name: view.name })}
                    data-testid="saved-view-menu"
                  >
                    <IconDots size={14} />
                  </ActionIcon>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item
                    leftSection={<IconPencil size={14} />}
                    onClick={() => open({ mode: 'rename', view })}
                  >
                    {t('tags.views.rename')}
                  </Menu.Item>
                  <Menu.Item leftSection={<IconFilter size={14} />} onClick={() => refilter.mutate(view)}>
                    {t('tags.views.update')}
                  </Menu.Item>
                  <Menu.Item
                    leftSection={<IconArrowUp size={14} />}
                    disabled={index === 0}
                    onClick={() => move(index, -1)}
                  >
                    {t('tags.views.moveUp')}
                  </Menu.Item>
                  <Menu.Item
                    leftSection={<IconArrowDown size={14} />}
                    disabled={index === list.length - 1}
                    onClick={() => move(index, 1)}
                  >
                    {t('tags.views.moveDown')}
                  </Menu.Item>
                  <Menu.Divider />
                  <Menu.Item
                    color="red"
                    leftSection={<IconTrash size={14} />}
                    onClick={() =>
                      ask(t('tags.views.confirmDelete', { name: view.name }), t('common.delete'), () =>
                        remove.mutate(view),
                      )
                    }
                  >
                    {t('common.delete')}
                  </Menu.Item>
                </Menu.Dropdown>
              </Menu>
            </Group>
          );
        })}
        {list.length === 0 && !savable ? (
          <Text fz="xs" c="dimmed" px="sm" py={4}>
            {t('tags.views.empty')}
          </Text>
        ) : null}
        {savable ? (
          <Button
            variant="subtle"
            color="gray"
            size="compact-sm"
            justify="flex-start"
            leftSection={<IconPlus size={14} />}
            onClick={() => open({ mode: 'create' })}
            data-testid="save-view"
            fw={500}
          >
            {t('tags.views.save')}
          </Button>
        ) : null}
      </Stack>
      <Modal
        opened={naming !== null}
        onClose={() => setNaming(null)}
        title={naming?.mode === 'rename' ? t('tags.views.renameTitle') : t('tags.views.saveTitle')}
        size="sm"
      >
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (naming && name.trim()) save.mutate({ naming, name: name.trim() });
          }}
        >
          <TextInput
            label={t('tags.views.name')}
            placeholder={t('tags.views.namePlaceholder')}
            value={name}
            maxLength={60}
            onChange={(event) => setName(event.currentTarget.value)}
            data-autofocus
            data-testid="saved-view-name"
          />
          <Group justify="flex-end" mt="lg">
            <Button variant="default" onClick={() => setNaming(null)}>
              {t('common.cancel')}
            </Button>
            <Button
              type="submit"
              loading={save.isPending}
              disabled={!name.trim()}
              data-testid="saved-view-submit"
            >
              {t('common.save')}
            </Button>
          </Group>
        </form>
      </Modal>
    </>
  );
}
