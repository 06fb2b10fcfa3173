// Which pages may call the core through Electron's IPC: only the app's own top-level page.
// Kept free of `electron` imports so the rule is tested under plain Node.

export interface AppOrigin {
  protocol: string;
  host: string;
}

export const APP_SCHEME = 'app';
export const APP_HOST = 'renderer';

/** app://renderer in a build; the electron-vite dev server's origin under `electron-vite dev`. */
export function appOrigin(devUrl: string | undefined): AppOrigin {
  if (devUrl) {
    const u = new URL(devUrl);
    return { protocol: u.protocol, host: u.host };
  }
  return { protocol: `${APP_SCHEME}:`, host: APP_HOST };
}

export function isAppUrl(url: string, origin: AppOrigin): boolean {
  try {
    const u = new URL(url);
    return u.protocol === origin.protocol && u.host === origin.host;
  } catch {
    return false;
  }
}

/** The shape of Electron's WebFrameMain that matters here. */
export interface SenderFrame {
  readonly url: string;
  readonly parent: unknown;
}

/** An IPC call is served only from the app's own top-level frame: not an iframe, not another site. */
export function isTrustedFrame(frame: SenderFrame | null | undefined, origin: AppOrigin): boolean {
  return frame !== null && frame !== undefined && frame.parent === null && isAppUrl(frame.url, origin);
}
