import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin, type UserConfig } from 'vite';

// The renderer's one build, shared by both hosts: `npm run build:renderer` (browser host
// serves out/renderer) and electron.vite.config.ts's renderer section. `base: './'` keeps
// every asset URL relative, so the same files load from file:// (Electron) and from
// http://127.0.0.1 (browser host).
export const rendererRoot = fileURLToPath(new URL('./src/renderer', import.meta.url));
export const rendererOutDir = fileURLToPath(new URL('./out/renderer', import.meta.url));

/**
 * A build is always a production build. Vite otherwise keeps a NODE_ENV it finds in the
 * environment, and a build started from a test run (vitest sets NODE_ENV=test) would ship
 * React's development bundle and JSX compiled for the dev runtime: bigger, slower, and the
 * files the hosts would then serve. Both are pinned here rather than by setting NODE_ENV,
 * which would leak into the test run that started the build.
 */
const productionBuilds: Plugin = {
  name: 'afh:production-builds',
  config: (_config, { command }) =>
    command === 'build' ? { define: { 'process.env.NODE_ENV': JSON.stringify('production') }, esbuild: { jsxDev: false } } : undefined,
};

export const rendererConfig: UserConfig = {
  root: rendererRoot,
  base: './',
  plugins: [react(), productionBuilds],
  build: {
    outDir: rendererOutDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
};

export default defineConfig(rendererConfig);
