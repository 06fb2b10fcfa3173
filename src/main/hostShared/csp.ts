// The one Content-Security-Policy both hosts send with the renderer. Scripts only from the
// app itself (no inline, no eval), no plugins, no framing, no form posts; the only network
// the page may open is back to its own host. Images: the app's own, data: URIs, and the
// avatar origins of the remote-content policy (./remoteContent.ts), nothing else. No inline
// styles either: React, the virtualized lists and drag-and-drop set positions through the
// CSSOM, which CSP does not restrict.

interface CspOptions {
  /** Origins the renderer may load member photos from. */
  imageOrigins: readonly string[];
  /** Extra connect-src sources (the browser host's WebSocket). */
  connectSrc?: readonly string[];
  /** Where the browser reports a refusal (the browser host logs it); Electron filters requests itself. */
  reportUri?: string;
  viteDevServer?: boolean;
}

export function contentSecurityPolicy(opts: CspOptions): string {
  const connect = ["'self'", ...(opts.connectSrc ?? [])].join(' ');
  // Only under `electron-vite dev`: Vite's client injects an inline React-refresh preamble
  // and <style> elements for hot CSS. Never in a build.
  const devInline = opts.viteDevServer ? " 'unsafe-inline'" : '';
  return [
    "default-src 'self'",
    `script-src 'self'${devInline}`,
    `style-src 'self'${devInline}`,
    ["img-src 'self' data:", ...opts.imageOrigins].join(' '),
    "font-src 'self' data:",
    `connect-src ${connect}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    ...(opts.reportUri ? [`report-uri ${opts.reportUri}`] : []),
  ].join('; ');
}
