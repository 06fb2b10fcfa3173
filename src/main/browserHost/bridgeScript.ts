import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

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
  });
  return out.code;
}
