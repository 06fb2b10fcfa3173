import { ipcEvents, type EventName, type EventPayload } from '../../shared/ipc.js';

/** The core's events to its host: who listens, and what reaches them. */
export interface EventBus {
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  clear(): void;
}

/**
 * Events cross the same boundary as call results, so with `validate` on (dev and tests) they are
 * held to the contract too: a payload that drifted is reported, not delivered. A listener that
 * throws is reported and does not stop the others.
 */
export function createEventBus(validate: boolean, logError: (where: string, err: unknown) => void): EventBus {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  return {
    emit(event, payload) {
      if (validate) {
        const checked = ipcEvents[event].safeParse(payload);
        if (!checked.success) {
          logError(`event ${event} does not match the contract`, checked.error);
          return;
        }
      }
      for (const l of listeners.get(event) ?? []) {
        try {
          (l as (p: typeof payload) => void)(payload);
        } catch (err) {
          logError(`listener for ${event}`, err);
        }
      }
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const l = listener as (payload: never) => void;
      set.add(l);
      return () => {
        set.delete(l);
      };
    },
    clear: () => listeners.clear(),
  };
}
