import { Box } from '@mantine/core';
import { useHotkeys, useMediaQuery } from '@mantine/hooks';
import { useCallback, useMemo } from 'react';
import { useConversations } from '../lib/conversation-store.ts';
import { useInboxes } from '../lib/queries.ts';
import { navigate, useLocation } from '../lib/router.ts';
import { useReady } from '../lib/session.tsx';
import { ConversationList, hrefFor } from './ConversationList.tsx';
import { ConversationPane } from './ConversationPane.tsx';
import { filterFromUrl } from './filters.ts';
import { type ListFilter, useConversationList } from './list-state.ts';
import { usePhaseCounts } from './phase-counts.ts';
import { RequestedBar } from './RequestedBar.tsx';
import { StartPane } from './StartPane.tsx';
import { ViewsSidebar } from './ViewsSidebar.tsx';

export function InboxScreen({ view, conversationId }: { view: string; conversationId: string | undefined }) {
  const { session, account } = useReady();
  const { search } = useLocation();
  const me = session.user.id;
  const phone = useMediaQuery('(max-width: 48em)', false);
  const roomy = useMediaQuery('(min-width: 75em)', true);
  const queryString = search.toString();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the query string stands for `search`, a new object each render.
  const filter = useMemo<ListFilter>(() => filterFromUrl(view, search), [view, queryString]);
  const inboxes = useInboxes(account.accountId);
  const { query, conversations } = useConversationList(account.accountId, filter, me);
  const everything = useConversations();
  const phaseCounts = usePhaseCounts(account.accountId, everything);

  const loadMore = useCallback(() => {
    if (query.hasNextPage && !query.isFetchingNextPage) void query.fetchNextPage();
  }, [query]);

  const move = (delta: number) => {
    if (conversations.length === 0) return;
    const index = conversations.findIndex((c) => c.id === conversationId);
    const next =
      conversations[index === -1 ? 0 : Math.min(conversations.length - 1, Math.max(0, index + delta))];
    if (next) navigate(hrefFor(filter, next.id));
  };
  useHotkeys([
    ['j', () => move(1)],
    ['k', () => move(-1)],
  ]);

  const showList = !phone || !conversationId;
  const showPane = !phone || Boolean(conversationId);

  return (
    <Box style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0, minWidth: 0 }}>
      <RequestedBar count={filter.view === 'requested' ? 0 : phaseCounts.requested} />
      <Box className="inbox" data-phone={phone || undefined}>
        {roomy && !phone ? (
          <ViewsSidebar
            filter={filter}
            conversations={everything}
            inboxes={inboxes.data}
            me={me}
            accountName={account.accountName}
            phaseCounts={phaseCounts}
          />
        ) : null}
        {showList ? (
          <ConversationList
            filter={filter}
            conversations={conversations}
            inboxes={inboxes.data}
            selectedId={conversationId}
            loading={query.isPending}
            hasMore={query.hasNextPage}
            loadingMore={query.isFetchingNextPage}
            onLoadMore={loadMore}
            isAdmin={account.role === 'admin'}
            compactViews={!roomy || phone}
          />
        ) : null}
        {showPane ? (
          conversationId ? (
            <ConversationPane
              key={conversationId}
              accountId={account.accountId}
              conversationId={conversationId}
              me={me}
              inboxes={inboxes.data}
              onBack={phone ? () => navigate(hrefFor(filter)) : null}
              hrefFor={(id) => hrefFor(filter, id)}
            />
          ) : (
            <StartPane
              inboxes={inboxes.data}
              firstRun={!query.isPending && everything.length === 0}
              isAdmin={account.role === 'admin'}
            />
          )
        ) : null}
      </Box>
    </Box>
  );
}
