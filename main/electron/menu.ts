/// <reference types="electron" />
/** What the application menu's own items do (main.ts binds them to Electron and the core). */
export interface AppMenuActions {
  platform: NodeJS.Platform;
  /** a build from the sources: the developer tools are in the View menu */
  developer: boolean;
  about: () => void;
  quit: () => void;
  openLogsFolder: () => void;
  copySupportInformation: () => void;
  exportSupportBundle: () => void;
  checkForUpdates: () => void;
  startAtLogin: { get(): boolean; set(enabled: boolean): void };
}

/**
 * The application menu: the standard roles (Edit, View with zoom, Window) and
 * Help with the logs folder, the support information and the support bundle.
 * Closing the window hides it (LexDesk keeps answering); Quit asks first.
 */
export function applicationMenu(actions: AppMenuActions): Electron.MenuItemConstructorOptions[] {
  const mac = actions.platform === 'darwin';
  const startAtLogin: Electron.MenuItemConstructorOptions = {
    id: 'start-at-login',
    label: 'Start with the Computer',
    type: 'checkbox',
    checked: actions.startAtLogin.get(),
    click: (item) => actions.startAtLogin.set(item.checked),
  };
  const quit: Electron.MenuItemConstructorOptions = { id: 'quit', label: mac ? 'Quit LexDesk' : 'Quit', accelerator: 'CmdOrCtrl+Q', click: () => actions.quit() };
  const about: Electron.MenuItemConstructorOptions = { id: 'about', label: 'About LexDesk', click: () => actions.about() };
  const updates: Electron.MenuItemConstructorOptions = { id: 'check-updates', label: 'Check for Updates…', click: () => actions.checkForUpdates() };

  const menu: Electron.MenuItemConstructorOptions[] = [];
  if (mac) {
    menu.push({
      label: 'LexDesk',
      submenu: [about, updates, { type: 'separator' }, startAtLogin, { type: 'separator' }, { role: 'services' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, quit],
    });
  }
  menu.push({
    label: 'File',
    submenu: mac ? [{ role: 'close', label: 'Close Window' }] : [startAtLogin, { type: 'separator' }, { role: 'close', label: 'Close Window' }, quit],
  });
  menu.push({ role: 'editMenu' });
  menu.push({
    label: 'View',
    submenu: [
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(actions.developer ? ([{ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' }] satisfies Electron.MenuItemConstructorOptions[]) : []),
    ],
  });
  menu.push({ role: 'windowMenu' });
  menu.push({
    role: 'help',
    submenu: [
      { id: 'logs', label: 'Open the Logs Folder', click: () => actions.openLogsFolder() },
      { id: 'copy-support', label: 'Copy Support Information', click: () => actions.copySupportInformation() },
      { id: 'support-bundle', label: 'Export a Support Bundle…', click: () => actions.exportSupportBundle() },
      ...(mac ? [] : ([{ type: 'separator' }, updates, about] satisfies Electron.MenuItemConstructorOptions[])),
    ],
  });
  return menu;
}
