/// <reference types="electron" />
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/fs.js';
import { HIDDEN_ARG } from './background.js';

export interface LoginItemDeps {
  platform: NodeJS.Platform;
  app: Pick<Electron.App, 'setLoginItemSettings'>;
  /** the program to start: the AppImage itself when run from one (process.env.APPIMAGE), else process.execPath */
  executable: string;
  /** Linux: the XDG autostart folder (~/.config/autostart) */
  autostartDir: string;
}

/** The XDG autostart entry that starts LexDesk hidden when this user signs in (Linux desktops). */
export function autostartEntry(executable: string): string {
  const quoted = /[\s"'\\]/.test(executable) ? `"${executable.replace(/(["\\`$])/g, '\\$1')}"` : executable;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=LexDesk',
    'Comment=Keeps the office answering clients on WhatsApp',
    `Exec=${quoted} ${HIDDEN_ARG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * Starts LexDesk with the computer, hidden, or stops doing so. Windows and macOS:
 * Electron's login item (`app.setLoginItemSettings`, with `--hidden`); Linux has
 * none, so an XDG autostart entry in ~/.config/autostart does the same.
 */
export async function applyLoginItem(enabled: boolean, deps: LoginItemDeps): Promise<void> {
  if (deps.platform === 'linux') {
    const file = join(deps.autostartDir, 'lexdesk.desktop');
    if (enabled) {
      await mkdir(deps.autostartDir, { recursive: true });
      await writeFileAtomic(file, autostartEntry(deps.executable), 0o644);
    } else {
      await rm(file, { force: true });
    }
    return;
  }
  deps.app.setLoginItemSettings({ openAtLogin: enabled, args: [HIDDEN_ARG] });
}
