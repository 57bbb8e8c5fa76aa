import { ActionIcon, Box, Button, Group, Text, Tooltip } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import type { Conversation } from '@parley/shared';
import { IconArrowLeft, IconCheck, IconLayoutSidebarRight, IconRefresh } from '@tabler/icons-react';
import { PersonAvatar, StatusBadge } from '../components/common.tsx';
import { useT } from '../i18n/index.tsx';
import { ConversationTags } from '../tags/ConversationTags.tsx';
import { AssigneeMenu } from './AssigneeMenu.tsx';
import { BotPhaseBadge, ConversationActions } from './ConversationActions.tsx';
import { IntegrationSource } from './IntegrationSource.tsx';

/**
 * Who the customer is and what can be done with the conversation. The header's own width decides how
 * much it shows: the side panel and narrow screens leave it less room than the window suggests.
 */
export function ConversationHeader({
  accountId,
  conversation,
  me,
  name,
  inboxName,
  onBack,
  phone,
  resolvable,
  pending,
  onStatus,
  panelActive,
  onDetails,
}: {
  accountId: string;
  conversation: Conversation;
  me: string;
  name: string;
  inboxName: string | undefined;
  onBack: (() => void) | null;
  phone: boolean;
  resolvable: boolean;
  pending: boolean;
  onStatus: (status: 'open' | 'solved') => void;
  panelActive: boolean;
  onDetails: () => void;
}) {
  const t = useT();
  const { ref, width } = useElementSize();
  const roomy = width === 0 ? !phone : width >= 620;
  const tight = phone || (width > 0 && width < 440);
  const statusAction = resolvable
    ? { to: 'solved' as const, label: t('conversation.resolve'), icon: IconCheck, testId: 'resolve' }
    : conversation.status === 'solved'
      ? { to: 'open' as const, label: t('conversation.reopen'), icon: IconRefresh, testId: 'reopen' }
      : null;
  return (
    <>
      <header className="pane__header" ref={ref}>
        <Group gap="sm" wrap="nowrap" style={{ minWidth: 0, flex: 1 }}>
          {onBack ? (
            <ActionIcon
              variant="subtle"
              color="gray"
              onClick={onBack}
              aria-label={t('common.back')}
              size="lg"
            >
              <IconArrowLeft size={20} />
            </ActionIcon>
          ) : null}
          <PersonAvatar name={conversation.contactName} seed={conversation.contactId} size={38} />
          <Box style={{ minWidth: 0 }}>
            <Text component="h2" fz={16} fw={650} truncate data-testid="conversation-title">
              {name}
            </Text>
            <Group gap={6} wrap="nowrap">
              <Box style={{ flexShrink: 0, lineHeight: 1 }}>
                <StatusBadge status={conversation.status} size="xs" />
              </Box>
              <Box style={{ flexShrink: 0, lineHeight: 1 }}>
                <BotPhaseBadge phase={conversation.botPhase} />
              </Box>
              <Text fz="xs" c="dimmed" truncate>
                #{conversation.number}
                {inboxName ? ` · ${inboxName}` : ''}
              </Text>
              <ConversationTags accountId={accountId} conversation={conversation} compact={!roomy} />
            </Group>
          </Box>
        </Group>
        <Group gap="xs" wrap="nowrap" style={{ flexShrink: 0 }}>
          <AssigneeMenu accountId={accountId} conversation={conversation} me={me} compact={!roomy} />
          {statusAction ? (
            <Tooltip label={`${statusAction.label} (E)`}>
              {tight ? (
                <ActionIcon
                  color={statusAction.to === 'solved' ? 'teal' : 'gray'}
                  variant={statusAction.to === 'solved' ? 'filled' : 'default'}
                  size={36}
                  onClick={() => onStatus(statusAction.to)}
                  loading={pending}
                  aria-label={statusAction.label}
                  data-testid={statusAction.testId}
                >
                  <statusAction.icon size={18} />
                </ActionIcon>
              ) : (
                <Button
                  color={statusAction.to === 'solved' ? 'teal' : 'gray'}
                  variant={statusAction.to === 'solved' ? 'filled' : 'default'}
                  leftSection={<statusAction.icon size={16} />}
                  onClick={() => onStatus(statusAction.to)}
                  loading={pending}
                  data-testid={statusAction.testId}
                >
                  {statusAction.label}
                </Button>
              )}
            </Tooltip>
          ) : null}
          <ConversationActions accountId={accountId} conversation={conversation} me={me} />
          <Tooltip label={t('conversation.details')}>
            <ActionIcon
              variant={panelActive ? 'light' : 'subtle'}
              color="gray"
              size={36}
              onClick={onDetails}
              aria-label={t('conversation.details')}
            >
              <IconLayoutSidebarRight size={20} />
            </ActionIcon>
          </Tooltip>
        </Group>
      </header>
      <IntegrationSource conversation={conversation} />
    </>
  );
}
