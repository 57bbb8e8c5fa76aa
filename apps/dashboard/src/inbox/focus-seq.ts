import { type RefObject, useEffect, useRef } from 'react';
import { navigate, useLocation } from '../lib/router.ts';

/** `?seq=N` in the address: the item a notification (or a link) wants the thread opened at. */
export function useFocusSeq(): number | null {
  const { search } = useLocation();
  const value = Number(search.get('seq'));
  return Number.isInteger(value) && value > 0 ? value : null;
}

const HIGHLIGHT_MS = 2600;

/**
 * Opens the thread at `seq`: once the thread has settled, loads older pages until the item is there,
 * scrolls it to the middle, points it out for a moment, and takes `?seq` out of the address (so the
 * next visit opens at the newest message again, and opening the same item again works).
 */
export function useScrollToSeq({
  seq,
  ready,
  index,
  oldestSeq,
  hasOlder,
  loadingOlder,
  onLoadOlder,
  scrollToIndex,
  container,
}: {
  seq: number | null;
  ready: boolean;
  /** The row of `seq` in the list, or -1 while it is not loaded. */
  index: number;
  oldestSeq: number | null;
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  scrollToIndex: (index: number) => void;
  container: RefObject<HTMLElement | null>;
}): void {
  const done = useRef<number | null>(null);
  const scroll = useRef(scrollToIndex);
  scroll.current = scrollToIndex;

  useEffect(() => {
    if (seq === null) {
      done.current = null;
      return;
    }
    if (!ready || done.current === seq) return;
    if (index === -1) {
      // Older than what is loaded: page back; newer: it arrives with the stream.
      if (oldestSeq !== null && seq < oldestSeq && hasOlder && !loadingOlder) onLoadOlder();
      return;
    }
    done.current = seq;
    scroll.current(index);
    // Measured rows may shift the target a little: once more after they rendered, then point it out.
    requestAnimationFrame(() => {
      scroll.current(index);
      const row = container.current?.querySelector<HTMLElement>(`[data-seq="${seq}"]`);
      row?.classList.add('msg--focus');
      setTimeout(() => row?.classList.remove('msg--focus'), HIGHLIGHT_MS);
      const url = new URL(location.href);
      url.searchParams.delete('seq');
      navigate(url.pathname + url.search, { replace: true });
    });
  }, [seq, ready, index, oldestSeq, hasOlder, loadingOlder, onLoadOlder, container]);
}
