import { app, shell, type Session } from 'electron';
import { contentSecurityPolicy } from '../browserHost/csp.js';
import { isAppUrl, type AppOrigin } from '../ipc/senderOrigin.js';

// The Electron security checklist, applied once for every window the app makes.

export function hardenSession(session: Session, devUrl: string | undefined): void {
  // Headers for pages served over http (the dev server); app:// responses carry their own.
  session.webRequest.onHeadersReceived((details, callback) => {
    const csp = devUrl ? contentSecurityPolicy({ connectSrc: ['ws:'], viteDevServer: true }) : contentSecurityPolicy();
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  // The app needs no camera, notifications, geolocation, …
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

export function lockDownWebContents(origin: AppOrigin): void {
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
