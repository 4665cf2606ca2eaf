import type { Api } from './api.js';
import { createHttpApi } from './http.js';
import { createIpcApi } from './ipc.js';

export * from './api.js';

/** The desktop window has the preload bridge; a browser talks HTTP to the page's own origin. */
export function createApi(): Api {
  return window.lexdesk ? createIpcApi(window.lexdesk) : createHttpApi();
}
