import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MAX_CLIENT_MESSAGE_BYTES, TOO_LARGE_MESSAGE } from './wireMessages.js';

// The bridge is TypeScript with only type imports, so one esbuild transform (through
// vite, already a dependency) makes it a classic script; done once per launch.
const BRIDGE_SOURCE = fileURLToPath(new URL('./bridge.ts', import.meta.url));

export async function buildBridgeScript(): Promise<string> {
  const { transformWithEsbuild } = await import('vite');
  const source = await readFile(BRIDGE_SOURCE, 'utf8');
  const out = await transformWithEsbuild(source, BRIDGE_SOURCE, {
    loader: 'ts',
    format: 'iife',
    target: 'es2020',
    sourcemap: false,
    // The host's numbers and words, so the page refuses exactly what the host would.
    define: {
      __AFH_MAX_MESSAGE_BYTES__: String(MAX_CLIENT_MESSAGE_BYTES),
      __AFH_TOO_LARGE_MESSAGE__: JSON.stringify(TOO_LARGE_MESSAGE),
    },
  });
  return out.code;
}

/** Puts the bridge script first in <head>, so `window.afh` exists before the renderer's module runs. */
export function injectBridge(html: string, bridgeSrc: string): string {
  const tag = `<script src="${bridgeSrc}"></script>`;
  const head = /<head[^>]*>/i.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + tag + html.slice(head.index + head[0].length);
  return tag + html;
}
