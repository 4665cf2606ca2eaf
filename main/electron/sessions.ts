import type { SessionGrant, SessionUser } from '../../shared/contract/auth.js';
import type { Result } from '../../shared/errors.js';
import type { Role } from '../../shared/permissions.js';
import { takeSessionTokens } from '../core/auth/grant.js';
import { MUST_CHANGE_PASSWORD_OPERATIONS } from '../core/auth/service.js';
import type { CallContext, Principal } from '../core/dispatch.js';
import type { DispatchLike } from './ipc.js';

interface WindowSession {
  accessToken?: string;
  refreshToken?: string;
  viewer?: Principal;
}

/**
 * The window's viewer as the door's authenticator would see it, including the
 * limit a temporary password sets until it is changed (events follow it too).
 */
function viewerFor(user: SessionUser, sessionId: string): Principal {
  return {
    userId: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role as Role,
    sessionId,
    ...(user.mustChangePassword ? { allowedOperations: MUST_CHANGE_PASSWORD_OPERATIONS } : {}),
  };
}

/**
 * The desktop keeps each window's tokens here, in the main process: the access
 * token and the refresh token never cross into the renderer (it gets the user
 * and the expiry only). Calls from a window carry that window's tokens to the
 * door; answers that grant tokens are taken apart by `takeSessionTokens`, the
 * same rule the HTTP face follows.
 */
export class WindowSessions {
  private readonly windows = new Map<number, WindowSession>();

  constructor(private readonly dispatcher: DispatchLike) {}

  callContextFor(windowId: number): CallContext {
    const session = this.windows.get(windowId);
    return { face: 'desktop', token: session?.accessToken, refreshToken: session?.refreshToken };
  }

  afterCall(windowId: number, operation: string, raw: Result<unknown>): Result<unknown> {
    const { result, access, refresh, forget } = takeSessionTokens(operation, raw, { keepAccessToken: false });
    if (forget) this.windows.delete(windowId);
    if (refresh && access && raw.ok) {
      const grant = raw.value as SessionGrant;
      this.windows.set(windowId, {
        accessToken: access.token,
        refreshToken: refresh.token,
        viewer: viewerFor(grant.user, grant.sessionId),
      });
    }
    // the same session goes on after a password change, no longer limited to changing it
    const session = this.windows.get(windowId);
    if (operation === 'auth.changePassword' && raw.ok && session?.viewer) {
      session.viewer = viewerFor((raw.value as { user: SessionUser }).user, session.viewer.sessionId);
    }
    return result;
  }

  /**
   * An operation as the person signed in in a window, for the desktop's own menus
   * (the tray's Pause the bot): the same door, role and audit as a click on a
   * screen. An access token that expired while the window sat hidden is renewed once.
   */
  async dispatchAs(windowId: number, operation: string, input: unknown): Promise<Result<unknown>> {
    if (!this.windows.has(windowId)) {
      return { ok: false, error: { code: 'unauthenticated', message: 'Sign in to LexDesk first.' } };
    }
    let result = await this.dispatcher.dispatch(operation, input, this.callContextFor(windowId));
    if (!result.ok && result.error.code === 'unauthenticated' && this.windows.get(windowId)?.refreshToken) {
      const renewed = await this.dispatcher.dispatch('auth.refresh', {}, this.callContextFor(windowId));
      this.afterCall(windowId, 'auth.refresh', renewed);
      if (renewed.ok) result = await this.dispatcher.dispatch(operation, input, this.callContextFor(windowId));
    }
    return this.afterCall(windowId, operation, result);
  }

  /** Who is signed in in a window, for deciding which events it may receive. */
  viewerOf(windowId: number): Principal | null {
    return this.windows.get(windowId)?.viewer ?? null;
  }

  /** The window closed: its session ends (best effort; an idle session expires by itself anyway). */
  async closed(windowId: number): Promise<void> {
    const session = this.windows.get(windowId);
    if (!session) return;
    let result = await this.dispatcher.dispatch('auth.logout', {}, this.callContextFor(windowId));
    if (!result.ok && result.error.code === 'unauthenticated' && session.refreshToken) {
      // the access token expired while the window sat idle: renew once, then sign out
      const renewed = await this.dispatcher.dispatch('auth.refresh', {}, this.callContextFor(windowId));
      this.afterCall(windowId, 'auth.refresh', renewed);
      if (renewed.ok) result = await this.dispatcher.dispatch('auth.logout', {}, this.callContextFor(windowId));
    }
    this.windows.delete(windowId);
  }
}
