import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost } from '../src/main/browserHost/server.js';
import { startFaultProxy, type FaultProxy } from '../test/sync/faultProxy.js';
import { hasChromium, NO_CHROMIUM } from './chromium.js';
import {
  allowingConsoleErrors,
  COORDINATOR,
  openApp,
  openSyncedApps,
  screenshot,
  signIn,
  watchPage,
  type AppClient,
  type SyncedApps,
} from './harness.js';

if (!hasChromium) console.warn(NO_CHROMIUM);

// What the page says about its connections: to the server (offline, first sync) and to the
// app's own host process (gone, or a tab from an earlier run).

/** What the browser logs when a page's host has gone: refused connections, failed loads. */
const HOST_GONE_NOISE = [/ERR_CONNECTION_REFUSED/, /WebSocket connection to .* failed/, /Failed to load resource/];

describe.skipIf(!hasChromium)('connections: server offline, first sync, host gone, stale address', () => {
  let env: SyncedApps<'main'>;
  let app: AppClient;

  beforeAll(async () => {
    env = await openSyncedApps({ main: 'a' });
    app = env.apps.main;
  });
  afterAll(() => env?.close());

  it('notices within a few seconds that the server stopped, and that it came back', async () => {
    const { page } = app;
    const phase = page.getByTestId('sync-phase');
    expect(await phase.textContent()).toBe('Online');
    const stoppedAt = Date.now();
    await env.stack.stopServer();
    await expect.poll(() => phase.textContent(), { timeout: 6_000, interval: 200 }).toBe('Offline');
    expect(Date.now() - stoppedAt).toBeLessThan(6_000);
    await screenshot(page, '40-offline');
    await env.stack.restartServer();
    await expect.poll(() => phase.textContent(), { timeout: 20_000, interval: 250 }).toBe('Online');
  });

  it('sign-in problems read as plain words next to their field, never as field keys or validation text', async () => {
    const fresh = await openApp(env.browser, env.stack, 'signin-words');
    try {
      const { page } = fresh;
      await page.getByRole('button', { name: 'Sign in' }).click();
      const email = page.getByLabel('Email');
      await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
      const emailProblem = page.locator(`[id="${await email.getAttribute('aria-describedby')}"]`);
      expect(await emailProblem.textContent()).toBe('Enter your email address.');

      await page.getByLabel('Server address').fill('ftp://example.org');
      await email.fill(COORDINATOR.email);
      await page.getByLabel('Password').fill(COORDINATOR.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const server = page.getByLabel('Server address');
      await expect.poll(() => server.getAttribute('aria-invalid')).toBe('true');
      const serverProblem = page.locator(`[id="${await server.getAttribute('aria-describedby')}"]`);
      expect(await serverProblem.textContent()).toMatch(/^Enter the server’s address, starting with https:\/\//);
      expect(await page.locator('body').textContent()).not.toMatch(/email:|serverUrl:|password:|is required|must be an http/);
      await screenshot(page, '46-sign-in-problem');
    } finally {
      await fresh.close();
    }
  });

  it('a first sync shows its real progress, never "No one matches" or "All changes synced", also when it stalls offline', async () => {
    let proxy: FaultProxy | null = null;
    let fresh: AppClient | null = null;
    try {
      // Slow pages, so the first download is still running while the screens are read.
      proxy = await startFaultProxy(env.stack.serverUrl, { dropChunk: 0, badGateway: 0, maxDelayMs: 60, seed: 7 });
      fresh = await openApp(env.browser, env.stack, 'fresh', undefined, { serverUrl: proxy.url });
      const { page } = fresh;
      await signIn(page);
      await expect.poll(() => fresh!.status().progress?.rowsApplied ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);
      const first = page.getByTestId('first-sync');
      await first.waitFor();
      expect(await first.textContent()).toMatch(/first/i);
      expect(await page.locator('main').textContent()).not.toMatch(/No one matches/);
      expect(await page.getByTestId('pending-count').textContent()).not.toBe('All changes synced');
      expect(await page.getByTestId('sync-panel').textContent()).not.toMatch(/0 received · 0 to go · page 0/);
      await expect.poll(() => first.textContent()).toMatch(/[1-9][\d,]* (records|rows) received/);
      await screenshot(page, '41-first-sync');

      // The server goes away halfway: the page says the first download is waiting for it.
      await proxy.close();
      proxy = null;
      await expect.poll(() => first.textContent(), { timeout: 20_000 }).toMatch(/continues|paused|waiting/i);
      expect(await page.locator('main').textContent()).not.toMatch(/No one matches/);
      expect(await page.getByTestId('pending-count').textContent()).not.toBe('All changes synced');
      await screenshot(page, '42-first-sync-offline');
    } finally {
      await fresh?.close();
      await proxy?.close();
    }
  });

  it('when the app’s host stops, the page says the connection is lost instead of "Online", and a restarted host makes it say to open the new address', async () => {
    const { page, host } = app;
    const dataDir = host.core.dataDir;
    const port = host.port;
    await allowingConsoleErrors(HOST_GONE_NOISE, async () => {
      await host.close();
      const lost = page.getByTestId('host-connection');
      await lost.waitFor({ timeout: 5_000 });
      expect(await lost.textContent()).toMatch(/Lost the connection to the app/);
      expect(await page.getByTestId('sync-phase').textContent()).not.toBe('Online');
      await screenshot(page, '43-host-gone');

      // The app is started again: same address, new key. This tab's key no longer opens it.
      const again = await startBrowserHost({ port, dataDir, serverUrl: env.stack.serverUrl });
      try {
        const expired = page.getByTestId('host-expired');
        await expired.waitFor({ timeout: 15_000 });
        expect(await expired.textContent()).toMatch(/address the app printed/);
        await screenshot(page, '44-host-restarted');
      } finally {
        await again.close();
      }
    });
  });

  it('a tab opened with a stale or missing key says what happened and what to do instead of "Starting…"', async () => {
    const host = await startBrowserHost({ port: 0, dataDir: `${env.stack.root}/app-stale`, serverUrl: env.stack.serverUrl });
    const context = await env.browser.newContext();
    try {
      const page = await context.newPage();
      watchPage(page, 'stale');
      await page.goto(`http://127.0.0.1:${host.port}/#token=left-over-from-yesterday`);
      const expired = page.getByTestId('host-expired');
      await expired.waitFor({ timeout: 5_000 });
      expect(await expired.textContent()).toMatch(/address the app printed/);
      expect(await page.locator('body').textContent()).not.toMatch(/Starting…/);
      await screenshot(page, '45-stale-address');

      const bare = await context.newPage();
      watchPage(bare, 'no-key');
      await bare.goto(`http://127.0.0.1:${host.port}/`);
      await bare.getByTestId('host-expired').waitFor({ timeout: 5_000 });
    } finally {
      await context.close();
      await host.close();
    }
  });
});
