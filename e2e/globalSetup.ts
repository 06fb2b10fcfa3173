import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { build } from 'vite';
import { rendererConfig } from '../vite.renderer.config.js';
import { startServer } from '../src/server/startServer.js';
import { CHROMIUM_PATH } from './chromium.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PGlite data folder already holding the demo data set; each spec file copies it. */
    seedDir: string;
  }
}

/**
 * Runs once per e2e run: builds the renderer the browser host serves, and loads the demo
 * data set into a PGlite folder once, so each spec file starts its own server from a copy
 * in a second instead of generating 100,000 actions again.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const root = mkdtempSync(path.join(tmpdir(), 'afh-e2e-seed-'));
  const seedDir = path.join(root, 'server');
  project.provide('seedDir', seedDir);
  if (!existsSync(CHROMIUM_PATH)) return () => rmSync(root, { recursive: true, force: true });

  await build({ ...rendererConfig, logLevel: 'warn' });
  const server = await startServer({ port: 0, data: seedDir, demo: 'small' });
  await server.close();
  return () => rmSync(root, { recursive: true, force: true });
}
