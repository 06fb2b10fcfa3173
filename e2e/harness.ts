import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../src/server/startServer.js';
import { startBrowserHost, type BrowserHost } from '../src/main/browserHost/server.js';
import type { CallInput, CallOutput, Channel, SyncStatus } from '../src/shared/ipc.js';
import { CHROMIUM_PATH } from './chromium.js';
import { PROTOCOL_VERSION } from '../src/shared/protocol.js';

// The pieces every e2e spec needs: the real reference server (PGlite, a copy of the seeded
// demo folder), the browser host running the real core, and a real Chromium.

export const COORDINATOR = { email: 'coordinator@demo.local', password: 'demo-coordinator' };
export const SCREENSHOT_DIR = path.resolve('e2e/screenshots');

export interface Stack {
  root: string;
  serverDir: string;
  server: RunningServer | null;
  /** The server's port, kept so a restart comes back at the same address. */
  port: number;
  serverUrl: string;
  stopServer(): Promise<void>;
  restartServer(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const root = mkdtempSync(path.join(tmpdir(), 'afh-e2e-'));
  const serverDir = path.join(root, 'server');
  cpSync(inject('seedDir'), serverDir, { recursive: true });
  // The seeded installs know the server by this address; a different one would sign them out.
  const port = inject('seedPort');
  const first = await startServer({ port, data: serverDir });
  const stack: Stack = {
    root,
    serverDir,
    server: first,
    port,
    serverUrl: first.url,
    async stopServer() {
      await stack.server?.close();
      stack.server = null;
    },
    async restartServer() {
      if (stack.server) return;
      stack.server = await startServer({ port, data: serverDir });
    },
    async close() {
      await stack.server?.close();
      stack.server = null;
      rmSync(root, { recursive: true, force: true });
    },
  };
  return stack;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface AppClient {
  host: BrowserHost;
  page: Page;
  /** Calls the core directly (the same dispatch the page uses), for setup and checks. */
  call<C extends Channel>(channel: C, input: CallInput<C>): Promise<CallOutput<C>>;
  status(): SyncStatus;
  close(): Promise<void>;
}

/**
 * One laptop install: its own data folder and browser host, and a page open on it. `from`
 * starts it as a copy of a seeded install (signed in, fully synced); without it the install
 * is brand new and shows the sign-in screen.
 */
export async function openApp(browser: Browser, stack: Stack, name: string, from?: 'a' | 'b'): Promise<AppClient> {
  const dataDir = path.join(stack.root, `app-${name}`);
  if (from) cpSync(inject('clientSeeds')[from], dataDir, { recursive: true });
  else mkdirSync(dataDir, { recursive: true });
  const host = await startBrowserHost({ port: 0, dataDir, serverUrl: stack.serverUrl });
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 }, acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[${name}] page error:`, err.message));
  await page.goto(host.url);
  return {
    host,
    page,
    async call(channel, input) {
      const r = await host.core.dispatch(channel, input);
      if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
      return r.data as CallOutput<typeof channel>;
    },
    status: () => host.core.snapshot()['sync.status'],
    async close() {
      await context.close();
      await host.close();
    },
  };
}

export interface SyncedApps<Name extends string> {
  stack: Stack;
  browser: Browser;
  apps: Record<Name, AppClient>;
  /** Closes the apps, then the browser, then the server and its folder. */
  close(): Promise<void>;
}

/**
 * A spec's whole set-up: a fresh stack and Chromium, and one app per name, each a copy of the
 * seeded install given (`{ a: 'a', b: 'b' }`). Each waits until its shell is up and, unless
 * `waitForSync` is false, until its first sync has finished, so a spec starts from a settled state.
 * If any step fails, whatever was already started is closed before the error is rethrown.
 */
export async function openSyncedApps<Name extends string>(
  installs: Record<Name, 'a' | 'b'>,
  { waitForSync: settle = true }: { waitForSync?: boolean } = {},
): Promise<SyncedApps<Name>> {
  const opened: AppClient[] = [];
  let browser: Browser | null = null;
  const stack = await startStack();
  const close = async () => {
    for (const app of opened) await app.close();
    await browser?.close();
    await stack.close();
  };
  try {
    browser = await launchBrowser();
    const apps = {} as Record<Name, AppClient>;
    for (const [name, from] of Object.entries(installs) as Array<[Name, 'a' | 'b']>) {
      apps[name] = await openApp(browser, stack, name, from);
      opened.push(apps[name]);
    }
    await Promise.all(opened.map((app) => app.page.getByRole('navigation').waitFor()));
    if (settle) await Promise.all(opened.map((app) => waitForSync(app)));
    return { stack, browser, apps, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Signs in through the sign-in screen, as a coordinator would. */
export async function signIn(page: Page, who = COORDINATOR): Promise<void> {
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation').waitFor();
}

/** Waits until the core reports a finished sync with nothing pending (test-side polling of the core's own state). */
export async function waitForSync(app: AppClient, timeoutMs = 120_000): Promise<SyncStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = app.status();
    if (s.phase === 'idle' && s.lastSyncedAt && s.pending === 0 && !s.progress) return s;
    if (Date.now() > deadline) throw new Error(`sync did not finish in ${timeoutMs} ms: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

/** Logs in over HTTP, for checking what the server holds. */
export async function serverLogin(serverUrl: string, who = COORDINATOR): Promise<string> {
  const res = await fetch(`${serverUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(who),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

export interface PulledChange {
  table: string;
  op: 'upsert' | 'delete';
  row?: Record<string, unknown>;
  id?: string;
}

/** Pulls every row from the server as a fresh client would, over HTTP. */
export async function pullEverything(serverUrl: string, token: string): Promise<PulledChange[]> {
  const clientId = crypto.randomUUID();
  const out: PulledChange[] = [];
  let cursor: string | null = null;
  for (;;) {
    const res = await fetch(`${serverUrl}/v1/sync/pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ protocol: PROTOCOL_VERSION, clientId, databaseId: null, cursor, limit: 10_000 }),
    });
    if (!res.ok) throw new Error(`pull failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { cursor: string; hasMore: boolean; changes: PulledChange[] };
    out.push(...body.changes);
    cursor = body.cursor;
    if (!body.hasMore) return out;
  }
}
