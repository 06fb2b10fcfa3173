// The browser host's `window.afh`: the same AfhApi the Electron preload exposes, carried
// over a WebSocket to the core. The host serves this file as a classic script that runs
// before the renderer's module, so `window.afh` exists when the app starts.
//
// It is transpiled alone (no bundler), so it may only import types.
import type { AfhApi, CallInput, Channel, EventName, EventPayload, IpcResult } from '../../shared/ipc.js';

declare global {
  interface Window {
    afh?: AfhApi;
  }
}
/** Filled in when the host builds this script (bridgeScript.ts), from wireMessages.ts. */
declare const __AFH_MAX_MESSAGE_BYTES__: number;
declare const __AFH_TOO_LARGE_MESSAGE__: string;

(() => {
  const TOKEN_KEY = 'afh.browserHost.token';
  // The same paths as wireMessages.ts (this file may import types only).
  const WS_PATH = '/__afh/ws';
  const HELLO_PATH = '/__afh/hello';
  const TOKEN_HEADER = 'x-afh-token';

  // The token arrives in the URL fragment (never sent to the server with a page request,
  // so it is not in any served file). Keep it for reloads of this tab, then take it out of
  // the address bar so it is not copied or bookmarked with the link.
  const hash = window.location.hash.replace(/^#/, '');
  const params = new URLSearchParams(hash);
  const fromHash = params.get('token');
  if (fromHash) {
    window.sessionStorage.setItem(TOKEN_KEY, fromHash);
    params.delete('token');
    const rest = params.toString();
    window.history.replaceState(null, '', window.location.pathname + window.location.search + (rest ? `#${rest}` : ''));
  }
  const token = window.sessionStorage.getItem(TOKEN_KEY) ?? '';

  type Pending = { resolve: (r: IpcResult<Channel>) => void };
  type HostState = 'connecting' | 'connected' | 'lost' | 'expired';
  const pending = new Map<number, Pending>();
  /** Messages written while the socket was down; sent, in order, once it is back. */
  const queued: Array<{ id: number | null; text: string }> = [];
  /** Calls actually handed to a socket and not yet answered. */
  const inFlight = new Set<number>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let retryMs = 250;
  let state: HostState = 'connecting';

  const UNREACHABLE = 'The app on this computer cannot be reached: it has stopped or is restarting.';
  const EXPIRED = 'This tab belongs to an earlier run of the app: open the address the app printed when it started.';

  const wsUrl = (): string => {
    const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${proto}//${window.location.host}${WS_PATH}?token=${encodeURIComponent(token)}`;
  };

  const send = (id: number | null, text: string): void => {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(text);
      if (id !== null) inFlight.add(id);
    } else queued.push({ id, text });
  };

  const emit = (event: string, payload: unknown): void => {
    for (const l of listeners.get(event) ?? []) {
      try {
        l(payload);
      } catch (err) {
        console.error(`[afh] listener for ${event} failed`, err);
      }
    }
  };

  const fail = (id: number, message: string, code: 'unavailable' | 'bad_request' = 'unavailable'): void => {
    const p = pending.get(id);
    pending.delete(id);
    p?.resolve({ ok: false, error: { code, message } });
  };

  /** The page's link to its host, as the renderer reads it ('host.connection' in the contract's events). */
  const setState = (next: HostState): void => {
    if (state === next) return;
    state = next;
    if (next === 'lost' || next === 'expired') {
      // Never sent, so failing them cannot lose or double a change; waiting could be forever.
      for (const q of queued.splice(0)) if (q.id !== null) fail(q.id, next === 'lost' ? UNREACHABLE : EXPIRED);
    }
    if (next !== 'connecting') emit('host.connection', { state: next });
  };

  const retry = (): void => {
    window.setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  };

  /** Whether the host takes this tab's key; null when the host cannot be reached at all. */
  const askHost = async (): Promise<boolean | null> => {
    try {
      const res = await fetch(HELLO_PATH, { headers: { [TOKEN_HEADER]: token }, cache: 'no-store' });
      const body = (await res.json()) as { token?: unknown };
      return body.token === 'valid';
    } catch {
      return null;
    }
  };

  const openSocket = (): void => {
    const ws = new WebSocket(wsUrl());
    socket = ws;
    let opened = false;
    ws.addEventListener('open', () => {
      opened = true;
      retryMs = 250;
      ws.send(JSON.stringify({ network: navigator.onLine ? 'online' : 'offline' }));
      setState('connected');
      for (const q of queued.splice(0)) send(q.id, q.text);
    });
    ws.addEventListener('message', (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') return;
      let msg: { id?: number; result?: IpcResult<Channel>; event?: string; payload?: unknown };
      try {
        msg = JSON.parse(ev.data) as typeof msg;
      } catch {
        return;
      }
      if (typeof msg.id === 'number' && msg.result) {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        inFlight.delete(msg.id);
        p?.resolve(msg.result);
      } else if (typeof msg.event === 'string') {
        emit(msg.event, msg.payload);
      }
    });
    ws.addEventListener('close', (ev: CloseEvent) => {
      if (socket === ws) socket = null;
      // A call in flight may or may not have run; resending could record a change twice,
      // so it fails plainly and the coordinator decides. 1009/1007: the host refused what was
      // sent (too large, or not text); the page reconnects either way.
      const message =
        ev.code === 1009
          ? __AFH_TOO_LARGE_MESSAGE__
          : ev.code === 1007
            ? 'The app could not read that request. Please try again.'
            : 'Lost the connection to the app. Please try again.';
      for (const id of inFlight) fail(id, message, ev.code === 1009 ? 'bad_request' : 'unavailable');
      inFlight.clear();
      if (opened) setState('lost');
      retry();
    });
  };

  function connect(): void {
    if (!token) {
      setState('expired');
      return;
    }
    void askHost().then((valid) => {
      if (valid === null) {
        setState('lost');
        retry();
      } else if (!valid) {
        // Another key would be needed: retrying cannot help, a new address can.
        setState('expired');
      } else openSocket();
    });
  }

  const api: AfhApi = {
    host: 'browser',
    call<C extends Channel>(channel: C, input: CallInput<C>): Promise<IpcResult<C>> {
      if (state === 'lost' || state === 'expired') {
        return Promise.resolve({ ok: false, error: { code: 'unavailable', message: state === 'lost' ? UNREACHABLE : EXPIRED } });
      }
      const id = nextId++;
      const text = JSON.stringify({ id, channel, input: input === undefined ? {} : input });
      // A long paste would otherwise cost the connection (and every call in flight on it).
      if (text.length > __AFH_MAX_MESSAGE_BYTES__ / 3 && new TextEncoder().encode(text).length > __AFH_MAX_MESSAGE_BYTES__) {
        return Promise.resolve({ ok: false, error: { code: 'bad_request', message: __AFH_TOO_LARGE_MESSAGE__ } });
      }
      return new Promise<IpcResult<C>>((resolve) => {
        pending.set(id, { resolve: resolve as (r: IpcResult<Channel>) => void });
        send(id, text);
      });
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const l = listener as (payload: unknown) => void;
      set.add(l);
      // A renderer subscribes after the bridge may have learnt its state: tell it now.
      if (event === 'host.connection' && state !== 'connecting') {
        const now = state;
        queueMicrotask(() => set.has(l) && l({ state: now }));
      }
      return () => set.delete(l);
    },
  };

  // While the socket is down the state is sent again on reconnect, so these need no queue.
  const sendNetwork = (network: 'online' | 'offline'): void => {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ network }));
  };
  window.addEventListener('online', () => sendNetwork('online'));
  window.addEventListener('offline', () => sendNetwork('offline'));

  Object.defineProperty(window, 'afh', { value: Object.freeze(api), writable: false, configurable: false });
  connect();
})();

export {};
