import { join } from 'node:path';
import type { ExportTicket } from '../../shared/contract/audit.js';
import { saveExportTo, type ExportDownload } from '../core/audit/export.js';
import type { Logger } from '../core/log.js';
import type { DispatchLike } from './ipc.js';

/** The part of Electron's dialog module this uses (the real one, bound to the window, fits). */
export interface SaveDialogLike {
  showSaveDialog(options: {
    title: string;
    defaultPath: string;
    buttonLabel: string;
    filters: { name: string; extensions: string[] }[];
  }): Promise<{ canceled: boolean; filePath?: string }>;
}

export interface DesktopExportDeps {
  dialog: SaveDialogLike;
  exports: { take(exportId: string): ExportDownload | null };
  /** the folder the dialog opens in (Documents) */
  defaultDir: () => string;
  log: Logger;
}

const FILTERS = {
  csv: { name: 'CSV (spreadsheets)', extensions: ['csv'] },
  jsonl: { name: 'JSON Lines', extensions: ['jsonl'] },
};

/**
 * Asks where to save an export prepared by `audit.export`, then streams it to that
 * file (saveExportTo: never a half file under the chosen name). Progress and the
 * end reach the screen as audit.export.progress events. Resolves to the path, or null.
 */
export async function saveExport(ticket: ExportTicket, deps: DesktopExportDeps): Promise<string | null> {
  // taken at once: the one-minute ticket must not run out while the dialog is open
  const download = deps.exports.take(ticket.exportId);
  if (!download) return null;
  try {
    const choice = await deps.dialog.showSaveDialog({
      title: 'Save the audit export',
      defaultPath: join(deps.defaultDir(), download.filename),
      buttonLabel: 'Save',
      filters: [FILTERS[ticket.format]],
    });
    if (choice.canceled || !choice.filePath) {
      download.stream.destroy(); // recorded and announced as cancelled
      return null;
    }
    await saveExportTo(download, choice.filePath);
    return choice.filePath;
  } catch (err) {
    download.stream.destroy();
    deps.log.error({ err }, 'the audit export could not be saved');
    return null;
  }
}

/**
 * The desktop's door for the IPC channel: the core's, plus the save dialog after a
 * successful `audit.export` (the renderer cannot write files; the main process can).
 */
export function withDesktopExports(dispatcher: DispatchLike, deps: DesktopExportDeps): DispatchLike {
  return {
    async dispatch(name, input, call) {
      const result = await dispatcher.dispatch(name, input, call);
      if (name === 'audit.export' && result.ok) void saveExport(result.value as ExportTicket, deps);
      return result;
    },
  };
}
