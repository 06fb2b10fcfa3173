// The one Content-Security-Policy both hosts send with the renderer. Scripts only from the
// app itself (no inline, no eval), no plugins, no framing, no form posts; the only network
// the page may open is back to its own host. Profile pictures live on the platform's
// https servers, hence `img-src https:`. No inline styles either: React, the virtualized
// lists and drag-and-drop set positions through the CSSOM, which CSP does not restrict.
export function contentSecurityPolicy(opts: { connectSrc?: readonly string[]; viteDevServer?: boolean } = {}): string {
  const connect = ["'self'", ...(opts.connectSrc ?? [])].join(' ');
  // Only under `electron-vite dev`: Vite's client injects an inline React-refresh preamble
  // and <style> elements for hot CSS. Never in a build.
  const devInline = opts.viteDevServer ? " 'unsafe-inline'" : '';
  return [
    "default-src 'self'",
    `script-src 'self'${devInline}`,
    `style-src 'self'${devInline}`,
    "img-src 'self' data: https:",
    "font-src 'self' data:",
    `connect-src ${connect}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
