import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';
import type { Result } from '../../shared/errors.js';
import type { ServerEvent } from '../../shared/events.js';
import type { Role } from '../../shared/permissions.js';
import type { Principal } from '../../main/core/dispatch.js';
import { visibleTo } from '../../main/core/events.js';
import { IPC_EVENT, IPC_INVOKE } from '../../main/electron/channels.js';
import { isTrustedSender, pushEvent, registerIpc, type InvokeEventLike, type IpcMainLike } from '../../main/electron/ipc.js';
import { isAllowedNavigation, mainWindowOptions } from '../../main/electron/window.js';
import { startTestCore } from '../support/core.js';

/** A stand-in for Electron's ipcMain with the same handle/removeHandler contract. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>) {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
  invoke(url: string | null, ...args: unknown[]) {
    const handler = this.handlers.get(IPC_INVOKE);
    if (!handler) throw new Error('no handler');
    return handler({ sender: { id: 7 }, senderFrame: url === null ? null : { url } }, ...args) as Promise<Result<unknown>>;
  }
}

describe('the desktop IPC face', () => {
  it('passes calls from our own screens to the same dispatch door', async () => {
    const core = await startTestCore({ face: 'desktop' });
    const ipcMain = new FakeIpcMain();
    const contexts: unknown[] = [];
    registerIpc({
      ipcMain,
      dispatcher: core.dispatcher,
      callContextFor: (id) => {
        contexts.push(id);
        return { face: 'desktop' };
      },
    });
    const result = await ipcMain.invoke('app://lexdesk/index.html', 'system.info', {});
    expect(result).toMatchObject({ ok: true, value: { mode: 'desktop', product: 'LexDesk' } });
    expect(contexts).toEqual([7]);
    const unknown = await ipcMain.invoke('app://lexdesk/index.html', 'nope', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
    await core.dispose();
  });

  it('refuses senders that are not our screens, without reaching the door', async () => {
    const ipcMain = new FakeIpcMain();
    const dispatch = vi.fn();
    registerIpc({ ipcMain, dispatcher: { dispatch }, callContextFor: () => ({ face: 'desktop' }) });
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://other/index.html', null, 'not a url']) {
      expect(await ipcMain.invoke(url, 'system.info', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(await ipcMain.invoke('app://lexdesk/', 42, {})).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('unregisters its handler', () => {
    const ipcMain = new FakeIpcMain();
    const dispose = registerIpc({ ipcMain, dispatcher: { dispatch: vi.fn() }, callContextFor: () => ({ face: 'desktop' }) });
    dispose();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('checks the sender by origin, not by prefix', () => {
    expect(isTrustedSender({ sender: { id: 1 }, senderFrame: { url: 'app://lexdesk.evil/x' } })).toBe(false);
    expect(isTrustedSender({ sender: { id: 1 }, senderFrame: { url: 'app://lexdesk/#/inbox' } })).toBe(true);
  });

  it('pushes events only to live windows whose viewer may see them', () => {
    const sent: unknown[][] = [];
    const contents = { id: 1, isDestroyed: () => false, send: (...args: unknown[]) => sent.push(args) };
    const event: ServerEvent = { type: 'system.stopping', at: new Date().toISOString(), data: { reason: 'x' } };
    expect(pushEvent(contents, null, event)).toBe(true);
    expect(sent).toEqual([[IPC_EVENT, event]]);
    expect(pushEvent({ ...contents, isDestroyed: () => true }, null, event)).toBe(false);
  });

  it('pushes an event only where visibleTo allows: another session\'s end to admins, nothing but its own to a window that must change its password', () => {
    const sent: unknown[][] = [];
    const contents = { id: 1, isDestroyed: () => false, send: (...args: unknown[]) => sent.push(args) };
    const viewer = (role: Role, extra: Partial<Principal> = {}): Principal => ({
      userId: `u-${role}`,
      username: role,
      displayName: role,
      role,
      sessionId: `s-${role}`,
      ...extra,
    });
    const ended = (sessionId: string): ServerEvent => ({ type: 'auth.session.ended', at: new Date().toISOString(), data: { sessionId } });
    const inbox: ServerEvent = { type: 'inbox.changed', at: new Date().toISOString(), data: { conversationId: 1, reason: 'message' } };
    const limited = viewer('admin', { sessionId: 's-limited', allowedOperations: ['auth.changePassword'] });

    expect(pushEvent(contents, viewer('admin'), ended('s-lawyer'))).toBe(true);
    expect(pushEvent(contents, viewer('lawyer'), ended('s-assistant'))).toBe(false);
    expect(pushEvent(contents, viewer('lawyer'), ended('s-lawyer'))).toBe(true);
    expect(pushEvent(contents, limited, inbox)).toBe(false);
    expect(pushEvent(contents, limited, ended('s-lawyer'))).toBe(false);
    expect(pushEvent(contents, limited, ended('s-limited'))).toBe(true);
    for (const [principal, event] of [[viewer('lawyer'), inbox], [limited, inbox], [null, ended('s-lawyer')]] as const) {
      expect(pushEvent(contents, principal, event)).toBe(visibleTo(principal, event));
    }
    expect(sent).toHaveLength(4);
  });
});

describe('the desktop window', () => {
  it('follows the Electron security checklist', () => {
    const prefs = mainWindowOptions('/app/preload.cjs').webPreferences!;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/app/preload.cjs',
    });
  });

  it('allows navigation only within the app origin', () => {
    expect(isAllowedNavigation('app://lexdesk/index.html#/audit')).toBe(true);
    expect(isAllowedNavigation('https://example.com/')).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd')).toBe(false);
    expect(isAllowedNavigation('javascript:alert(1)')).toBe(false);
  });
});

describe('the preload', () => {
  it('exposes only invoke and subscribe, over the two LexDesk channels', async () => {
    const exposed: Record<string, unknown> = {};
    const listeners = new Map<string, (...args: unknown[]) => void>();
    const invoke = vi.fn(async () => ({ ok: true, value: 1 }));
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
      ipcRenderer: {
        invoke,
        on: (channel: string, fn: (...args: unknown[]) => void) => listeners.set(channel, fn),
        removeListener: (channel: string) => listeners.delete(channel),
      },
    };
    // Run the preload as Electron's sandbox would: CommonJS, where require() knows only 'electron'.
    const source = readFileSync(join(import.meta.dirname, '../../main/electron/preload.cts'), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    });
    const sandboxRequire = (name: string) => {
      if (name === 'electron') return electron;
      throw new Error(`module not found in the sandbox: ${name}`);
    };
    const module = { exports: {} };
    new Function('require', 'module', 'exports', outputText)(sandboxRequire, module, module.exports);
    expect(Object.keys(exposed)).toEqual(['lexdesk']);
    const bridge = exposed.lexdesk as {
      invoke: (op: unknown, input: unknown) => Promise<unknown>;
      subscribe: (fn: unknown) => () => void;
    };
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'subscribe']);
    await bridge.invoke('system.info', { a: 1 });
    expect(invoke).toHaveBeenCalledWith(IPC_INVOKE, 'system.info', { a: 1 });
    await expect(bridge.invoke(42, {})).rejects.toThrow(TypeError);

    const received: unknown[] = [];
    const unsubscribe = bridge.subscribe((event: unknown) => received.push(event));
    listeners.get(IPC_EVENT)!({ sender: 'not exposed' }, { type: 'system.stopping' });
    expect(received).toEqual([{ type: 'system.stopping' }]);
    unsubscribe();
    expect(listeners.has(IPC_EVENT)).toBe(false);
  });
});
