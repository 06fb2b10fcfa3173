import { BrowserWindow, ipcMain } from 'electron';
import { ELECTRON_CALL_CHANNEL, ELECTRON_EVENT_CHANNEL } from '../../shared/electronIpc.js';
import type { Channel, IpcResult } from '../../shared/ipc.js';
import type { Core } from '../core/coreApi.js';
import { EVENT_NAMES } from '../core/events.js';
import { isTrustedFrame, type AppOrigin } from '../ipc/senderOrigin.js';

// The IPC door: calls come in on one channel and are served only for the app's own top-level
// page (not an iframe, not a page that got navigated elsewhere); the core's events go out to
// every window. The core's dispatch validates each call's channel and input.

export function openIpcDoor(core: Core, origin: AppOrigin): void {
  ipcMain.handle(ELECTRON_CALL_CHANNEL, async (event, channel: unknown, input: unknown): Promise<IpcResult<Channel>> => {
    if (!isTrustedFrame(event.senderFrame, origin)) {
      return { ok: false, error: { code: 'unauthorized', message: 'Calls are accepted only from the app’s own page.' } };
    }
    return core.dispatch(channel, input);
  });
  for (const name of EVENT_NAMES) {
    core.on(name, (payload) => {
      for (const w of BrowserWindow.getAllWindows()) {
        if (!w.isDestroyed()) w.webContents.send(ELECTRON_EVENT_CHANNEL, { event: name, payload });
      }
    });
  }
}
