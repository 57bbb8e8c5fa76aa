import { Alert, Button, Center, Stack } from '@mantine/core';
import { Component, type ReactNode, Suspense } from 'react';
import { useT } from '../i18n/index.tsx';
import { FullPageLoader } from './common.tsx';

/**
 * Catches a part of the app that failed to load (a chunk from a release that has since been replaced,
 * or the network gone) so it does not take the whole workspace down. React keeps a failed lazy import
 * failed, so trying again means loading the page again.
 */
export class LazyBoundary extends Component<
  { fallback: ReactNode; children: ReactNode },
  { failed: boolean }
> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override render(): ReactNode {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}

/** What stands in for a part that could not load: what happened and a way to try again. */
export function LoadFailed({ fullPage = false }: { fullPage?: boolean }) {
  const t = useT();
  return (
    <Center h={fullPage ? '100dvh' : undefined} py={fullPage ? undefined : 'xl'}>
      <Stack align="center" maw={420}>
        <Alert color="red" title={t('common.error')}>
          {t('error.network')}
        </Alert>
        <Button variant="light" onClick={() => window.location.reload()}>
          {t('common.retry')}
        </Button>
      </Stack>
    </Center>
  );
}

/** A screen loaded on first visit: the app's full-page loader meanwhile, a way out if it cannot load. */
export function LazyScreen({ children }: { children: ReactNode }) {
  return (
    <LazyBoundary fallback={<LoadFailed fullPage />}>
      <Suspense fallback={<FullPageLoader />}>{children}</Suspense>
    </LazyBoundary>
  );
}

/** A smaller part loaded on demand: `fallback` while it arrives, `failed` (nothing by default) if it cannot. */
export function LazyPart({
  children,
  fallback = null,
  failed = null,
}: {
  children: ReactNode;
  fallback?: ReactNode;
  failed?: ReactNode;
}) {
  return (
    <LazyBoundary fallback={failed}>
      <Suspense fallback={fallback}>{children}</Suspense>
    </LazyBoundary>
  );
}
