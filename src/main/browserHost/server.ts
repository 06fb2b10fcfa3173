import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore } from '../core/createCore.js';
import type { Core } from '../core/coreApi.js';
import { plainFileTokenStore } from '../sync/tokenStore.js';
import { contentSecurityPolicy } from '../hostShared/csp.js';
import { remoteContentFromEnv, type RemoteContentPolicy } from '../hostShared/remoteContent.js';
import { readStaticFile } from '../hostShared/staticFiles.js';
import { buildBridgeScript, injectBridge } from './bridgeScript.js';
import { CSP_REPORT_PATH, cspReportReceiver } from './cspReport.js';
import { createGateway } from './wsGateway.js';
import { BRIDGE_PATH, HELLO_PATH, TOKEN_HEADER } from './wireMessages.js';

// The browser host: the same core the Electron host runs, under plain Node, with the built
// renderer served on loopback and the contract carried over a token-guarded WebSocket.

/** Loopback only: the app holds a coordinator's data and session, so nothing else on the network may reach it. */
const BROWSER_HOST_ADDRESS = '127.0.0.1';

export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../../out/renderer', import.meta.url));

export interface BrowserHostOptions {
  /** 0 = any free port. */
  port: number;
  dataDir: string;
  /** Preset server URL for the sign-in form (used by `npm run demo`). */
  serverUrl?: string | null;
  rendererDir?: string;
  /** Avatar and link origins (default: from AFH_AVATAR_ORIGINS / AFH_LINK_ORIGINS, else the built-in ones). */
  remoteContent?: RemoteContentPolicy;
  /** Where refusals are logged (default: console.warn). */
  log?: (line: string) => void;
}

export interface BrowserHost {
  /** The address to open, carrying the token in its fragment. */
  url: string;
  /** The address the listening socket is bound to (always 127.0.0.1). */
  address: string;
  port: number;
  token: string;
  core: Core;
  close(): Promise<void>;
}

/** What serving a request needs; `port` is read late, since it is known only once the socket is bound. */
interface Served {
  rendererDir: string;
  token: string;
  bridge: string;
  port: () => number;
  headers: (type: string) => Record<string, string>;
  cspReport: ReturnType<typeof cspReportReceiver>;
}

export async function startBrowserHost(opts: BrowserHostOptions): Promise<BrowserHost> {
  const rendererDir = builtRendererDir(opts.rendererDir);
  const remoteContent = opts.remoteContent ?? remoteContentFromEnv(process.env);
  const cspReport = cspReportReceiver(opts.log ?? ((line) => console.warn(line)));
  const bridge = await buildBridgeScript();
  const core = await createCore({
    dataDir: opts.dataDir,
    tokenStore: plainFileTokenStore(path.join(opts.dataDir, 'session-token')),
    serverUrl: opts.serverUrl ?? null,
  });

  const token = randomBytes(32).toString('base64url');
  let port = 0;
  const origin = (): string => `http://${BROWSER_HOST_ADDRESS}:${port}`;
  const gateway = createGateway({ core, token, origin, onNetwork: (online) => core.setOnline(online) });
  const headers = (type: string) => pageHeaders(type, remoteContent, port);
  const server = createHostServer({ rendererDir, token, bridge, port: () => port, headers, cspReport }, gateway);

  try {
    await listen(server, opts.port);
  } catch (err) {
    await core.close();
    throw err;
  }
  const bound = server.address() as AddressInfo;
  port = bound.port;

  let closing: Promise<void> | null = null;
  return {
    url: `${origin()}/#token=${token}`,
    address: bound.address,
    port,
    token,
    core,
    close() {
      closing ??= (async () => {
        await gateway.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await core.close();
      })();
      return closing;
    },
  };
}

function builtRendererDir(dir: string | undefined): string {
  const rendererDir = path.resolve(dir ?? DEFAULT_RENDERER_DIR);
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(`The renderer is not built (no ${path.join(rendererDir, 'index.html')}). Run "npm run build:renderer" first.`);
  }
  return rendererDir;
}

/** The headers of every page and script served: a strict CSP that lets the page reach only this host's socket. */
function pageHeaders(type: string, remoteContent: RemoteContentPolicy, port: number): Record<string, string> {
  return {
    'Content-Type': type,
    'Content-Security-Policy': contentSecurityPolicy({
      imageOrigins: remoteContent.imageOrigins,
      connectSrc: [`ws://${BROWSER_HOST_ADDRESS}:${port}`],
      reportUri: CSP_REPORT_PATH,
    }),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
  };
}

/** The HTTP server: pages and scripts over plain requests, the contract over upgraded WebSockets. */
function createHostServer(served: Served, gateway: ReturnType<typeof createGateway>): Server {
  const server = createServer((req, res) => {
    handle(served, req, res).catch((err: unknown) => {
      console.error('[browser host] request failed:', err);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('internal error');
    });
  });
  server.on('upgrade', (req, socket, head) => {
    // Before anything is written: a peer may reset the connection at any moment (no token is
    // needed to try), and an `error` nobody listens for would end the host.
    socket.on('error', () => socket.destroy());
    if (req.headers.host !== `${BROWSER_HOST_ADDRESS}:${served.port()}`) {
      socket.end('HTTP/1.1 421 Misdirected Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    gateway.handleUpgrade(req, socket, head);
  });
  return server;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, BROWSER_HOST_ADDRESS, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function handle(served: Served, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // A page on another site can point a hostname at 127.0.0.1 (DNS rebinding); it would
  // then send its own Host header, so only our own host:port is served.
  const host = `${BROWSER_HOST_ADDRESS}:${served.port()}`;
  if (req.headers.host !== host) {
    res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end('wrong host');
    return;
  }
  const pathname = new URL(req.url ?? '/', `http://${host}`).pathname;
  if (req.method === 'POST' && pathname === CSP_REPORT_PATH) {
    await served.cspReport(req, res);
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed');
    return;
  }
  if (pathname === HELLO_PATH) {
    res
      .writeHead(200, served.headers('application/json; charset=utf-8'))
      .end(JSON.stringify({ token: tokenMatches(req, served.token) ? 'valid' : 'invalid' }));
    return;
  }
  if (pathname === BRIDGE_PATH) {
    res.writeHead(200, served.headers('text/javascript; charset=utf-8')).end(req.method === 'HEAD' ? undefined : served.bridge);
    return;
  }
  await serveRendererFile(served, pathname, req, res);
}

function tokenMatches(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(String(req.headers[TOKEN_HEADER] ?? ''));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A file of the built renderer; its HTML pages carry the bridge script. */
async function serveRendererFile(served: Served, pathname: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const file = await readStaticFile(served.rendererDir, pathname);
  if (!file && pathname === '/favicon.ico') {
    // Browsers ask for it unprompted; the renderer declares its own icon if it has one.
    res.writeHead(204, served.headers('image/x-icon')).end();
    return;
  }
  if (!file) {
    res.writeHead(404, served.headers('text/plain; charset=utf-8')).end('not found');
    return;
  }
  const body = file.type.startsWith('text/html') ? Buffer.from(injectBridge(file.body.toString('utf8'), BRIDGE_PATH)) : file.body;
  res.writeHead(200, served.headers(file.type)).end(req.method === 'HEAD' ? undefined : body);
}
