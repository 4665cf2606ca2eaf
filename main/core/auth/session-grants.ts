import type { SessionGrant, SessionInfo } from '../../../shared/contract/auth.js';
import type { AuditActor } from '../audit/trail.js';
import type { UsersTable } from '../db/tables.js';
import type { Principal } from '../dispatch.js';
import { AppError, notFound, unauthenticated } from '../errors.js';
import { principalActor, sessionUserOf, userActor, userOrThrow } from './accounts.js';
import type { AuthContext, Caller } from './ports.js';
import type { EndReason, OpenedSession } from './sessions.js';
import type { AccessTokens } from './tokens.js';

const iso = (d: Date) => d.toISOString();

/** "Chrome on Windows" from a user agent, for the device list. */
export function deviceNameFrom(userAgent: string | undefined, face: string): string {
  if (face === 'desktop') return 'Desktop app';
  if (face === 'cli') return 'Command line';
  if (!userAgent) return 'Browser';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : 'Browser';
  const os = /Windows/.test(userAgent)
    ? 'Windows'
    : /Android/.test(userAgent)
      ? 'Android'
      : /iPhone|iPad/.test(userAgent)
        ? 'iOS'
        : /Mac OS X|Macintosh/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : '';
  return os ? `${browser} on ${os}` : browser;
}

/**
 * Sessions as the staff see them (the device list): opened with an access and a
 * refresh token at sign-in, refreshed (a reused refresh token ends its session),
 * listed, and ended: signed out, revoked, or as the consequence of another change.
 * Every end is announced as auth.session.ended.
 */
export class SessionGrants {
  constructor(
    private readonly ctx: AuthContext,
    /** the access tokens, ready once sign-in has started */
    private readonly tokens: () => AccessTokens,
  ) {}

  async openSession(user: UsersTable, caller: Caller, deviceName?: string): Promise<SessionGrant> {
    const opened = this.ctx.sessions.open(user.id, {
      deviceName: deviceName?.trim() || deviceNameFrom(caller.userAgent, caller.face),
      face: caller.face,
      address: caller.address,
      userAgent: caller.userAgent,
    });
    return this.grant(user, opened);
  }

  /** Rotates the refresh token; a reused one ends its whole session. */
  async refresh(refreshToken: string | undefined, caller: Caller): Promise<{ grant: SessionGrant; user: UsersTable }> {
    if (caller.crossSite) {
      // another site's page asking for a new access token: refused before the token is looked at
      this.ctx.securityEvent({
        actor: { type: 'anonymous' },
        face: caller.face,
        action: 'security.refresh.cross_site',
        outcome: 'denied',
        errorCode: 'forbidden',
        details: { reason: 'cross-site request' },
        address: caller.address,
        requestId: caller.requestId,
      });
      throw new AppError('forbidden', "A sign-in can only be renewed from LexDesk's own pages.");
    }
    if (!refreshToken || refreshToken.length > 200) throw unauthenticated();
    const result = this.ctx.sessions.rotate(refreshToken, { address: caller.address, userAgent: caller.userAgent });
    if (result.kind === 'reuse') {
      this.ctx.securityEvent({
        actor: userActor(result.user),
        face: caller.face,
        action: 'security.refresh.reuse',
        target: { type: 'session', id: result.session.id },
        outcome: 'denied',
        errorCode: 'unauthenticated',
        details: { sessionEnded: result.endedNow, device: result.session.device_name },
        sessionId: result.session.id,
        address: caller.address,
        requestId: caller.requestId,
      });
      if (result.endedNow) this.announceEnded([result.session.id]);
      throw new AppError('unauthenticated', 'For your safety this sign-in was ended. Please sign in again.', { reason: 'reuse' });
    }
    if (result.kind === 'invalid') {
      if (result.expiredNow && result.session) this.announceEnded([result.session.id]);
      throw new AppError('unauthenticated', 'Your sign-in has ended. Please sign in again.', { reason: 'ended' });
    }
    const { session, user } = result;
    return {
      user,
      grant: await this.grant(user, { sessionId: session.id, refreshToken: result.refreshToken, refreshExpiresAt: result.refreshExpiresAt }),
    };
  }

  logout(principal: Principal): boolean {
    return this.endSession(principal.sessionId, 'signed-out');
  }

  listSessions(userId: string, currentSessionId?: string): SessionInfo[] {
    return this.ctx.sessions.listLive(userId, currentSessionId);
  }

  /** Ends one of the principal's own sessions; `not_found` for anyone else's. */
  revokeOwnSession(principal: Principal, sessionId: string): boolean {
    const session = this.ctx.sessions.get(sessionId);
    if (!session || session.user_id !== principal.userId) throw notFound('There is no such session among yours.');
    return this.endSession(sessionId, 'revoked');
  }

  revokeOtherSessions(principal: Principal, caller: Caller): number {
    const user = userOrThrow(this.ctx.deps.store(), principal.userId);
    return this.endSessionsOf(user, 'revoked', { by: principalActor(principal), caller, except: principal.sessionId, quiet: true });
  }

  /** Ends any session (admin); false when it had already ended, `not_found` when unknown. */
  revokeAnySession(sessionId: string): { ended: boolean; userId: string } {
    const session = this.ctx.sessions.get(sessionId);
    if (!session) throw notFound('There is no such session.');
    return { ended: this.endSession(sessionId, 'revoked-by-admin'), userId: session.user_id };
  }

  /**
   * Ends every live session but `except`, for every user: after a backup is
   * restored, the sessions in it are from the past. Returns how many ended.
   */
  endAllSessions(reason: EndReason, caller: Caller, except?: string): number {
    const store = this.ctx.deps.store();
    const users = store.all(store.db.selectFrom('auth_sessions').select('user_id').distinct().where('ended_at', 'is', null));
    let ended = 0;
    for (const { user_id } of users) {
      const ids = this.ctx.sessions.endAllOf(user_id, reason, except);
      this.announceEnded(ids);
      ended += ids.length;
    }
    if (ended > 0) {
      this.ctx.securityEvent({
        actor: { type: 'system' },
        face: caller.face,
        action: 'security.sessions.ended',
        outcome: 'ok',
        details: { reason, sessions: ended },
        requestId: caller.requestId,
      });
    }
    return ended;
  }

  /**
   * Ends a user's sessions as the consequence of another change (new role,
   * disabled, password reset) and records one security event for it.
   */
  endSessionsOf(
    user: UsersTable,
    reason: EndReason,
    options: { by: AuditActor; caller: Caller; except?: string; quiet?: boolean },
  ): number {
    const ids = this.ctx.sessions.endAllOf(user.id, reason, options.except);
    this.announceEnded(ids);
    if (ids.length > 0 && !options.quiet) {
      this.ctx.securityEvent({
        actor: options.by,
        face: options.caller.face,
        action: 'security.sessions.ended',
        target: { type: 'user', id: user.id },
        outcome: 'ok',
        details: { reason, sessions: ids.length },
        address: options.caller.address,
        requestId: options.caller.requestId,
      });
    }
    return ids.length;
  }

  private endSession(sessionId: string, reason: EndReason): boolean {
    const ended = this.ctx.sessions.end(sessionId, reason);
    if (ended) this.announceEnded([sessionId]);
    return ended;
  }

  private announceEnded(sessionIds: string[]): void {
    for (const sessionId of sessionIds) this.ctx.deps.events.emit('auth.session.ended', { sessionId });
  }

  /** A new access token for the session, with its refresh token, as sign-in and refresh answer. */
  private async grant(user: UsersTable, session: OpenedSession): Promise<SessionGrant> {
    const access = await this.tokens().issue({ userId: user.id, role: user.role, sessionId: session.sessionId });
    return {
      accessToken: access.token,
      expiresAt: iso(access.expiresAt),
      sessionId: session.sessionId,
      user: sessionUserOf(user),
      refreshToken: session.refreshToken,
      refreshExpiresAt: iso(session.refreshExpiresAt),
    };
  }
}
