// The desktop window's preload. It runs sandboxed, so it may require only 'electron'
// and must stay self-contained. It exposes exactly two functions and nothing of
// ipcRenderer itself.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

const IPC_INVOKE = 'lexdesk:invoke';
const IPC_EVENT = 'lexdesk:event';

contextBridge.exposeInMainWorld('lexdesk', {
  invoke(operation: string, input: unknown): Promise<unknown> {
    if (typeof operation !== 'string') return Promise.reject(new TypeError('operation must be a string'));
    return ipcRenderer.invoke(IPC_INVOKE, operation, input);
  },
  subscribe(listener: (event: unknown) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
});
