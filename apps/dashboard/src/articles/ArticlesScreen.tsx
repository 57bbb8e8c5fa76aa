import { Box } from '@mantine/core';
import { IconNotebook } from '@tabler/icons-react';
import { useCallback, useEffect, useRef } from 'react';
import { useConfirm } from '../components/Confirm.tsx';
import { Empty } from '../components/common.tsx';
import { useT } from '../i18n/index.tsx';
import { navigate } from '../lib/router.ts';
import { useReady } from '../lib/session.tsx';
import { ArticleEditor } from './ArticleEditor.tsx';
import { ArticleList } from './ArticleList.tsx';
import './articles.css';

/**
 * The knowledge base: the list of articles beside the one open (`/articles/:id`, "new" for a new one).
 * Admins and supervisors write; agents read. On a phone the list and the article take turns.
 */
export function ArticlesScreen({ id }: { id: string | undefined }) {
  const t = useT();
  const { account } = useReady();
  const canEdit = account.role === 'admin' || account.role === 'supervisor';
  const dirty = useRef(false);
  const { ask, dialog } = useConfirm();

  const setDirty = useCallback((value: boolean) => {
    dirty.current = value;
  }, []);

  // Closing the tab with unsaved changes asks the browser's own question.
  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (dirty.current) event.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, []);

  const go = (to: string, options: { replace?: boolean } = {}) => {
    if (!dirty.current) {
      navigate(to, options);
      return;
    }
    ask(t('articles.leaveConfirm'), t('articles.leave'), () => {
      dirty.current = false;
      navigate(to, options);
    });
  };

  const open = id !== undefined && (id === 'new' ? canEdit : true);
  return (
    <Box className="kb" data-open={open || undefined}>
      {dialog}
      <ArticleList
        accountId={account.accountId}
        selectedId={id ?? null}
        canEdit={canEdit}
        onOpen={(next) => go(`/articles/${next}`)}
      />
      <div className="kb__main">
        {open && id ? (
          <ArticleEditor
            key={id}
            accountId={account.accountId}
            id={id}
            canEdit={canEdit}
            onSaved={(savedId) => navigate(`/articles/${savedId}`, { replace: true })}
            onClosed={() => go('/articles')}
            onDirtyChange={setDirty}
          />
        ) : (
          <Box className="kb__placeholder">
            <Empty
              icon={<IconNotebook size={28} />}
              title={t('articles.title')}
              description={t('articles.selectHint')}
            />
          </Box>
        )}
      </div>
    </Box>
  );
}
