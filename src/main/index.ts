// The Electron main process entry (electron-vite builds it to out/main/index.js). Kept thin:
// the host wiring lives in ./electron, the app itself in ./core.
import { runElectronHost } from './electron/host.js';

runElectronHost();
