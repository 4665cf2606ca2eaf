import type { Result } from '../../../shared/errors.js';
import type { ServerEvent } from '../../../shared/events.js';
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
  };
}
