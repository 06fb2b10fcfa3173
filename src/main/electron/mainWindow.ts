import path from 'node:path';
import { BrowserWindow, type BrowserWindowConstructorOptions } from 'electron';
import { DEFAULT_BOUNDS, loadWindowState, trackWindowState } from './windowState.js';

// The one window. Its page gets no Node, runs sandboxed and isolated from the preload, and
// keeps the web's same-origin rules: the preload's window.afh is its only door to the app.

function mainWindowOptions(preload: string, bounds: { x?: number; y?: number; width: number; height: number }): BrowserWindowConstructorOptions {
  return {
    ...bounds,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'AfH Coordinator',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: true,
    },
  };
}

export function openMainWindow(opts: { userData: string; preload: string; url: string }): BrowserWindow {
  const stateFile = path.join(opts.userData, 'window-state.json');
  const saved = loadWindowState(stateFile);
  const bounds = saved ? { x: saved.x, y: saved.y, width: saved.width, height: saved.height } : DEFAULT_BOUNDS;
  const w = new BrowserWindow(mainWindowOptions(opts.preload, bounds));
  if (saved?.maximized) w.maximize();
  trackWindowState(w, stateFile);
  w.once('ready-to-show', () => w.show());
  void w.loadURL(opts.url);
  return w;
}
