import type { ServerEvent } from '../../shared/events.js';
import type { Result } from '../../shared/errors.js';
import type { CallContext, Principal } from '../core/dispatch.js';
import { visibleTo } from '../core/events.js';
import { APP_ORIGIN, IPC_EVENT, IPC_INVOKE } from './channels.js';

/** The parts of Electron's ipcMain and its events this module uses; the real ones fit. */
export interface InvokeEventLike {
  sender: { id: number };
  senderFrame: { url: string } | null;
}
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}
export interface WebContentsLike {
  id: number;
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

export interface DispatchLike {
  dispatch(name: string, input: unknown, call: CallContext): Promise<Result<unknown>>;
}

export interface IpcDeps {
  ipcMain: IpcMainLike;
  dispatcher: DispatchLike;
  /** per window: the call context (the main process keeps each window's session; the renderer holds no token) */
  callContextFor(webContentsId: number): CallContext;
  /** per window: after a call, a chance to keep tokens out of the renderer's answer */
  afterCall?(webContentsId: number, operation: string, result: Result<unknown>): Result<unknown>;
}

/** True only for frames showing our own screens: the app:// origin, nothing remote. */
export function isTrustedSender(event: InvokeEventLike): boolean {
  const url = event.senderFrame?.url;
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}

/**
 * Wires the invoke channel to the dispatch door. Every call is checked for its
 * sender first; everything else (validation, roles, audit) is the door's job.
 */
export function registerIpc(deps: IpcDeps): () => void {
  deps.ipcMain.handle(IPC_INVOKE, async (event, operation, input) => {
    if (!isTrustedSender(event)) {
      return { ok: false, error: { code: 'forbidden', message: 'This window may not call LexDesk.' } } satisfies Result<unknown>;
    }
    if (typeof operation !== 'string') {
      return { ok: false, error: { code: 'invalid_input', message: 'The operation name must be text.' } } satisfies Result<unknown>;
    }
    const result = await deps.dispatcher.dispatch(operation, input, deps.callContextFor(event.sender.id));
    return deps.afterCall ? deps.afterCall(event.sender.id, operation, result) : result;
  });
  return () => deps.ipcMain.removeHandler(IPC_INVOKE);
}

/** Sends an event to a window when its viewer may see it (the same check as the event stream's). */
export function pushEvent(contents: WebContentsLike, viewer: Principal | null, event: ServerEvent): boolean {
  if (contents.isDestroyed() || !visibleTo(viewer, event)) return false;
  contents.send(IPC_EVENT, event);
  return true;
}
