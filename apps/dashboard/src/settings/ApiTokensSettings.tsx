import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  Paper,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type ApiToken, type CreatedApiToken, type TokenScope, tokenScopes } from '@parley/shared';
import { IconAlertTriangle, IconBook, IconKey, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useConfirm } from '../components/Confirm.tsx';
import { Copyable } from '../components/Copyable.tsx';
import { Empty, RelativeTime } from '../components/common.tsx';
import { type MessageKey, useI18n } from '../i18n/index.tsx';
import { del, get, post } from '../lib/api.ts';
import { errorMessage, fieldErrors } from '../lib/errors.ts';
import { useReady } from '../lib/session.tsx';
import { SectionHeader } from './SettingsScreen.tsx';

const tokensKey = (accountId: string) => ['api-tokens', accountId] as const;
const scopeLabel = (scope: TokenScope) => `api.scope.${scope}` as MessageKey;
const scopeHint = (scope: TokenScope) => `api.scope.${scope}.hint` as MessageKey;

function CreateTokenModal({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (created: CreatedApiToken) => void;
}) {
  const { t } = useI18n();
  const { account } = useReady();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['conversation_read', 'conversation_write']);
  const create = useMutation({
    mutationFn: () =>
      post<CreatedApiToken>(`/api/accounts/${account.accountId}/api-tokens`, { name, scopes }),
    onSuccess: onCreated,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  const errors = fieldErrors(create.error);
  const generalError = create.error && !errors.name && !errors.scopes ? errorMessage(create.error, t) : null;
  return (
    <Modal opened onClose={onClose} title={t('api.form.title')} size="lg">
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label={t('api.form.name')}
            placeholder={t('api.form.namePlaceholder')}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.name}
            maxLength={120}
            data-autofocus
            required
            name="tokenName"
          />
          <Checkbox.Group
            label={t('api.form.scopes')}
            description={t('api.form.scopesHint')}
            value={scopes}
            onChange={setScopes}
            error={scopes.length === 0 ? t('api.form.scopesRequired') : errors.scopes}
          >
            <Stack gap="xs" mt="xs">
              {tokenScopes.map((scope) => (
                <Checkbox
                  key={scope}
                  value={scope}
                  label={t(scopeLabel(scope))}
                  description={t(scopeHint(scope))}
                  data-scope={scope}
                />
              ))}
            </Stack>
          </Checkbox.Group>
          {generalError ? (
            <Alert color="red" variant="light">
              {generalError}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button
              type="submit"
              loading={create.isPending}
              disabled={!name.trim() || scopes.length === 0}
              data-testid="create-token"
            >
              {t('api.form.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The secret, shown once: closing this dialog forgets it for good. */
function CreatedTokenModal({ created, onClose }: { created: CreatedApiToken; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Modal
      opened
      onClose={onClose}
      title={t('api.created.title')}
      size="lg"
      closeOnClickOutside={false}
      data-testid="created-token"
    >
      <Stack>
        <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
          {t('api.created.once')}
        </Alert>
        <Text fw={600}>{created.apiToken.name}</Text>
        <Copyable value={created.token} testId="token-secret" multiline />
        <Group justify="flex-end">
          <Button onClick={onClose} data-testid="token-done">
            {t('api.created.done')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function TokenRow({ token, onRevoke }: { token: ApiToken; onRevoke: () => void }) {
  const { t, formatDate } = useI18n();
  return (
    <Table.Tr data-token={token.name}>
      <Table.Td style={{ minWidth: 140 }}>
        <Text fw={600} fz="sm">
          {token.name}
        </Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text component="code" fz="xs">
          pat_{token.prefix}_…
        </Text>
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          {token.scopes.map((scope) => (
            <Tooltip key={scope} label={t(scopeHint(scope))}>
              <Badge variant="light" color="gray" size="sm" tt="none">
                {t(scopeLabel(scope))}
              </Badge>
            </Tooltip>
          ))}
        </Group>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text fz="sm" c="dimmed">
          {formatDate(token.createdAt)}
        </Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text fz="sm" c="dimmed">
          {token.lastUsedAt ? <RelativeTime iso={token.lastUsedAt} /> : t('api.table.never')}
        </Text>
      </Table.Td>
      <Table.Td>
        <Tooltip label={t('api.revoke')}>
          <ActionIcon
            variant="subtle"
            color="red"
            onClick={onRevoke}
            aria-label={`${t('api.revoke')}: ${token.name}`}
            data-testid="revoke-token"
          >
            <IconTrash size={16} />
          </ActionIcon>
        </Tooltip>
      </Table.Td>
    </Table.Tr>
  );
}

export function ApiTokensSettings({ isAdmin }: { isAdmin: boolean }) {
  const { t } = useI18n();
  const { account } = useReady();
  const queryClient = useQueryClient();
  const confirm = useConfirm();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const tokens = useQuery({
    queryKey: tokensKey(account.accountId),
    queryFn: async () =>
      (await get<{ apiTokens: ApiToken[] }>(`/api/accounts/${account.accountId}/api-tokens`)).apiTokens,
    enabled: isAdmin,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: tokensKey(account.accountId) });
  const revoke = useMutation({
    mutationFn: (id: string) => del(`/api/accounts/${account.accountId}/api-tokens/${id}`),
    onSuccess: () => {
      notifications.show({ color: 'teal', message: t('api.revoked') });
      void refresh();
    },
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error, t) }),
  });
  const docs = (
    <Anchor href="/api/docs" target="_blank" rel="noopener" fz="sm">
      <Group gap={4} component="span" wrap="nowrap">
        <IconBook size={16} />
        {t('api.settings.docs')}
      </Group>
    </Anchor>
  );
  const newButton = isAdmin ? (
    <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="new-token">
      {t('api.settings.new')}
    </Button>
  ) : null;
  return (
    <>
      {confirm.dialog}
      <SectionHeader
        title={t('api.settings.title')}
        subtitle={t('api.settings.subtitle')}
        action={
          <Group gap="md" wrap="nowrap">
            {docs}
            {newButton}
          </Group>
        }
      />
      {!isAdmin ? (
        <Alert color="gray" variant="light">
          {t('api.settings.adminsOnly')}
        </Alert>
      ) : tokens.isPending ? (
        <Skeleton h={120} radius="lg" />
      ) : tokens.isError ? (
        <Alert color="red" variant="light">
          {errorMessage(tokens.error, t)}
        </Alert>
      ) : tokens.data.length === 0 ? (
        <Paper withBorder radius="lg" p="xl">
          <Empty
            icon={<IconKey size={26} />}
            title={t('api.settings.empty')}
            description={t('api.settings.emptyHint')}
          >
            {newButton}
          </Empty>
        </Paper>
      ) : (
        <Paper withBorder radius="lg" style={{ overflow: 'hidden' }}>
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing="sm" horizontalSpacing="md" data-testid="token-list">
              <Table.Thead>
                <Table.Tr style={{ whiteSpace: 'nowrap' }}>
                  <Table.Th>{t('api.table.name')}</Table.Th>
                  <Table.Th>{t('api.table.token')}</Table.Th>
                  <Table.Th>{t('api.table.scopes')}</Table.Th>
                  <Table.Th>{t('api.table.created')}</Table.Th>
                  <Table.Th>{t('api.table.lastUsed')}</Table.Th>
                  <Table.Th aria-label={t('api.revoke')} />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {tokens.data.map((token) => (
                  <TokenRow
                    key={token.id}
                    token={token}
                    onRevoke={() =>
                      confirm.ask(t('api.revokeConfirm', { name: token.name }), t('api.revoke'), () =>
                        revoke.mutate(token.id),
                      )
                    }
                  />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
      {creating ? (
        <CreateTokenModal
          onClose={() => setCreating(false)}
          onCreated={(value) => {
            setCreating(false);
            setCreated(value);
            void refresh();
          }}
        />
      ) : null}
      {created ? <CreatedTokenModal created={created} onClose={() => setCreated(null)} /> : null}
    </>
  );
}
