import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  powerMonitor,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
  type WebContents,
} from 'electron';
import electronUpdater from 'electron-updater';
import type { ServerEvent } from '../../shared/events.js';
import { roleAllows } from '../../shared/permissions.js';
import { createCore, type Core } from '../core/app.js';
import { PreMigrationBackupError } from '../core/backup/service.js';
import { attentionCount, conversationMode } from '../core/bot/attention.js';
import { ConfigError, loadConfig } from '../core/config.js';
import { writeFileAtomic } from '../core/fs.js';
import { SchemaTooNewError } from '../core/db/migrate.js';
import type { Principal } from '../core/dispatch.js';
import { supportInformation } from '../core/system/support.js';
import { parseUpdateFeed } from '../core/update-feed.js';
import { APP_VERSION } from '../core/version.js';
import { withDesktopExports } from './audit-export.js';
import { FrontDesk, quitQuestion, startedHidden } from './background.js';
import { AttentionBadge } from './badge.js';
import { withDesktopDocuments } from './documents.js';
import { APP_HOST, APP_SCHEME } from './channels.js';
import { OVERLAY_DOT, TRAY_ICON_16, TRAY_ICON_32 } from './icons.js';
import { pushEvent, registerIpc } from './ipc.js';
import { createElectronLogger } from './logger.js';
import { applyLoginItem } from './login-item.js';
import { applicationMenu } from './menu.js';
import { betterSqliteBinding } from './native.js';
import { kekProtection, memoryProtection } from '../core/backup/key-protection.js';
import { createDesktopNotifier, DeskNotifier, LinkLossNotifier, type NotificationDeps } from './notifier.js';
import { watchPower } from './power.js';
import { Preferences } from './preferences.js';
import { createDesktopSecretStore, desktopKeyProtection, loadKeytar } from './secret-store.js';
import { WindowSessions } from './sessions.js';
import { supportBundle, supportInformationText } from './support.js';
import { FrontDeskMenu } from './tray.js';
import { UpdateController } from './updater.js';
import { CONTENT_SECURITY_POLICY, isAllowedNavigation, mainWindowOptions, secureWebPreferences, START_URL } from './window.js';

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
let desk: FrontDesk<BrowserWindow> | null = null;

function createWindow(show: boolean): BrowserWindow {
  // The preferences are spelled out here, where electronegativity (npm test) reads them; they are the
  // same as secureWebPreferences() in window.ts, which electron-ipc.test.ts checks.
  const win = new BrowserWindow({
    ...mainWindowOptions(preloadPath),
    webPreferences: {
      ...secureWebPreferences(preloadPath),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      // middle-click would otherwise open links in a new window (denied anyway by setWindowOpenHandler)
      disableBlinkFeatures: 'Auxclick',
    },
  });
  if (show) win.once('ready-to-show', () => win.show());
  void win.loadURL(START_URL);
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  // Windows logoff or shutdown: stop the core (the WAL checkpointed) before Windows ends the process
  win.on('session-end', () => void desk?.quitNow('the Windows session ends'));
  mainWindow = win;
  return win;
}

/** Sends an event of the main process's own to the window (a screen to show), once its page has loaded. */
function tellWindow(win: BrowserWindow, viewer: Principal | null, event: ServerEvent): void {
  const send = () => pushEvent(win.webContents, viewer, event);
  if (win.webContents.isLoading()) win.webContents.once('did-finish-load', send);
  else send();
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
  const desktopLog = createElectronLogger(config.logLevel);
  const log = desktopLog.logger;
  const prefs = Preferences.load(app.getPath('userData'), log);
  const platform = process.platform;
  if (platform === 'win32') app.setAppUserModelId('law.lexdesk.desktop');
  const hidden = startedHidden(process.argv, platform === 'darwin' ? app.getLoginItemSettings() : undefined);

  // the JWT key and the backup key live in the OS keychain, or an encrypted file when there is none
  const secrets = await createDesktopSecretStore({
    loadKeytar: () => loadKeytar(appRoot, app.isPackaged),
    safeStorage,
    dir: config.secretsDir,
    log,
  });

  // who is signed in in the window decides what the desktop shows outside it
  let sessions: WindowSessions | null = null;
  const viewer = (): Principal | null => (mainWindow && sessions ? sessions.viewerOf(mainWindow.webContents.id) : null);
  const notifications: NotificationDeps = {
    isSupported: () => Notification.isSupported(),
    create: (options) => new Notification(options),
    viewer,
    log,
  };
  const showWindow = () => desk?.open();
  const openScreen = (data: Extract<ServerEvent, { type: 'desktop.open' }>['data']) => {
    const win = desk?.open();
    if (win) tellWindow(win, viewer(), { type: 'desktop.open', at: new Date().toISOString(), data });
  };

  // updates: the feed from LEXDESK_UPDATE_URL, else the preference; an installed app only
  const feed = config.updateFeed ?? (prefs.get().updateUrl ? parseUpdateFeed(prefs.get().updateUrl!) : null);
  const updates = new UpdateController({
    updater: app.isPackaged ? electronUpdater.autoUpdater : null,
    version: APP_VERSION,
    feed,
    supported: app.isPackaged,
    busy: () => core?.services.activity.busy() ?? [],
    beforeInstall: () => desk?.stopForUpdate() ?? Promise.resolve(),
    onChange: (status) => {
      if (core?.running) core.services.events.emit('system.update', status);
    },
    lastCheck: {
      get: () => prefs.get().lastUpdateCheckAt,
      set: (at) => void prefs.update({ lastUpdateCheckAt: at }),
    },
    log: log.child({ component: 'updates' }),
    configFile: join(app.getPath('userData'), 'app-update.yml'),
  });

  // the backup key: protected by the keychain; on a desktop without one, asked after each restart
  const backupKeyProtection = desktopKeyProtection(secrets, config.backupKek ? kekProtection(config.backupKek) : memoryProtection);
  core = createCore(config, {
    log,
    nativeBinding: betterSqliteBinding(appRoot, app.isPackaged),
    secrets,
    notifier: createDesktopNotifier({ ...notifications, onClick: () => openScreen({ screen: 'overview' }) }),
    updates,
    backupKeyProtection,
  });
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
  const started = core;

  protocol.handle(APP_SCHEME, serveRenderer);
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  // the window closes into the background; Quit asks first and stops the core cleanly
  desk = new FrontDesk({
    app,
    window: () => mainWindow,
    createWindow: () => createWindow(true),
    core: started,
    preferences: prefs,
    signedInUser: () => viewer()?.userId ?? null,
    confirmQuit: async () => {
      const options = quitQuestion();
      const answer = mainWindow?.isVisible() ? await dialog.showMessageBox(mainWindow, options) : await dialog.showMessageBox(options);
      return { quit: answer.response === 0, dontAskAgain: answer.checkboxChecked };
    },
    notify: (notice) => {
      if (Notification.isSupported()) new Notification(notice).show();
    },
    log,
  });
  desk.install();

  // start with the computer (installed app only: a run from the sources would register Electron itself)
  const startAtLogin = {
    get: () => prefs.get().openAtLogin,
    set: (enabled: boolean) => {
      void prefs.update({ openAtLogin: enabled });
      if (app.isPackaged) {
        void applyLoginItem(enabled, {
          platform,
          app,
          executable: process.env.APPIMAGE ?? process.execPath,
          autostartDir: join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'autostart'),
        }).catch((err: unknown) => log.warn({ err }, 'could not change the start with the computer'));
      }
      frontDeskMenu.refresh();
      Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenu(menuActions)));
    },
  };
  // each window's tokens stay here in the main process; the renderer holds none
  const documentStore = started.services.documents.store;
  const windowSessions = new WindowSessions(started.dispatcher);
  sessions = windowSessions;
  const tray = platform === 'darwin' ? null : new Tray(nativeImage.createFromDataURL(platform === 'win32' ? TRAY_ICON_16 : TRAY_ICON_32));
  const frontDeskMenu = new FrontDeskMenu({
    tray,
    dock: platform === 'darwin' && app.dock ? app.dock : null,
    buildMenu: (template) => Menu.buildFromTemplate(template),
    open: showWindow,
    quit: () => void desk?.requestQuit(),
    call: (operation, input) =>
      mainWindow ? windowSessions.dispatchAs(mainWindow.webContents.id, operation, input) : Promise.resolve({ ok: false, error: { code: 'unauthenticated', message: 'Open LexDesk and sign in first.' } }),
    mayPause: () => {
      const who = viewer();
      return who !== null && !who.allowedOperations && roleAllows(who.role, 'whatsapp.manage');
    },
    startAtLogin,
    tell: (message) => void dialog.showMessageBox({ type: 'info', title: 'LexDesk', message }),
    initial: { link: started.services.whatsapp.status().state, answering: started.services.bot.answering },
  });

  const supportDeps = {
    information: () => supportInformation(started.services),
    update: () => updates.status(),
    recentErrors: () => desktopLog.recentErrors.list(),
    logsDir: desktopLog.dir(),
  };
  const menuActions = {
    platform,
    developer: !app.isPackaged,
    about: () => openScreen({ screen: 'about' }),
    quit: () => void desk?.requestQuit(),
    openLogsFolder: () => void shell.openPath(desktopLog.dir()),
    copySupportInformation: () =>
      void supportInformationText(supportDeps).then(
        (text) => clipboard.writeText(text),
        (err: unknown) => log.warn({ err }, 'the support information could not be read'),
      ),
    exportSupportBundle: () =>
      void (async () => {
        const bundle = await supportBundle(supportDeps);
        const choice = await dialog.showSaveDialog({
          title: 'Export a support bundle',
          defaultPath: join(app.getPath('documents'), bundle.fileName),
          buttonLabel: 'Export',
          filters: [{ name: 'Zip archive', extensions: ['zip'] }],
        });
        if (choice.canceled || !choice.filePath) return;
        await writeFileAtomic(choice.filePath, bundle.data, 0o600);
        shell.showItemInFolder(choice.filePath);
      })().catch((err: unknown) => log.warn({ err }, 'the support bundle could not be written')),
    checkForUpdates: () => void updates.check(),
    startAtLogin,
  };
  Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenu(menuActions)));
  // the choice is applied at every start (on by default), so a moved or updated app stays registered
  if (app.isPackaged) startAtLogin.set(prefs.get().openAtLogin);

  // staff hear of hand-offs and waiting clients, and see the count on the dock or taskbar
  const deskNotifier = new DeskNotifier({
    ...notifications,
    modeOf: (id) => conversationMode(started.services.store, id),
    openConversation: (conversationId) => openScreen({ screen: 'inbox', conversationId }),
  });
  const linkLoss = new LinkLossNotifier({ ...notifications, onClick: () => openScreen({ screen: 'whatsapp' }) });
  const badge = new AttentionBadge({
    platform,
    app,
    window: () => mainWindow,
    overlay: () => nativeImage.createFromDataURL(OVERLAY_DOT),
    count: () => attentionCount(started.services.store).total,
    viewer,
    log,
  });

  registerIpc({
    ipcMain,
    dispatcher: withDesktopDocuments(
      withDesktopExports(started.dispatcher, {
        dialog: {
          showSaveDialog: (options) => (mainWindow ? dialog.showSaveDialog(mainWindow, options) : dialog.showSaveDialog(options)),
        },
        exports: started.services.auditRecords.exports,
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
    callContextFor: (id) => windowSessions.callContextFor(id),
    afterCall: (id, operation, result) => {
      const answer = windowSessions.afterCall(id, operation, result);
      // signing in or out changes what the tray offers and what the badge counts
      if (operation.startsWith('auth.')) {
        frontDeskMenu.refresh();
        badge.schedule();
      }
      return answer;
    },
  });
  started.services.events.subscribe((event) => {
    for (const win of BrowserWindow.getAllWindows()) {
      pushEvent(win.webContents, windowSessions.viewerOf(win.webContents.id), event);
    }
    frontDeskMenu.onEvent(event);
    deskNotifier.onEvent(event);
    linkLoss.onEvent(event);
    badge.onEvent(event);
  });
  app.on('web-contents-created', (_event, contents) => {
    const id = contents.id;
    contents.once('destroyed', () => void windowSessions.closed(id));
  });

  // sleep, wake and shutdown
  watchPower({
    powerMonitor,
    power: started.services.power,
    shutdown: () => desk?.quitNow('the computer shuts down') ?? Promise.resolve(),
    log,
  });

  // started with the computer: no window until someone opens it from the tray
  const win = createWindow(!hidden);
  desk.manage(win);
  if (hidden) log.info({}, 'started with the computer; the window stays hidden');

  updates.start();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => void desk?.open());
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  app.whenReady().then(boot, (err: unknown) => {
    dialog.showErrorBox('LexDesk cannot start', String(err));
    app.exit(1);
  });
}
