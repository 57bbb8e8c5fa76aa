import { useSyncExternalStore } from 'react';
import { type ConnectionState, RealtimeConnection } from './realtime.ts';

/** The one connection of this tab. */
export const realtime = new RealtimeConnection();

export function useConnectionState(): ConnectionState {
  return useSyncExternalStore(
    (listener) => realtime.onState(() => listener()),
    () => realtime.state,
  );
}
