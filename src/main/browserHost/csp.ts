// The one Content-Security-Policy both hosts send with the renderer. Scripts only from the
// app itself (no inline, no eval), no plugins, no framing, no form posts; the only network
// the page may open is back to its own host. Profile pictures live on the platform's
// https servers, hence `img-src https:`. Inline style attributes are allowed because the
// virtualized lists and drag-and-drop position elements with them (no script can run from
// a style attribute).
export function contentSecurityPolicy(opts: { connectSrc?: readonly string[] } = {}): string {
  const connect = ["'self'", ...(opts.connectSrc ?? [])].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https:",
    "font-src 'self' data:",
    `connect-src ${connect}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
