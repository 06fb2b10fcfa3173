import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { TestProject } from 'vitest/node';
import { build } from 'vite';
import { rendererConfig } from '../vite.renderer.config.js';
import { startServer } from '../src/server/startServer.js';
import { DEMO_COORDINATOR } from '../src/server/demo/generateDemo.js';
import { startBrowserHost } from '../src/main/browserHost/server.js';
import { DATABASE_FILE } from '../src/main/core/createCore.js';
import { CHROMIUM_PATH } from './chromium.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PGlite data folder already holding the demo data set; each spec file copies it. */
    seedDir: string;
    /** The port the seeded clients know the server by; every spec's server listens there. */
    seedPort: number;
    /** App data folders of two installs (distinct client ids) signed in and fully synced with seedDir. */
    clientSeeds: { a: string; b: string };
  }
}

const COORDINATOR = { email: 'coordinator@demo.local', password: 'demo-coordinator' };

/** Signs a fresh install in through the core and waits for its first full pull. */
async function seedClient(dataDir: string, serverUrl: string): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const host = await startBrowserHost({ port: 0, dataDir, serverUrl });
  try {
    const r = await host.core.dispatch('auth.signIn', { serverUrl, ...COORDINATOR });
    if (!r.ok) throw new Error(`seeding a client: sign-in failed: ${r.error.message}`);
    const deadline = Date.now() + 180_000;
    for (;;) {
      const s = host.core.snapshot()['sync.status'];
      if (s.phase === 'idle' && s.lastSyncedAt && !s.progress) break;
      if (Date.now() > deadline) throw new Error(`seeding a client: first sync did not finish: ${JSON.stringify(s)}`);
      await new Promise((res) => setTimeout(res, 250));
    }
  } finally {
    await host.close();
  }
}

/**
 * A second install with the same synced data and its own client id: what a full first pull
 * on another laptop would leave, at no second pull's cost. The id lives only in sync_state
 * (src/main/db/schema.ts); a client id the server has not seen starts at lastMutationId 0,
 * exactly like this copy's empty outbox.
 */
function cloneInstall(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
  const db = new Database(path.join(to, DATABASE_FILE), { fileMustExist: true });
  try {
    const changed = db.prepare('UPDATE sync_state SET client_id = ? WHERE id = 1').run(randomUUID()).changes;
    if (changed !== 1) throw new Error('seeding a client: sync_state row missing');
  } finally {
    db.close();
  }
}

/**
 * Runs once per e2e run. Builds the renderer the browser host serves; loads the demo data
 * set into a PGlite folder; and signs two installs in and lets them pull everything once.
 * Each spec file then starts from copies, so the suite pays for generating 100,000 actions
 * and for a full first pull once, not once per file. (The sign-in spec still signs a brand
 * new install in through the screen and waits for its full first pull.)
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const root = mkdtempSync(path.join(tmpdir(), 'afh-e2e-seed-'));
  const cleanup = () => rmSync(root, { recursive: true, force: true });
  const seedDir = path.join(root, 'server');
  const clientSeeds = { a: path.join(root, 'client-a'), b: path.join(root, 'client-b') };
  project.provide('seedDir', seedDir);
  project.provide('clientSeeds', clientSeeds);
  if (!existsSync(CHROMIUM_PATH)) {
    project.provide('seedPort', 0);
    return cleanup;
  }

  await build({ ...rendererConfig, logLevel: 'error' });
  const server = await startServer({ port: 0, data: seedDir, demo: 'small' });
  try {
    // The specs written before scopes (issue 13) read the whole demo platform through the demo
    // coordinator's installs: in this suite they hold every community. scope.spec.ts signs in the
    // demo's second coordinator, whose communities are the demo's own (3 of 20).
    await server.admin.setScope(DEMO_COORDINATOR.id, { all: true, cohortIds: [] });
    project.provide('seedPort', Number(new URL(server.url).port));
    await seedClient(clientSeeds.a, server.url);
    cloneInstall(clientSeeds.a, clientSeeds.b);
  } finally {
    await server.close();
  }
  return cleanup;
}
