import { Alert, Box, Center, Drawer, Loader, Text } from '@mantine/core';
import { useHotkeys, useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import type { Conversation, Inbox } from '@parley/shared';
import { IconInfoCircle } from '@tabler/icons-react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Empty } from '../components/common.tsx';
import { useI18n } from '../i18n/index.tsx';
import { get, post } from '../lib/api.ts';
import { conversationStore, useConversation } from '../lib/conversation-store.ts';
import { openConversation } from '../lib/focus.ts';
import { AttachmentDropZone } from './AttachmentPicker.tsx';
import { actionErrorMessage } from './action-errors.ts';
import { Composer, type ComposerHandle } from './Composer.tsx';
import { ContactPanel } from './ContactPanel.tsx';
import { BotStrip, HandoffNote } from './ConversationActions.tsx';
import { ConversationHeader } from './ConversationHeader.tsx';
import { dismissAlerts } from './feed.ts';
import { useFocusSeq } from './focus-seq.ts';
import { MessageList } from './MessageList.tsx';
import { useConversationMessages } from './messages-state.ts';

function TypingLine({ names }: { names: string[] }) {
  const { t } = useI18n();
  if (names.length === 0) return <Box className="typing" aria-hidden />;
  return (
    <Box className="typing" aria-live="polite" data-testid="typing-indicator">
      <span className="typing__dots" aria-hidden>
        <i />
        <i />
        <i />
      </span>
      <Text fz="xs" c="dimmed" span>
        {t('conversation.typing', { name: names.join(', ') })}
      </Text>
    </Box>
  );
}

export function ConversationPane({
  accountId,
  conversationId,
  me,
  inboxes,
  onBack,
  hrefFor,
}: {
  accountId: string;
  conversationId: string;
  me: string;
  inboxes: Inbox[] | undefined;
  onBack: (() => void) | null;
  hrefFor: (id: string) => string;
}) {
  const { t } = useI18n();
  const wide = useMediaQuery('(min-width: 90em)', true);
  const compact = useMediaQuery('(max-width: 48em)', false);
  const [drawer, setDrawer] = useState(false);
  const [panelOpen, setPanelOpen] = useState(true);
  const composer = useRef<ComposerHandle>(null);

  const fetched = useQuery({
    queryKey: ['conversation', accountId, conversationId],
    queryFn: async () => {
      const { conversation } = await get<{ conversation: Conversation }>(
        `/api/accounts/${accountId}/conversations/${conversationId}`,
      );
      conversationStore.upsert([conversation]);
      return conversation;
    },
    retry: false,
  });
  const conversation = useConversation(conversationId) ?? fetched.data;
  const thread = useConversationMessages(accountId, conversationId, me);
  const focusSeq = useFocusSeq();
  const { markRead } = thread;

  useEffect(() => {
    openConversation.id = conversationId;
    dismissAlerts(conversationId);
    return () => {
      if (openConversation.id === conversationId) openConversation.id = null;
    };
  }, [conversationId]);

  // Reading happens when the thread is on screen and the tab is in front.
  const newest = thread.messages.at(-1)?.seq ?? 0;
  useEffect(() => {
    const mark = () => {
      if (document.visibilityState === 'visible' && document.hasFocus()) markRead();
    };
    if (newest > 0) mark();
    window.addEventListener('focus', mark);
    document.addEventListener('visibilitychange', mark);
    return () => {
      window.removeEventListener('focus', mark);
      document.removeEventListener('visibilitychange', mark);
    };
  }, [newest, markRead]);

  const changeStatus = useMutation({
    mutationFn: (status: 'open' | 'solved') =>
      post<{ conversation: Conversation }>(
        `/api/accounts/${accountId}/conversations/${conversationId}/status`,
        {
          status,
        },
      ),
    // The badge and the activity line in the thread already show the change; no toast needed.
    onSuccess: ({ conversation: updated }) => {
      conversationStore.upsert([updated]);
    },
    onError: (error) => notifications.show({ color: 'red', message: actionErrorMessage(error, t) }),
  });

  const resolvable = conversation && conversation.status !== 'solved' && conversation.status !== 'closed';
  const toggleStatus = () => {
    if (!conversation || changeStatus.isPending) return;
    if (resolvable) changeStatus.mutate('solved');
    else if (conversation.status === 'solved') changeStatus.mutate('open');
  };

  useHotkeys([
    ['r', () => composer.current?.focus('reply')],
    ['n', () => composer.current?.focus('note')],
    ['e', toggleStatus],
  ]);

  if (thread.status === 'not_found' || (fetched.isError && !conversation)) {
    return (
      <Center className="pane">
        <Empty icon={<IconInfoCircle size={26} />} title={t('conversation.notFound')} />
      </Center>
    );
  }
  if (!conversation) {
    return (
      <Center className="pane">
        <Loader type="dots" />
      </Center>
    );
  }

  const name = conversation.contactName ?? t('list.visitor', { number: conversation.number });
  const inbox = inboxes?.find((i) => i.id === conversation.inboxId);
  const typingNames = thread.typing.map((a) => a.name ?? t('conversation.someone'));
  const panel = (
    <ContactPanel
      accountId={accountId}
      conversation={conversation}
      currentId={conversationId}
      filterHref={hrefFor}
    />
  );
  const showPanel = wide && panelOpen;

  return (
    <Box className="pane" data-testid="conversation-pane" data-conversation-id={conversationId}>
      <Box className="pane__main">
        <ConversationHeader
          accountId={accountId}
          conversation={conversation}
          me={me}
          name={name}
          inboxName={inbox?.name}
          onBack={onBack}
          phone={compact}
          resolvable={Boolean(resolvable)}
          pending={changeStatus.isPending}
          onStatus={(status) => changeStatus.mutate(status)}
          panelActive={showPanel}
          onDetails={() => (wide ? setPanelOpen((v) => !v) : setDrawer(true))}
        />
        <BotStrip accountId={accountId} conversation={conversation} />
        <HandoffNote conversation={conversation} />
        {thread.status === 'loading' ? (
          <Center style={{ flex: 1 }}>
            <Loader type="dots" />
          </Center>
        ) : thread.status === 'error' ? (
          <Center style={{ flex: 1 }}>
            <Text c="dimmed">{t('common.error')}</Text>
          </Center>
        ) : (
          <MessageList
            key={conversationId}
            messages={thread.messages}
            pending={thread.pending}
            hasOlder={thread.hasOlder}
            loadingOlder={thread.loadingOlder}
            onLoadOlder={thread.loadOlder}
            onRetry={thread.retry}
            me={me}
            contactReadSeq={thread.contactReadSeq}
            contactName={name}
            focusSeq={focusSeq}
          />
        )}
        <TypingLine names={typingNames} />
        <AttachmentDropZone conversationId={conversationId} disabled={conversation.status === 'closed'} />
        {conversation.status === 'closed' ? (
          <Alert color="gray" m="md" icon={<IconInfoCircle size={16} />}>
            {t('conversation.closedNotice')}
          </Alert>
        ) : (
          <Composer
            ref={composer}
            conversationId={conversationId}
            disabled={thread.status !== 'ready'}
            onSend={thread.send}
          />
        )}
      </Box>
      {showPanel ? <aside className="pane__side">{panel}</aside> : null}
      <Drawer
        opened={drawer && !wide}
        onClose={() => setDrawer(false)}
        position="right"
        size={340}
        title={t('contact.title')}
      >
        {panel}
      </Drawer>
    </Box>
  );
}
