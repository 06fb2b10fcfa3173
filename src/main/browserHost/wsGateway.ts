import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENT_NAMES } from '../core/events.js';
import type { Core } from '../core/coreApi.js';
import { ClientMessage, MAX_CLIENT_MESSAGE_BYTES, WS_PATH } from './wireMessages.js';

// The WebSocket that carries the contract. Only the page this host served may open it:
// the per-launch token proves the opener was given the printed address, and the Origin
// check stops another site in the same browser from riding on the coordinator's session
// (a browser always sends Origin on WebSocket handshakes, and a page cannot forge it).

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

function refuse(socket: Duplex, status: 401 | 403 | 404, reason: string): void {
  const text = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status];
  socket.write(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
  socket.destroy();
}

export function createGateway(opts: {
  core: Core;
  token: string;
  /** The only Origin allowed, e.g. http://127.0.0.1:5173. */
  origin: () => string;
  /** A page reported the browser going online/offline (the latest report wins). */
  onNetwork: (online: boolean) => void;
}): Gateway {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES });
  const unsubscribers: Array<() => void> = [];

  const broadcast = (text: string): void => {
    for (const client of wss.clients) if (client.readyState === client.OPEN) client.send(text);
  };
  for (const event of EVENT_NAMES) {
    unsubscribers.push(opts.core.on(event, (payload) => broadcast(JSON.stringify({ event, payload }))));
  }

  const serve = (ws: WebSocket): void => {
    // A page that connects (or reconnects) late still starts from the current state.
    const snap = opts.core.snapshot();
    ws.send(JSON.stringify({ event: 'auth.changed', payload: snap['auth.changed'] }));
    ws.send(JSON.stringify({ event: 'sync.status', payload: snap['sync.status'] }));

    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let msg: ClientMessage;
      try {
        const parsed = ClientMessage.safeParse(JSON.parse(data.toString('utf8')));
        if (!parsed.success) return;
        msg = parsed.data;
      } catch {
        return;
      }
      if ('network' in msg) {
        opts.onNetwork(msg.network === 'online');
        return;
      }
      const { id } = msg;
      void opts.core.dispatch(msg.channel, msg.input).then((result) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, result }));
      });
    });
  };

  return {
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== WS_PATH) return refuse(socket, 404, 'not found');
      if (req.headers.origin !== opts.origin()) return refuse(socket, 403, 'origin not allowed');
      const token = url.searchParams.get('token');
      if (!token || !sameSecret(token, opts.token)) return refuse(socket, 401, 'token required');
      wss.handleUpgrade(req, socket, head, (ws) => serve(ws));
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
