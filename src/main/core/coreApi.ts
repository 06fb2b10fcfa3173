import type { EventName, EventPayload } from '../../shared/ipc.js';
import type { Dispatch } from '../ipc/dispatch.js';

/** What a host (Electron or browser) gets from the core: the contract, its events, and lifecycle. */
export interface Core {
  /** Validates and runs one call of the contract; never throws. */
  readonly dispatch: Dispatch;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** Current payloads of the state events, for a renderer that connects late (sync.status, auth.changed). */
  snapshot(): { 'sync.status': EventPayload<'sync.status'>; 'auth.changed': EventPayload<'auth.changed'> };
  /** The host's view of the network (OS/page events); the core combines it with server reachability. */
  setOnline(online: boolean): void;
  /** Stops syncing (letting a running sync transaction finish) and closes the database. */
  close(): Promise<void>;
  readonly dataDir: string;
}
