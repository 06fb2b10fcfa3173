import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PullWorkerEntry } from '../src/main/sync/pullWorker.js';

// The pull worker as the packaged app runs it: one bundled module (electron.vite.config.ts
// builds it as its own entry), not ~100 TypeScript files through tsx's loader, which adds about
// 0.4 s of loading to a worker's start (measured on the scoped first sync) that no installed
// app pays. Built with vite, the toolchain electron-vite uses; packages stay external as there.
//
// The bench parent builds it (vite's memory must not count in a measured child's peak RSS) and
// names the file in BENCH_PULL_WORKER; the sync children run it from there.

const ENV = 'BENCH_PULL_WORKER';

/** Build the worker into `outDir` and name it in the environment the bench children inherit. */
export async function bundlePullWorkerForChildren(outDir: string): Promise<void> {
  // Imported here only: a sync child that imports this module must not load vite.
  const { build } = await import('vite');
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
  process.env[ENV] = file;
}

/** In a sync child: the bundled worker the parent built, or undefined (run it from source, through tsx). */
export function bundledPullWorker(): PullWorkerEntry | undefined {
  const file = process.env[ENV];
  return file ? { kind: 'module', url: pathToFileURL(file) } : undefined;
}
