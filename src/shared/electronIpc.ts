// The two ipcMain/ipcRenderer channels the Electron host uses to carry the whole contract:
// one invoke channel for calls (the contract's channel name travels as its first argument)
// and one for the core's events. Nothing else crosses between preload and main.
export const ELECTRON_CALL_CHANNEL = 'afh:call';
export const ELECTRON_EVENT_CHANNEL = 'afh:event';
