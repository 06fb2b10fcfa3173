import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { subscribe } from './api.js';
import { areasFor, qk } from './queryKeys.js';

/**
 * Keeps react-query's caches in step with the core: sync status and auth arrive as
 * events and replace the cached value; `data.changed` marks stale exactly the queries
 * that read the changed tables. Nothing polls.
 */
export function useCoreEvents(): void {
  const client = useQueryClient();
  useEffect(() => {
    // Without a bridge there are no events; the first call shows the error in plain words.
    if (!window.afh) return;
    const offStatus = subscribe('sync.status', (status) => client.setQueryData(qk.syncStatus(), status));
    const offAuth = subscribe('auth.changed', (auth) => {
      client.setQueryData(qk.authStatus(), auth);
      void client.invalidateQueries({ queryKey: qk.settings() });
      void client.invalidateQueries({ queryKey: qk.notices() });
      void client.invalidateQueries({ queryKey: qk.devices() });
      // The communities come with the user (sign-in, or a pull that found them changed).
      void client.invalidateQueries({ queryKey: qk.myScope() });
    });
    const offData = subscribe('data.changed', ({ tables }) => {
      // Every query key starts with its area, so invalidating the root covers lists, counts and charts.
      for (const area of areasFor(tables)) {
        void client.invalidateQueries({ queryKey: [area] });
      }
    });
    return () => {
      offStatus();
      offAuth();
      offData();
    };
  }, [client]);
}
