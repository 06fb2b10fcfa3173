import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, NO_CHROMIUM } from './chromium.js';
import { openSyncedApps, screenshot, serverLogin, signIn, type AppClient, type SyncedApps } from './harness.js';

if (!hasChromium) console.warn(NO_CHROMIUM);

// Issue 14 item 4 in the real app: "Sign out and remove this laptop's data" (with changes that
// cannot be sent, a confirmation naming how many), "Your devices", and a device revoked by a
// superadmin, which removes its data and tells the coordinator why.

const SUPERADMIN = { email: 'superadmin@demo.local', password: 'demo-superadmin' };

describe.skipIf(!hasChromium)('nothing left on a laptop', () => {
  let env: SyncedApps<'leaving' | 'lost'>;
  let leaving: AppClient;
  let lost: AppClient;

  beforeAll(async () => {
    env = await openSyncedApps({ leaving: 'a', lost: 'b' });
    ({ leaving, lost } = env.apps);
  });
  afterAll(() => env?.close());

  it('Settings lists the coordinator’s devices; sign-out-and-remove asks before dropping changes it could not send', async () => {
    const { page } = leaving;
    await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
    const devices = page.getByTestId('devices');
    await devices.getByText('this laptop').first().waitFor();
    await screenshot(page, '40-settings-devices');

    // A change that cannot reach the server: it is down.
    const people = await leaving.call('people.search', { query: '', roles: [], origins: [], sort: 'name', limit: 1, after: null });
    const member = people.items[0]!.id;
    await env.stack.stopServer();
    try {
      await leaving.call('action.record', { userId: member, actionType: 'posted_reply', occurredAt: new Date().toISOString() });

      await page.getByRole('button', { name: 'Sign out and remove this laptop’s data' }).click();
      const dialog = page.getByRole('dialog', { name: 'Remove changes not yet sent?' });
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain('1 change has not reached the server');
      await screenshot(page, '41-remove-data-confirm');
      await dialog.getByRole('button', { name: 'Remove them too' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(await leaving.call('people.count', { query: '', roles: [], origins: [] })).toEqual({ count: 0 });
      expect(leaving.status().pending).toBe(0);
    } finally {
      await env.stack.restartServer();
    }
  });

  it('a device revoked by a superadmin removes its data at its next contact and says why on the sign-in screen', async () => {
    const { page } = lost;
    const { clientId } = await lost.call('settings.get', {});
    const token = await serverLogin(env.stack.serverUrl, SUPERADMIN);
    const r = await fetch(`${env.stack.serverUrl}/v1/admin/devices/${clientId}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(r.status).toBe(204);

    await lost.call('sync.now', {});
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const notice = page.getByTestId('notice');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('An administrator signed this laptop out');
    await screenshot(page, '42-device-revoked');
    expect(await lost.call('people.count', { query: '', roles: [], origins: [] })).toEqual({ count: 0 });

    // Dismissed, it goes; signing in again starts afresh as a new device.
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    await notice.waitFor({ state: 'detached' });
    await signIn(page);
    expect((await lost.call('auth.status', {})).signedIn).toBe(true);
  });
});
