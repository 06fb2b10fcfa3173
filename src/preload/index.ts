import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { ELECTRON_CALL_CHANNEL, ELECTRON_EVENT_CHANNEL } from '../shared/electronIpc.js';
import { CHANNELS, ipcEvents, type AfhApi, type Channel, type EventName, type IpcResult } from '../shared/ipc.js';

// Exposes exactly `window.afh` (AfhApi) and nothing else: no ipcRenderer, no Node. Calls
// outside the contract's channel list never leave the page; the main process checks them
// again anyway (the preload is not the security boundary, the core's dispatch is).

const allowedChannels = new Set<string>(CHANNELS);
const allowedEvents = new Set<string>(Object.keys(ipcEvents));
const listeners = new Map<string, Set<(payload: unknown) => void>>();

ipcRenderer.on(ELECTRON_EVENT_CHANNEL, (_e: IpcRendererEvent, message: unknown) => {
  if (typeof message !== 'object' || message === null) return;
  const { event, payload } = message as { event?: unknown; payload?: unknown };
  if (typeof event !== 'string' || !allowedEvents.has(event)) return;
  for (const l of listeners.get(event) ?? []) {
    try {
      l(payload);
    } catch (err) {
      console.error(`[afh] listener for ${event} failed`, err);
    }
  }
});

const api: AfhApi = {
  host: 'electron',
  async call(channel, input) {
    if (!allowedChannels.has(channel)) {
      return {
        ok: false,
        error: { code: 'bad_request', message: `channel: unknown channel "${String(channel)}"`, field: 'channel' },
      } as IpcResult<typeof channel>;
    }
    return (await ipcRenderer.invoke(ELECTRON_CALL_CHANNEL, channel as Channel, input ?? {})) as IpcResult<typeof channel>;
  },
  on(event, listener) {
    if (!allowedEvents.has(event)) throw new Error(`unknown event "${String(event)}"`);
    const set = listeners.get(event) ?? new Set();
    listeners.set(event as EventName, set);
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => {
      set.delete(l);
    };
  },
};

contextBridge.exposeInMainWorld('afh', api);
