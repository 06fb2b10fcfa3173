import { net, powerMonitor } from 'electron';

// The OS's view of the network. Electron has no "online changed" event in the main process,
// so it is polled (cheap) and re-checked at once when the laptop wakes or unlocks, which is
// exactly when a coordinator comes back to a network. The core adds server reachability.

const POLL_MS = 5_000;

export function watchNetwork(onChange: (online: boolean) => void): () => void {
  let last: boolean | null = null;
  const check = (): void => {
    const online = net.isOnline();
    if (online !== last) {
      last = online;
      onChange(online);
    }
  };
  check();
  const timer = setInterval(check, POLL_MS);
  const wake = (): void => check();
  powerMonitor.on('resume', wake);
  powerMonitor.on('unlock-screen', wake);
  return () => {
    clearInterval(timer);
    powerMonitor.off('resume', wake);
    powerMonitor.off('unlock-screen', wake);
  };
}
