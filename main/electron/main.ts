import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, protocol, safeStorage, session, type WebContents } from 'electron';
import electronUpdater from 'electron-updater';
import { createCore, type Core } from '../core/app.js';
import { PreMigrationBackupError } from '../core/backup/service.js';
import { ConfigError, loadConfig } from '../core/config.js';
import { SchemaTooNewError } from '../core/db/migrate.js';
import { withDesktopExports } from './audit-export.js';
import { withDesktopDocuments } from './documents.js';
import { APP_HOST, APP_SCHEME } from './channels.js';
import { pushEvent, registerIpc } from './ipc.js';
import { createElectronLogger } from './logger.js';
import { betterSqliteBinding } from './native.js';
import { createDesktopSecretStore, loadKeytar } from './secret-store.js';
import { WindowSessions } from './sessions.js';
import { createDesktopNotifier } from './notifier.js';
import { CONTENT_SECURITY_POLICY, isAllowedNavigation, mainWindowOptions, START_URL } from './window.js';

const here = dirname(fileURLToPath(import.meta.url));
const appRoot = join(here, '..', '..', '..');
const rendererRoot = join(appRoot, 'dist', 'renderer');
const preloadPath = join(here, 'preload.cjs');

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** app://lexdesk/<path> → dist/renderer/<path>, never outside it. */
async function serveRenderer(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.host !== APP_HOST) return new Response('not found', { status: 404 });
  const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
  const file = normalize(join(rendererRoot, relative));
  if (!file.startsWith(rendererRoot + sep)) return new Response('not found', { status: 404 });
  try {
    const body = await readFile(file);
    return new Response(body, {
      headers: {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
      },
    });
  } catch {
    return new Response('not found', { status: 404 });
  }
}

function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

let core: Core | null = null;
let mainWindow: BrowserWindow | null = null;

function createWindow(): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(preloadPath));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(START_URL);
  return win;
}

async function boot(): Promise<void> {
  let config;
  try {
    config = loadConfig({ face: 'desktop', envFile: null });
  } catch (err) {
    if (err instanceof ConfigError) {
      dialog.showErrorBox('LexDesk cannot start', `Configuration error: ${err.message}`);
      app.exit(2);
      return;
    }
    throw err;
  }
  const log = createElectronLogger(config.logLevel);
  // the JWT key and the backup key live in the OS keychain, or an encrypted file when there is none
  const secrets = await createDesktopSecretStore({
    loadKeytar: () => loadKeytar(appRoot, app.isPackaged),
    safeStorage,
    dir: config.secretsDir,
    log,
  });
  const notifier = createDesktopNotifier(() => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  core = createCore(config, { log, nativeBinding: betterSqliteBinding(appRoot, app.isPackaged), secrets, notifier });
  try {
    await core.start();
  } catch (err) {
    const message =
      err instanceof SchemaTooNewError || err instanceof PreMigrationBackupError
        ? err.message
        : `The database could not be opened: ${(err as Error).message}`;
    log.error({ err }, 'start failed');
    dialog.showErrorBox('LexDesk cannot start', message);
    app.exit(1);
    return;
  }

  protocol.handle(APP_SCHEME, serveRenderer);
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  // each window's tokens stay here in the main process; the renderer holds none
  const sessions = new WindowSessions(core.dispatcher);
  const documentStore = core.services.documents.store;
  registerIpc({
    ipcMain,
    dispatcher: withDesktopDocuments(
      withDesktopExports(core.dispatcher, {
        dialog: {
          showSaveDialog: (options) => (mainWindow ? dialog.showSaveDialog(mainWindow, options) : dialog.showSaveDialog(options)),
        },
        exports: core.services.auditRecords.exports,
        defaultDir: () => app.getPath('documents'),
        log,
      }),
      {
        dialog: {
          showOpenDialog: (options) => (mainWindow ? dialog.showOpenDialog(mainWindow, options) : dialog.showOpenDialog(options)),
        },
        documents: () => documentStore,
        log,
      },
    ),
    callContextFor: (id) => sessions.callContextFor(id),
    afterCall: (id, operation, result) => sessions.afterCall(id, operation, result),
  });
  core.services.events.subscribe((event) => {
    for (const win of BrowserWindow.getAllWindows()) {
      pushEvent(win.webContents, sessions.viewerOf(win.webContents.id), event);
    }
  });
  app.on('web-contents-created', (_event, contents) => {
    const id = contents.id;
    contents.once('destroyed', () => void sessions.closed(id));
  });

  mainWindow = createWindow();
  mainWindow.on('closed', () => {
    mainWindow = null;
  });

  if (app.isPackaged) {
    const { autoUpdater } = electronUpdater;
    autoUpdater.logger = null;
    autoUpdater.checkForUpdatesAndNotify().catch((err: unknown) => log.warn({ err }, 'update check failed'));
  }
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (core?.running && BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !core?.running) return;
    event.preventDefault();
    quitting = true;
    void core.stop().finally(() => app.quit());
  });
  app.whenReady().then(boot, (err: unknown) => {
    dialog.showErrorBox('LexDesk cannot start', String(err));
    app.exit(1);
  });
}
