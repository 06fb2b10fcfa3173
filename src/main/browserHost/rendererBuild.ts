import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// `npm start` / `npm run start:web` on a fresh clone, or after pulling renderer changes:
// build the renderer when its output is missing or older than any of its sources.

const repo = fileURLToPath(new URL('../../../', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export function rendererNeedsBuild(rendererDir: string): boolean {
  const index = path.join(rendererDir, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const sources = [path.join(repo, 'src/renderer'), path.join(repo, 'src/shared')].filter((d) => existsSync(d));
  const configs = ['vite.renderer.config.ts'].map((f) => path.join(repo, f)).filter((f) => existsSync(f));
  return sources.some((d) => newestMtime(d) > built) || configs.some((f) => statSync(f).mtimeMs > built);
}

export async function buildRenderer(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: path.join(repo, 'vite.renderer.config.ts'), logLevel: 'warn' });
}
