import type { Result } from '../../../shared/errors.js';
import type { ServerEvent } from '../../../shared/events.js';
import type { OutputOf } from '../../../shared/contract/index.js';
import { unwrap, type Api } from './api.js';

/** What the desktop preload exposes on `window.lexdesk`, and nothing more. */
export interface LexDeskBridge {
  invoke(operation: string, input: unknown): Promise<Result<unknown>>;
  subscribe(listener: (event: ServerEvent) => void): () => void;
}

declare global {
  interface Window {
    lexdesk?: LexDeskBridge;
  }
}

export function createIpcApi(bridge: LexDeskBridge): Api {
  return {
    transport: 'ipc',
    async call(name, input) {
      return unwrap(await bridge.invoke(name, input)) as never;
    },
    subscribe(listener) {
      return bridge.subscribe(listener);
    },
    files: {
      async fetch(documentId, disposition) {
        // the desktop's door answers with the bytes (main/electron/documents.ts)
        const opened = unwrap(await bridge.invoke('documents.open', { documentId, disposition })) as OutputOf<'documents.open'>;
        const bytes = Uint8Array.from(atob(opened.base64 ?? ''), (c) => c.charCodeAt(0));
        return { blob: new Blob([bytes], { type: opened.contentType }), fileName: opened.document.fileName };
      },
      async upload(target) {
        // the main process shows its file dialog and streams the chosen file into the store
        const result = await bridge.invoke('documents.upload', target);
        if (!result.ok && (result.error.details as { reason?: string } | undefined)?.reason === 'cancelled') return null;
        return unwrap(result) as never;
      },
      async uploadImport() {
        const result = await bridge.invoke('imports.upload', {});
        if (!result.ok && (result.error.details as { reason?: string } | undefined)?.reason === 'cancelled') return null;
        return unwrap(result) as never;
      },
      async uploadChat(target) {
        const result = await bridge.invoke('imports.chatUpload', target);
        if (!result.ok && (result.error.details as { reason?: string } | undefined)?.reason === 'cancelled') return null;
        return unwrap(result) as never;
      },
    },
  };
}
