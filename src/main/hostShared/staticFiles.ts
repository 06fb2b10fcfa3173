import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

// The built renderer's files (out/renderer) and nothing outside that folder, for both hosts:
// the browser host over HTTP, the Electron host through its app:// protocol.

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticFile {
  body: Buffer;
  type: string;
}

/** Resolves a URL path inside `root`; `null` for anything that escapes it or does not exist. */
export async function readStaticFile(root: string, urlPath: string): Promise<StaticFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rel = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const full = path.resolve(root, rel);
  if (full !== root && !full.startsWith(root + path.sep)) return null;
  try {
    const st = await stat(full);
    if (!st.isFile()) return null;
    return { body: await readFile(full), type: TYPES[path.extname(full).toLowerCase()] ?? 'application/octet-stream' };
  } catch {
    return null;
  }
}
