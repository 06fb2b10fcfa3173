import { beforeAll, describe, expect, it, vi } from 'vitest';
import { fake, ipcRenderer } from '../main/electron/testing/fakeElectron.js';
import { ELECTRON_CALL_CHANNEL, ELECTRON_EVENT_CHANNEL } from '../shared/electronIpc.js';
import type { AfhApi } from '../shared/ipc.js';

// The preload under Node with the recording fake in place of `electron`: what it gives the
// page (window.afh and nothing else) and what it lets through to the main process.

vi.mock('electron', () => import('../main/electron/testing/fakeElectron.js'));

let afh: AfhApi;
beforeAll(async () => {
  fake.reset();
  await import('./index.js');
  afh = fake.exposed.get('afh') as AfhApi;
});

describe('the preload', () => {
  it('exposes exactly window.afh, with call, on and host "electron"', () => {
    expect([...fake.exposed.keys()]).toEqual(['afh']);
    expect(Object.keys(afh).sort()).toEqual(['call', 'host', 'on']);
    expect(afh.host).toBe('electron');
  });

  it('sends a contract channel to the main process on the one call channel', async () => {
    fake.invokeAnswer = () => ({ ok: true, data: { count: 3 } });
    expect(await afh.call('people.count', { query: 'maya' })).toEqual({ ok: true, data: { count: 3 } });
    expect(fake.invoked.at(-1)).toEqual({ channel: ELECTRON_CALL_CHANNEL, args: ['people.count', { query: 'maya' }] });
  });

  it('refuses a channel outside the contract without sending anything', async () => {
    const before = fake.invoked.length;
    const call = afh.call as (c: string, i: unknown) => ReturnType<AfhApi['call']>;
    expect(await call('fs.readFile', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'bad_request', field: 'channel' } });
    expect(fake.invoked.length).toBe(before);
  });

  it('delivers only the contract’s events, and a listener that throws does not stop the others', () => {
    const seen: unknown[] = [];
    afh.on('auth.changed', () => {
      throw new Error('listener bug');
    });
    afh.on('auth.changed', (p) => seen.push(p));
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    ipcRenderer.emit(ELECTRON_EVENT_CHANNEL, {}, { event: 'auth.changed', payload: { signedIn: false } });
    ipcRenderer.emit(ELECTRON_EVENT_CHANNEL, {}, { event: 'shell.exec', payload: 'rm -rf' });
    ipcRenderer.emit(ELECTRON_EVENT_CHANNEL, {}, 'not an object');
    quiet.mockRestore();
    expect(seen).toEqual([{ signedIn: false }]);
    expect(() => afh.on('shell.exec' as never, () => undefined)).toThrow(/unknown event/);
  });
});
