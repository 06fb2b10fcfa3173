import { protocol } from 'electron';
import { contentSecurityPolicy } from '../hostShared/csp.js';
import type { RemoteContentPolicy } from '../hostShared/remoteContent.js';
import { readStaticFile } from '../hostShared/staticFiles.js';
import { APP_HOST, APP_SCHEME } from '../ipc/senderOrigin.js';

// The renderer is served from app://renderer/ rather than file://: a file:// page could
// read any file the user can, and headers (the CSP) cannot be attached to file:// loads.

export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

export function serveRenderer(rendererDir: string, policy: RemoteContentPolicy): void {
  const csp = contentSecurityPolicy({ imageOrigins: policy.imageOrigins });
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('not found', { status: 404 });
    const file = await readStaticFile(rendererDir, url.pathname);
    if (!file) return new Response('not found', { status: 404 });
    return new Response(new Uint8Array(file.body), {
      headers: {
        'Content-Type': file.type,
        'Content-Security-Policy': csp,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });
}
