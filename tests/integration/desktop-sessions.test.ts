import { afterEach, describe, expect, it } from 'vitest';
import type { Result } from '../../shared/errors.js';
import { IPC_INVOKE } from '../../main/electron/channels.js';
import { registerIpc, type InvokeEventLike, type IpcMainLike } from '../../main/electron/ipc.js';
import { WindowSessions } from '../../main/electron/sessions.js';
import type { ServerEvent } from '../../shared/events.js';
import { visibleTo } from '../../main/core/events.js';
import { createUser, TEST_PASSWORD } from '../support/auth.js';
import { startTestCore, type TestCore } from '../support/core.js';

/** Electron's ipcMain.handle/removeHandler contract, invoked as a window of our own origin would. */
class FakeIpcMain implements IpcMainLike {
  private handler: ((event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>) | null = null;
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>) {
    if (channel === IPC_INVOKE) this.handler = listener;
  }
  removeHandler() {
    this.handler = null;
  }
  invoke(windowId: number, operation: string, input: unknown = {}) {
    return this.handler!({ sender: { id: windowId }, senderFrame: { url: 'app://lexdesk/index.html' } }, operation, input) as Promise<Result<unknown>>;
  }
}

let core: TestCore;
afterEach(async () => {
  await core?.dispose();
});

async function desktop() {
  core = await startTestCore({ face: 'desktop' });
  const ipcMain = new FakeIpcMain();
  const sessions = new WindowSessions(core.dispatcher);
  registerIpc({
    ipcMain,
    dispatcher: core.dispatcher,
    callContextFor: (id) => sessions.callContextFor(id),
    afterCall: (id, op, result) => sessions.afterCall(id, op, result),
  });
  return { ipcMain, sessions };
}

describe('desktop sessions kept in the main process', () => {
  it('the renderer receives neither the access token nor the refresh token, yet its calls are signed in', async () => {
    const { ipcMain, sessions } = await desktop();
    const setup = await ipcMain.invoke(1, 'auth.setup', { username: 'admin', displayName: 'Admin', password: TEST_PASSWORD });
    expect(setup.ok).toBe(true);
    const value = (setup as { value: Record<string, unknown> }).value;
    expect(Object.keys(value).sort()).toEqual(['expiresAt', 'sessionId', 'user']);
    expect(JSON.stringify(setup)).not.toMatch(/eyJ/); // no JWT anywhere in the answer

    expect(await ipcMain.invoke(1, 'users.list')).toMatchObject({ ok: true });
    // another window has no session of its own
    expect(await ipcMain.invoke(2, 'users.list')).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(sessions.viewerOf(1)).toMatchObject({ username: 'admin', role: 'admin' });
    expect(sessions.viewerOf(2)).toBeNull();

    // refresh needs no input: the main process holds the refresh token, and rotates it
    const before = sessions.callContextFor(1);
    const refreshed = await ipcMain.invoke(1, 'auth.refresh');
    expect(Object.keys((refreshed as { value: object }).value).sort()).toEqual(['expiresAt', 'sessionId', 'user']);
    const after = sessions.callContextFor(1);
    expect(after.refreshToken).toBeDefined();
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.token).not.toBe(before.token);
  });

  it('sign-out forgets the window\'s tokens; closing a window ends its session', async () => {
    const { ipcMain, sessions } = await desktop();
    const user = await createUser(core, { role: 'lawyer' });
    await ipcMain.invoke(1, 'auth.login', { username: user.username, password: user.password });
    await ipcMain.invoke(2, 'auth.login', { username: user.username, password: user.password });
    expect(await ipcMain.invoke(1, 'auth.logout')).toEqual({ ok: true, value: { ended: true } });
    expect(sessions.callContextFor(1)).toEqual({ face: 'desktop', token: undefined, refreshToken: undefined });
    const list = (await ipcMain.invoke(2, 'auth.sessions.list')) as { value: { sessions: unknown[] } };
    expect(list.value.sessions).toHaveLength(1);
    await sessions.closed(2);
    const open = core.services.store.sqlite.prepare('SELECT count(*) AS n FROM auth_sessions WHERE ended_at IS NULL').get() as { n: number };
    expect(open.n).toBe(0);
  });

  it('a window signed in with a temporary password receives only its own session\'s events until the password is changed', async () => {
    const { ipcMain, sessions } = await desktop();
    const user = await createUser(core, { role: 'lawyer', mustChangePassword: true });
    await ipcMain.invoke(1, 'auth.login', { username: user.username, password: user.password });
    const limited = sessions.viewerOf(1)!;
    const inbox: ServerEvent = { type: 'inbox.changed', at: new Date().toISOString(), data: { conversationId: 1, reason: 'message' } };
    const ownEnd: ServerEvent = { type: 'auth.session.ended', at: new Date().toISOString(), data: { sessionId: limited.sessionId } };
    expect(visibleTo(limited, inbox)).toBe(false);
    expect(visibleTo(limited, ownEnd)).toBe(true);

    const changed = await ipcMain.invoke(1, 'auth.changePassword', { current: user.password, next: 'Brand new harbor lantern 58' });
    expect(changed).toMatchObject({ ok: true, value: { user: { mustChangePassword: false } } });
    const viewer = sessions.viewerOf(1)!;
    expect(viewer.sessionId).toBe(limited.sessionId);
    expect(visibleTo(viewer, inbox)).toBe(true);
  });
});
