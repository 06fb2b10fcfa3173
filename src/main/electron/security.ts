import { app, shell, type Session, type WebFrameMain } from 'electron';
import { contentSecurityPolicy } from '../browserHost/csp.js';
import { APP_HOST, APP_SCHEME } from './appProtocol.js';

// The Electron security checklist, applied once for every window the app makes.

/** The renderer's own origin: app://renderer in a build, the electron-vite dev server in `dev`. */
export function appOrigin(devUrl: string | undefined): { protocol: string; host: string } {
  if (devUrl) {
    const u = new URL(devUrl);
    return { protocol: u.protocol, host: u.host };
  }
  return { protocol: `${APP_SCHEME}:`, host: APP_HOST };
}

export function isAppUrl(url: string, origin: { protocol: string; host: string }): boolean {
  try {
    const u = new URL(url);
    return u.protocol === origin.protocol && u.host === origin.host;
  } catch {
    return false;
  }
}

/** An IPC call is served only when it comes from the app's own top-level page. */
export function isTrustedFrame(frame: WebFrameMain | null, origin: { protocol: string; host: string }): boolean {
  return frame !== null && frame.parent === null && isAppUrl(frame.url, origin);
}

export function hardenSession(session: Session, devUrl: string | undefined): void {
  // Headers for pages served over http (the dev server); app:// responses carry their own.
  session.webRequest.onHeadersReceived((details, callback) => {
    const csp = devUrl
      ? // Vite's dev client injects an inline preamble for React refresh and talks over ws.
        contentSecurityPolicy({ connectSrc: ['ws:'] }).replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
      : contentSecurityPolicy();
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  // The app needs no camera, notifications, geolocation, …
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

export function lockDownWebContents(origin: { protocol: string; host: string }): void {
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url, origin)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url, origin)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    // No new windows; an https link (e.g. a profile page) opens in the coordinator's browser.
    contents.setWindowOpenHandler(({ url }) => {
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}
