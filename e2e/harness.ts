import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { startServer, type RunningServer } from '../src/server/startServer.js';
import { startBrowserHost, type BrowserHost } from '../src/main/browserHost/server.js';
import type { CallInput, CallOutput, Channel, SyncStatus } from '../src/shared/ipc.js';
import { CHROMIUM_PATH } from './chromium.js';
import { PROTOCOL_VERSION } from '../src/shared/protocol.js';

// The pieces every e2e spec needs: the real reference server (PGlite, a copy of the seeded
// demo folder), the browser host running the real core, and a real Chromium.

export const COORDINATOR = { email: 'coordinator@demo.local', password: 'demo-coordinator' };
export const SCREENSHOT_DIR = path.resolve('e2e/screenshots');
/** Every screen and dialog is checked at both sizes a coordinator's laptop is likely to have. */
export const SCREEN_SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
] as const;

// ---- console errors and page errors fail the test that caused them ----

interface PageProblem {
  app: string;
  kind: 'console' | 'pageerror' | 'csp';
  text: string;
}
const problems: PageProblem[] = [];
const allowed: RegExp[] = [];

function recordProblem(problem: PageProblem): void {
  if (allowed.some((re) => re.test(problem.text))) return;
  problems.push(problem);
}

/** Watches a page for console errors and uncaught exceptions; e2e/setup.ts fails the running test on any. */
export function watchPage(page: Page, app: string): void {
  page.on('console', (msg) => {
    if (msg.type() === 'error') recordProblem({ app, kind: 'console', text: msg.text() });
  });
  page.on('pageerror', (err) => recordProblem({ app, kind: 'pageerror', text: err.message }));
}

/**
 * Runs `fn` with console errors matching `patterns` expected (a test that stops the host on
 * purpose sees the browser log the refused connections); any other error still fails the test.
 */
export async function allowingConsoleErrors<T>(patterns: RegExp[], fn: () => Promise<T>): Promise<T> {
  allowed.push(...patterns);
  try {
    return await fn();
  } finally {
    for (const p of patterns) allowed.splice(allowed.indexOf(p), 1);
  }
}

/** The console and page errors seen since the last call (the e2e setup file checks after every test). */
export function takeProblems(): PageProblem[] {
  return problems.splice(0);
}

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
export async function openApp(
  browser: Browser,
  stack: Stack,
  name: string,
  from?: 'a' | 'b',
  opts: { timezoneId?: string; serverUrl?: string } = {},
): Promise<AppClient> {
  const dataDir = path.join(stack.root, `app-${name}`);
  if (from) cpSync(inject('clientSeeds')[from], dataDir, { recursive: true });
  else mkdirSync(dataDir, { recursive: true });
  // A refusal by the page's own content policy is a bug like a console error (the page tried
  // something the policy forbids), so it fails the test that caused it.
  const host = await startBrowserHost({
    port: 0,
    dataDir,
    serverUrl: opts.serverUrl ?? stack.serverUrl,
    log: (line) => recordProblem({ app: 'browser host', kind: 'csp', text: line }),
  });
  const context = await browser.newContext({
    viewport: { ...SCREEN_SIZES[0] },
    acceptDownloads: true,
    ...(opts.timezoneId ? { timezoneId: opts.timezoneId } : {}),
  });
  const page = await context.newPage();
  watchPage(page, name);
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
  { waitForSync: settle = true, timezoneId }: { waitForSync?: boolean; timezoneId?: string } = {},
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
      apps[name] = await openApp(browser, stack, name, from, timezoneId ? { timezoneId } : {});
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

/** Runs axe on the page as it is; returns the serious and critical findings in words. */
async function audit(page: Page, label: string): Promise<string[]> {
  const findings: string[] = [];
  // Only violations are read: collecting every passing node's details costs most of axe's time.
  const result = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).analyze();
  for (const v of result.violations) {
    if (v.impact !== 'serious' && v.impact !== 'critical') continue;
    const where = v.nodes
      .slice(0, 3)
      .map((n) => n.target.join(' '))
      .join(' | ');
    findings.push(`${label} ${v.impact} ${v.id}: ${v.help} (${v.nodes.length} nodes: ${where})`);
  }
  return findings;
}

/**
 * A passing state that a resize would end (a drag in progress): one screenshot at the current
 * size and an axe audit, without touching the viewport.
 */
export async function screenshotAsIs(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const size = page.viewportSize();
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${size?.width ?? 'page'}.png`) });
  const findings = await audit(page, `${size?.width ?? '?'}px`);
  if (findings.length > 0) throw new Error(`accessibility problems on "${name}":\n${findings.join('\n')}`);
}

/**
 * Looks at the screen as it is now at both sizes: a screenshot of each into e2e/screenshots/
 * (`name-1440.png`, `name-1024.png`), and an axe audit that fails on any serious or critical
 * finding. The page goes back to its own size afterwards.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const original = page.viewportSize();
  const findings: string[] = [];
  try {
    for (const size of SCREEN_SIZES) {
      await page.setViewportSize(size);
      // Let layout, virtualized lists and observers settle at the new size.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${size.width}.png`) });
      // One audit per screen (at the first size): the markup is the same at both, and axe costs
      // seconds a screen on the shared CI cores; the screenshots show each size's layout.
      if (size === SCREEN_SIZES[0]) findings.push(...(await audit(page, `${size.width}px`)));
    }
  } finally {
    if (original) await page.setViewportSize(original);
  }
  if (findings.length > 0) throw new Error(`accessibility problems on "${name}":\n${[...new Set(findings)].join('\n')}`);
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

/** RFC 4180 CSV (as the app exports it) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** A download's text. */
export async function downloadedText(download: import('playwright-core').Download): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await download.createReadStream()) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
