import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import { rendererConfig } from './vite.renderer.config.js';

// The Electron build: main (ESM, from "type": "module"), preload and the renderer (the same
// config `npm run build:renderer` uses, so both hosts serve identical files).
const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: here('./out/main'),
      // The pull worker is its own entry: sync/pullWorker.ts starts ./pullWorkerMain.js next to the bundle.
      rollupOptions: { input: { index: here('./src/main/index.ts'), pullWorkerMain: here('./src/main/sync/pullWorkerMain.ts') } },
    },
  },
  preload: {
    build: {
      outDir: here('./out/preload'),
      // A sandboxed preload cannot load ES modules nor require anything but `electron`,
      // so it is one self-contained CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: here('./src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    ...rendererConfig,
    build: {
      ...rendererConfig.build,
      rollupOptions: { input: { index: here('./src/renderer/index.html') } },
    },
  },
});
