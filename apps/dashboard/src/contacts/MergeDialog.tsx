import {
  Alert,
  Badge,
  Box,
  Button,
  Group,
  List,
  Loader,
  Modal,
  Paper,
  ScrollArea,
  Stack,
  Text,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import type { Contact, MergeResult } from '@parley/shared';
import { IconArrowNarrowRight, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { PersonAvatar } from '../components/common.tsx';
import { useI18n } from '../i18n/index.tsx';
import { errorMessage } from '../lib/errors.ts';
import { useAttributeDefinitions, useContactList, useMergeContacts, useMergePreview } from './api.ts';

function ContactLine({ contact, unnamed }: { contact: Contact; unnamed: string }) {
  const detail = [contact.email, contact.phone, contact.company].filter(Boolean).join(' · ');
  return (
    <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
      <PersonAvatar name={contact.name} seed={contact.id} size={32} />
      <Box style={{ minWidth: 0 }}>
        <Text fz="sm" fw={600} truncate className="field__text">
          {contact.name ?? unnamed}
        </Text>
        {detail ? (
          <Text fz="xs" c="dimmed" truncate className="field__text">
            {detail}
          </Text>
        ) : null}
      </Box>
    </Group>
  );
}

/**
 * "Merge with…": pick another contact (searched by name, e-mail or phone), see what would move, confirm.
 * The contact whose page this is stays; the picked one is merged into it.
 */
export function MergeDialog({
  accountId,
  target,
  opened,
  onClose,
  onMerged,
}: {
  accountId: string;
  target: Contact;
  opened: boolean;
  onClose: () => void;
  onMerged: (result: MergeResult) => void;
}) {
  const { t } = useI18n();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const [sourceId, setSourceId] = useState<string | null>(null);
  const candidates = useContactList(accountId, q);
  const preview = useMergePreview(accountId, target.id, sourceId);
  const definitions = useAttributeDefinitions(accountId);
  const merge = useMergeContacts(accountId, target.id);
  const unnamed = t('contacts.unnamed');
  const list = (candidates.data?.pages.flatMap((p) => p.contacts) ?? []).filter((c) => c.id !== target.id);

  const labelOf = (field: string) => {
    if (field.startsWith('attributes.')) {
      const key = field.slice('attributes.'.length);
      return definitions.data?.find((d) => d.key === key)?.label ?? key;
    }
    const profile: Record<string, string> = {
      name: t('common.name'),
      email: t('contact.email'),
      phone: t('contact.phone'),
      company: t('contacts.company'),
      externalId: t('contact.externalId'),
    };
    return profile[field] ?? field;
  };

  const close = () => {
    setSourceId(null);
    setSearch('');
    merge.reset();
    onClose();
  };

  const moves = preview.data?.moves;
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={t('contacts.merge.title', { name: target.name ?? unnamed })}
      size="lg"
      data-testid="merge-dialog"
    >
      {sourceId === null ? (
        <Stack gap="sm">
          <Text fz="sm" c="dimmed">
            {t('contacts.merge.pick')}
          </Text>
          <TextInput
            leftSection={<IconSearch size={15} />}
            placeholder={t('contacts.searchPlaceholder')}
            aria-label={t('contacts.searchPlaceholder')}
            value={search}
            onChange={(event) => setSearch(event.currentTarget.value)}
            data-autofocus
            data-testid="merge-search"
          />
          <ScrollArea.Autosize mah={320}>
            <Stack gap={2}>
              {candidates.isPending ? (
                <Loader type="dots" size="sm" mx="auto" my="md" />
              ) : list.length === 0 ? (
                <Text fz="sm" c="dimmed" ta="center" py="md">
                  {t('contacts.noMatches')}
                </Text>
              ) : (
                list.map((contact) => (
                  <UnstyledButton
                    key={contact.id}
                    className="merge__candidate"
                    onClick={() => setSourceId(contact.id)}
                    data-testid="merge-candidate"
                  >
                    <ContactLine contact={contact} unnamed={unnamed} />
                  </UnstyledButton>
                ))
              )}
            </Stack>
          </ScrollArea.Autosize>
        </Stack>
      ) : (
        <Stack gap="md" data-testid="merge-confirm">
          {preview.isPending ? (
            <Loader type="dots" mx="auto" my="lg" />
          ) : preview.isError ? (
            <Alert color="red">{errorMessage(preview.error, t)}</Alert>
          ) : preview.data && moves ? (
            <>
              <Paper withBorder radius="md" p="sm">
                <Group gap="sm" wrap="nowrap" justify="space-between">
                  <Box style={{ flex: 1, minWidth: 0 }}>
                    <ContactLine contact={preview.data.source} unnamed={unnamed} />
                  </Box>
                  <IconArrowNarrowRight
                    size={20}
                    color="var(--mantine-color-dimmed)"
                    style={{ flexShrink: 0 }}
                  />
                  <Box style={{ flex: 1, minWidth: 0 }}>
                    <ContactLine contact={preview.data.target} unnamed={unnamed} />
                  </Box>
                </Group>
              </Paper>
              <Box>
                <Text fz="sm" fw={600} mb={6}>
                  {t('contacts.merge.moves')}
                </Text>
                <List size="sm" spacing={4}>
                  <List.Item>{t('contacts.merge.conversations', { count: moves.conversations })}</List.Item>
                  <List.Item>{t('contacts.merge.identities', { count: moves.identities })}</List.Item>
                  {moves.tags.length > 0 ? (
                    <List.Item>
                      {t('contacts.merge.tags')}{' '}
                      {moves.tags.map((tag) => (
                        <Badge key={tag} variant="light" radius="sm" tt="none" mr={4}>
                          {tag}
                        </Badge>
                      ))}
                    </List.Item>
                  ) : null}
                  {moves.filled.length > 0 ? (
                    <List.Item>
                      {t('contacts.merge.filled', { fields: moves.filled.map(labelOf).join(', ') })}
                    </List.Item>
                  ) : null}
                  {moves.kept.length > 0 ? (
                    <List.Item>
                      {t('contacts.merge.kept', { fields: moves.kept.map(labelOf).join(', ') })}
                    </List.Item>
                  ) : null}
                  <List.Item>{t('contacts.merge.history')}</List.Item>
                </List>
              </Box>
              <Alert color="orange" variant="light">
                {t('contacts.merge.irreversible', { name: preview.data.source.name ?? unnamed })}
              </Alert>
              {merge.isError ? <Alert color="red">{errorMessage(merge.error, t)}</Alert> : null}
            </>
          ) : null}
          <Group justify="space-between">
            <Button variant="default" onClick={() => setSourceId(null)}>
              {t('common.back')}
            </Button>
            <Button
              color="orange"
              disabled={!preview.data}
              loading={merge.isPending}
              onClick={() =>
                merge.mutate(sourceId, {
                  onSuccess: (result) => {
                    close();
                    onMerged(result);
                  },
                })
              }
              data-testid="merge-submit"
            >
              {t('contacts.merge.submit')}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
