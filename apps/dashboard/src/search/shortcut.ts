import { useHotkeys } from '@mantine/hooks';
import { navigate } from '../lib/router.ts';

const FOCUS_EVENT = 'parley:focus-search';

/** `/` anywhere in the workspace (but in a text field) opens the search screen with its box focused. */
export function useSearchShortcut(): void {
  useHotkeys([
    [
      '/',
      () => {
        if (location.pathname.startsWith('/search')) window.dispatchEvent(new Event(FOCUS_EVENT));
        else navigate('/search');
      },
    ],
  ]);
}

/** The search box listens for the shortcut while it is on screen. */
export function onFocusRequest(listener: () => void): () => void {
  window.addEventListener(FOCUS_EVENT, listener);
  return () => window.removeEventListener(FOCUS_EVENT, listener);
}
