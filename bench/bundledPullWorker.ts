import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';
import type { PullWorkerEntry } from '../src/main/sync/pullWorker.js';

// The pull worker as the packaged app runs it: one bundled module (electron.vite.config.ts
// builds it as its own entry), not ~100 TypeScript files through tsx's loader, which adds about
// 0.4 s of loading to a worker's start (measured on the scoped first sync) that no installed
// app pays. Built with vite, the toolchain electron-vite uses; packages stay external as there.

export async function bundledPullWorker(outDir: string): Promise<PullWorkerEntry> {
  await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      ssr: resolve('src/main/sync/pullWorkerMain.ts'),
      outDir,
      emptyOutDir: true,
      minify: false,
      rollupOptions: { output: { format: 'es', entryFileNames: 'pullWorkerMain.mjs' } },
    },
  });
  const file = join(outDir, 'pullWorkerMain.mjs');
  if (!existsSync(file)) throw new Error(`the pull worker bundle is missing: ${file}`);
  return { kind: 'module', url: pathToFileURL(file) };
}
