import type { SessionGrant } from '../../shared/contract/auth.js';
import type { Result } from '../../shared/errors.js';
import type { Role } from '../../shared/permissions.js';
import { takeSessionTokens } from '../core/auth/grant.js';
import type { CallContext, Principal } from '../core/dispatch.js';
import type { DispatchLike } from './ipc.js';

interface WindowSession {
  accessToken?: string;
  refreshToken?: string;
  viewer?: Principal;
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
        viewer: {
          userId: grant.user.id,
          username: grant.user.username,
          displayName: grant.user.displayName,
          role: grant.user.role as Role,
          sessionId: grant.sessionId,
        },
      });
    }
    return result;
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
