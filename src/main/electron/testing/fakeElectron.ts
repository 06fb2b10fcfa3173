import { EventEmitter } from 'node:events';
import os from 'node:os';

// A small, recording stand-in for the parts of `electron` the host uses, so the host's own
// logic runs under Node in `npm test` (the real module needs the Electron binary, which a
// build machine does not have: from Electron 42 a bare require('electron') under Node tries
// to download it). Tests load it with
//   vi.mock('electron', () => import('./testing/fakeElectron.js'))
// and read what the host did from `fake`. Each piece is typed against Electron's own
// definitions where it stands in for one, so the fake cannot drift from the real signatures
// the host relies on. It fakes behaviour only as far as the host needs: no windows open,
// nothing is encrypted (safeStorage marks its "ciphertext" so a test can tell it apart).

type Handler = (...args: never[]) => unknown;

class Recorder extends EventEmitter {}

interface FakeWebContents extends Recorder {
  id: number;
  sent: { channel: string; payload: unknown }[];
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null;
  send(channel: string, payload: unknown): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void;
  reload(): void;
}

let nextContentsId = 1;
function fakeWebContents(): FakeWebContents {
  const wc = new Recorder() as FakeWebContents;
  wc.id = nextContentsId++;
  wc.sent = [];
  wc.windowOpenHandler = null;
  wc.send = (channel, payload) => void wc.sent.push({ channel, payload });
  wc.setWindowOpenHandler = (h) => {
    wc.windowOpenHandler = h;
  };
  wc.reload = () => undefined;
  return wc;
}

/** What a test can inspect and steer. */
export const fake = {
  userData: os.tmpdir(),
  isPackaged: false,
  singleInstance: true,
  storageBackend: 'gnome_libsecret' as ReturnType<Electron.SafeStorage['getSelectedStorageBackend']>,
  encryptionAvailable: true,
  online: true,
  windows: [] as FakeBrowserWindow[],
  ipcHandlers: new Map<string, Handler>(),
  privilegedSchemes: [] as Electron.CustomScheme[],
  protocolHandlers: new Map<string, (request: Request) => Response | Promise<Response>>(),
  openedExternally: [] as string[],
  errorBoxes: [] as { title: string; content: string }[],
  exitCode: null as number | null,
  quitCalls: 0,
  sandboxEnabled: false,
  /** What the preload exposed to the page (contextBridge.exposeInMainWorld). */
  exposed: new Map<string, unknown>(),
  /** ipcRenderer.invoke calls the preload made. */
  invoked: [] as { channel: string; args: unknown[] }[],
  /** What the fake main process answers to ipcRenderer.invoke. */
  invokeAnswer: ((..._args: unknown[]) => ({ ok: true, data: {} })) as (...args: unknown[]) => unknown,
  session: null as unknown as FakeSession,
  ready: null as unknown as { resolve: () => void; promise: Promise<void> },
  reset(): void {
    app.removeAllListeners();
    powerMonitor.removeAllListeners();
    fake.userData = os.tmpdir();
    fake.isPackaged = false;
    fake.singleInstance = true;
    fake.storageBackend = 'gnome_libsecret';
    fake.encryptionAvailable = true;
    fake.online = true;
    fake.windows = [];
    fake.ipcHandlers.clear();
    fake.privilegedSchemes = [];
    fake.protocolHandlers.clear();
    fake.openedExternally = [];
    fake.errorBoxes = [];
    fake.exitCode = null;
    fake.quitCalls = 0;
    fake.sandboxEnabled = false;
    fake.exposed.clear();
    fake.invoked = [];
    fake.invokeAnswer = () => ({ ok: true, data: {} });
    ipcRenderer.removeAllListeners();
    fake.session = new FakeSession();
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    fake.ready = { resolve, promise };
  },
};

type PermissionRequestHandler = Parameters<Electron.Session['setPermissionRequestHandler']>[0];
type PermissionCheckHandler = Parameters<Electron.Session['setPermissionCheckHandler']>[0];
type BeforeRequestListener = (
  details: Pick<Electron.OnBeforeRequestListenerDetails, 'url' | 'resourceType' | 'webContentsId'>,
  callback: (response: Electron.CallbackResponse) => void,
) => void;
type HeadersReceivedListener = (
  details: Pick<Electron.OnHeadersReceivedListenerDetails, 'url' | 'responseHeaders'>,
  callback: (response: Electron.HeadersReceivedResponse) => void,
) => void;

class FakeSession {
  permissionRequestHandler: PermissionRequestHandler = null;
  permissionCheckHandler: PermissionCheckHandler = null;
  beforeRequest: BeforeRequestListener | null = null;
  headersReceived: HeadersReceivedListener | null = null;
  readonly webRequest = {
    onBeforeRequest: (listener: BeforeRequestListener | null): void => {
      this.beforeRequest = listener;
    },
    onHeadersReceived: (listener: HeadersReceivedListener | null): void => {
      this.headersReceived = listener;
    },
  };
  setPermissionRequestHandler(handler: PermissionRequestHandler): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler): void {
    this.permissionCheckHandler = handler;
  }
}

export const app = Object.assign(new Recorder(), {
  get isPackaged(): boolean {
    return fake.isPackaged;
  },
  getPath(name: Parameters<Electron.App['getPath']>[0]): string {
    if (name !== 'userData') throw new Error(`fake electron: app.getPath('${name}') is not faked`);
    return fake.userData;
  },
  getAppPath: (): string => process.cwd(),
  getVersion: (): string => '0.0.0-test',
  requestSingleInstanceLock: (): boolean => fake.singleInstance,
  enableSandbox(): void {
    fake.sandboxEnabled = true;
  },
  whenReady: (): Promise<void> => fake.ready.promise,
  quit(): void {
    fake.quitCalls++;
  },
  exit(code = 0): void {
    fake.exitCode = code;
  },
});

export class FakeBrowserWindow extends Recorder {
  static getAllWindows(): FakeBrowserWindow[] {
    return fake.windows.filter((w) => !w.destroyed);
  }
  readonly webContents = fakeWebContents();
  loadedUrl: string | null = null;
  destroyed = false;
  maximized = false;
  constructor(readonly options: Electron.BrowserWindowConstructorOptions) {
    super();
    fake.windows.push(this);
    // The host creates windows after 'web-contents-created' handlers are installed, as Electron does.
    app.emit('web-contents-created', {}, this.webContents);
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  show(): void {}
  focus(): void {}
  restore(): void {}
  maximize(): void {
    this.maximized = true;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isMinimized(): boolean {
    return false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getBounds(): Electron.Rectangle {
    return { x: 10, y: 10, width: 1280, height: 820 };
  }
  getNormalBounds(): Electron.Rectangle {
    return this.getBounds();
  }
}
export { FakeBrowserWindow as BrowserWindow };

export const ipcMain = {
  handle(channel: string, handler: Handler): void {
    if (fake.ipcHandlers.has(channel)) throw new Error(`fake electron: a second handler for '${channel}'`);
    fake.ipcHandlers.set(channel, handler);
  },
};

export const protocol = {
  registerSchemesAsPrivileged(schemes: Electron.CustomScheme[]): void {
    fake.privilegedSchemes.push(...schemes);
  },
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
    fake.protocolHandlers.set(scheme, handler);
  },
};

export const session = {
  get defaultSession(): FakeSession {
    return fake.session;
  },
};

export const shell = {
  openExternal(url: string): Promise<void> {
    fake.openedExternally.push(url);
    return Promise.resolve();
  },
};

export const dialog = {
  showErrorBox(title: string, content: string): void {
    fake.errorBoxes.push({ title, content });
  },
};

const MARK = Buffer.from('fake-encrypted:');
export const safeStorage = {
  getSelectedStorageBackend: (): ReturnType<Electron.SafeStorage['getSelectedStorageBackend']> => fake.storageBackend,
  isAsyncEncryptionAvailable: (): Promise<boolean> => Promise.resolve(fake.encryptionAvailable),
  encryptStringAsync(plain: string): Promise<Buffer> {
    if (!fake.encryptionAvailable) return Promise.reject(new Error('Encryption is not available.'));
    // Reversible, and visibly not the plain text: a test checks the file never holds the token as written.
    return Promise.resolve(Buffer.concat([MARK, Buffer.from(plain, 'utf8').reverse()]));
  },
  decryptStringAsync(encrypted: Buffer): Promise<Electron.DecryptStringAsyncReturnValue> {
    if (!encrypted.subarray(0, MARK.length).equals(MARK)) return Promise.reject(new Error('Error while decrypting the ciphertext'));
    return Promise.resolve({ result: Buffer.from(encrypted.subarray(MARK.length)).reverse().toString('utf8'), shouldReEncrypt: false });
  },
};

export const Menu = {
  buildFromTemplate: (template: Electron.MenuItemConstructorOptions[]) => ({ template }),
  setApplicationMenu: (): void => undefined,
};

export const net = { isOnline: (): boolean => fake.online };
export const powerMonitor = new Recorder();
export const screen = {
  getAllDisplays: (): Pick<Electron.Display, 'workArea'>[] => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
};

// The preload's side (a sandboxed renderer process): only what src/preload uses.
export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown): void {
    fake.exposed.set(key, api);
  },
};
export const ipcRenderer = Object.assign(new Recorder(), {
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    fake.invoked.push({ channel, args });
    return Promise.resolve(fake.invokeAnswer(...args));
  },
});

fake.reset();
