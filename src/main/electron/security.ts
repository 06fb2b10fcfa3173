import { app, shell, type Session } from 'electron';
import { contentSecurityPolicy } from '../hostShared/csp.js';
import { describeForLog, isAllowedImage, isAllowedLink, type RemoteContentPolicy } from '../hostShared/remoteContent.js';
import { isAppUrl, type AppOrigin } from '../ipc/senderOrigin.js';

// The Electron security checklist, applied once for every window the app makes.

export type Log = (line: string) => void;

/** Logs each distinct line once: a list of a hundred photos from one refused host is one line. */
function onceEach(log: Log, limit = 100): Log {
  const seen = new Set<string>();
  return (line) => {
    if (seen.has(line) || seen.size >= limit) return;
    seen.add(line);
    log(line);
  };
}

interface SessionPolicy {
  /** The electron-vite dev server's URL under `electron-vite dev`; undefined in a build. */
  devUrl: string | undefined;
  remoteContent: RemoteContentPolicy;
  log: Log;
}

function sameHostAs(url: string, devUrl: string | undefined): boolean {
  if (!devUrl) return false;
  try {
    // The dev server's page, its modules and its hot-reload WebSocket (ws:// on the same host).
    return new URL(url).host === new URL(devUrl).host;
  } catch {
    return false;
  }
}

export function hardenSession(session: Session, policy: SessionPolicy): void {
  const { devUrl, remoteContent } = policy;
  // Headers for pages served over http (the dev server); app:// responses carry their own.
  session.webRequest.onHeadersReceived((details, callback) => {
    const csp = contentSecurityPolicy({
      imageOrigins: remoteContent.imageOrigins,
      ...(devUrl ? { connectSrc: ['ws:'], viteDevServer: true } : {}),
    });
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  // The CSP already refuses these; this is the second lock, and the place that logs. Only the
  // page's own requests to the network are judged: the browser's (a spell-check dictionary)
  // carry no webContents, and the app's own app://, data: and blob: URLs never leave the machine.
  const refused = onceEach(policy.log);
  session.webRequest.onBeforeRequest((details, callback) => {
    if (details.webContentsId === undefined || !/^(https?|wss?):/i.test(details.url)) return callback({});
    if (sameHostAs(details.url, devUrl)) return callback({});
    if (details.resourceType === 'image' && isAllowedImage(details.url, remoteContent)) return callback({});
    refused(`[afh] refused a ${details.resourceType} request to ${describeForLog(details.url)} (not an allowed origin)`);
    callback({ cancel: true });
  });
  // The app needs no camera, notifications, geolocation, …
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** Hands a link to the OS (browser, mail program) if it is on the allowlist; logs and drops it otherwise. */
function openOutside(url: string, remoteContent: RemoteContentPolicy, log: Log): boolean {
  if (!isAllowedLink(url, remoteContent)) {
    log(`[afh] refused to open ${describeForLog(url)} outside the app (not on the link allowlist)`);
    return false;
  }
  void shell.openExternal(url);
  return true;
}

export function lockDownWebContents(origin: AppOrigin, remoteContent: RemoteContentPolicy, log: Log): void {
  const refused = onceEach(log);
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (isAppUrl(url, origin)) return;
      // The page never leaves the app; a mailto: or an allowed site opens in its own program.
      event.preventDefault();
      openOutside(url, remoteContent, refused);
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url, origin)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    // No new windows.
    contents.setWindowOpenHandler(({ url }) => {
      openOutside(url, remoteContent, refused);
      return { action: 'deny' };
    });
  });
}
