import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENT_NAMES } from '../core/events.js';
import type { Core } from '../core/coreApi.js';
import { ClientMessage, MAX_CLIENT_FRAME_BYTES, MAX_CLIENT_MESSAGE_BYTES, TOO_LARGE_MESSAGE, WS_PATH } from './wireMessages.js';

// The WebSocket that carries the contract. Only the page this host served may open it:
// the per-launch token proves the opener was given the printed address, and the Origin
// check stops another site in the same browser from riding on the coordinator's session
// (a browser always sends Origin on WebSocket handshakes, and a page cannot forge it).
//
// Nothing a connection sends may stop the host (issue 11, finding 12): every socket has an
// `error` listener (ws closes it with 1007/1009 itself; an unheard `error` would end the process),
// an oversized call is refused by its id, and a call whose handler fails still gets an answer.

export interface Gateway {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
  readonly clientCount: number;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The id of a call too large to carry out, if the message is a call at all. */
function callId(text: string): number | null {
  try {
    const parsed: unknown = JSON.parse(text);
    const id = typeof parsed === 'object' && parsed !== null && 'id' in parsed ? parsed.id : null;
    return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
  } catch {
    return null;
  }
}

function refuse(socket: Duplex, status: 401 | 403 | 404, reason: string): void {
  const text = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status];
  socket.write(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
  socket.destroy();
}

interface GatewayOptions {
  core: Core;
  token: string;
  /** The only Origin allowed, e.g. http://127.0.0.1:5173. */
  origin: () => string;
  /** A page reported the browser going online/offline (the latest report wins). */
  onNetwork: (online: boolean) => void;
}

export function createGateway(opts: GatewayOptions): Gateway {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });
  const broadcast = (text: string): void => {
    for (const client of wss.clients) if (client.readyState === client.OPEN) client.send(text);
  };
  const unsubscribers = EVENT_NAMES.map((event) => opts.core.on(event, (payload) => broadcast(JSON.stringify({ event, payload }))));

  return {
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== WS_PATH) return refuse(socket, 404, 'not found');
      if (req.headers.origin !== opts.origin()) return refuse(socket, 403, 'origin not allowed');
      const token = url.searchParams.get('token');
      if (!token || !sameSecret(token, opts.token)) return refuse(socket, 401, 'token required');
      wss.handleUpgrade(req, socket, head, (ws) => serve(ws, opts));
    },
    async close() {
      for (const u of unsubscribers) u();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
    get clientCount() {
      return wss.clients.size;
    },
  };
}

/** One page's connection: the current state first, then an answer for every call it makes. */
function serve(ws: WebSocket, opts: GatewayOptions): void {
  // ws has already closed the connection (1007 bad UTF-8, 1009 over the frame cap, a reset);
  // the page reconnects. Logged once per connection, without the message itself.
  ws.on('error', (err: Error & { code?: string }) => {
    console.warn(`[browser host] closed a connection: ${err.code ?? err.message}`);
  });
  const answer = (text: string): void => {
    if (ws.readyState === ws.OPEN) ws.send(text);
  };
  // A page that connects (or reconnects) late still starts from the current state.
  const snap = opts.core.snapshot();
  answer(JSON.stringify({ event: 'auth.changed', payload: snap['auth.changed'] }));
  answer(JSON.stringify({ event: 'sync.status', payload: snap['sync.status'] }));
  ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) onMessage(data, answer, opts);
  });
}

/** A page's message: a call (answered by its id), a network report, or something ignored. */
function onMessage(data: Buffer, answer: (text: string) => void, opts: GatewayOptions): void {
  const text = data.toString('utf8');
  if (data.length > MAX_CLIENT_MESSAGE_BYTES) {
    const id = callId(text);
    if (id !== null) answer(JSON.stringify({ id, result: { ok: false, error: { code: 'bad_request', message: TOO_LARGE_MESSAGE } } }));
    return;
  }
  const msg = parseMessage(text);
  if (!msg) return;
  if ('network' in msg) {
    opts.onNetwork(msg.network === 'online');
    return;
  }
  const { id } = msg;
  opts.core.dispatch(msg.channel, msg.input).then(
    (result) => answer(JSON.stringify({ id, result })),
    (err: unknown) => {
      // The dispatcher maps every handler error; this is a bug, but the page still gets an answer.
      console.error('[browser host] a call failed:', err);
      answer(JSON.stringify({ id, result: { ok: false, error: { code: 'internal', message: 'Something went wrong in the app. Try again.' } } }));
    },
  );
}

function parseMessage(text: string): ClientMessage | null {
  try {
    const parsed = ClientMessage.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
