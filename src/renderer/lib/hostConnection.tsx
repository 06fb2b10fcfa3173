import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { EventPayload } from '../../shared/ipc.js';
import { subscribe } from './api.js';

// Whether the page can reach the app's core at all (the contract's `host.connection` event).
// The renderer does not know its host: under the browser host the event comes from the page's
// side of the WebSocket; the Electron preload never sends it (there the page cannot outlive its
// host), so it stays 'connected'.

export type HostState = EventPayload<'host.connection'>['state'];

const HostContext = createContext<HostState>('connected');

export function HostConnectionProvider({ children }: { children: (state: HostState) => ReactNode }) {
  const [state, setState] = useState<HostState>('connected');
  const client = useQueryClient();
  const previous = useRef<HostState>('connected');
  useEffect(() => {
    if (!window.afh) return;
    return subscribe('host.connection', ({ state: next }) => {
      // Back after a gap: anything may have changed meanwhile (a sync ran, another tab wrote).
      if (previous.current !== 'connected' && next === 'connected') void client.invalidateQueries();
      previous.current = next;
      setState(next);
    });
  }, [client]);
  return <HostContext.Provider value={state}>{children(state)}</HostContext.Provider>;
}

export const useHostState = (): HostState => useContext(HostContext);
