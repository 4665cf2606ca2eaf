import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Result } from '../../shared/errors.js';
import type { DocumentStore } from '../core/documents/store.js';
import type { Logger } from '../core/log.js';
import type { DispatchLike } from './ipc.js';

/** The part of Electron's dialog module this uses (the real one, bound to the window, fits). */
export interface OpenDialogLike {
  showOpenDialog(options: { title: string; buttonLabel: string; properties: ('openFile')[] }): Promise<{ canceled: boolean; filePaths: string[] }>;
}

export interface DesktopDocumentsDeps {
  dialog: OpenDialogLike;
  documents: () => DocumentStore;
  log: Logger;
}

const CANCELLED: Result<never> = { ok: false, error: { code: 'conflict', message: 'No file was chosen.', details: { reason: 'cancelled' } } };

/**
 * The desktop's door for documents, around the core's:
 *
 * - `documents.upload` (and `imports.upload`, a list of parties; `imports.chatUpload`, an exported chat) from the screen opens the main process's file dialog; the
 *   chosen file is streamed from the disk into the store through the same door
 *   call (which checks the caller before a byte is read). The renderer never
 *   reads the file.
 * - `documents.open`, once the door has let the call in and recorded it, carries
 *   the bytes back (the desktop has no HTTP route to stream them from).
 */
export function withDesktopDocuments(dispatcher: DispatchLike, deps: DesktopDocumentsDeps): DispatchLike {
  return {
    async dispatch(name, input, call) {
      if ((name === 'documents.upload' || name === 'imports.upload' || name === 'imports.chatUpload') && !call.upload) {
        const title =
          name === 'imports.upload'
            ? 'Choose the list of parties (CSV or JSON)'
            : name === 'imports.chatUpload'
              ? 'Choose the exported chat (.txt, or .zip with media)'
              : 'Choose a file to send';
        const choice = await deps.dialog.showOpenDialog({ title, buttonLabel: 'Choose', properties: ['openFile'] });
        const path = choice.filePaths[0];
        if (choice.canceled || !path) return CANCELLED;
        let size: number;
        try {
          size = (await stat(path)).size;
        } catch (err) {
          deps.log.warn({ err }, 'the chosen file cannot be read');
          return { ok: false, error: { code: 'invalid_input', message: 'That file cannot be read. Choose another one.', details: { reason: 'no_file' } } };
        }
        const stream = createReadStream(path);
        const fileName = basename(path);
        try {
          return await dispatcher.dispatch(name, { ...(input as object), fileName, size }, { ...call, upload: { stream, fileName, size } });
        } finally {
          stream.destroy();
        }
      }
      const result = await dispatcher.dispatch(name, input, call);
      if (name === 'documents.open' && result.ok) {
        const value = result.value as { document: { id: number } };
        try {
          const { data } = await deps.documents().readAll(value.document.id);
          return { ok: true, value: { ...value, base64: data.toString('base64') } };
        } catch (err) {
          deps.log.error({ err }, 'a document could not be read for the screen');
          return { ok: false, error: { code: 'internal', message: 'The document could not be read from the document store.' } };
        }
      }
      return result;
    },
  };
}
