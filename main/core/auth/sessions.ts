import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SessionInfo } from '../../../shared/contract/auth.js';
import type { Clock } from '../clock.js';
import type { AuthConfig } from '../config.js';
import type { AuthSessionsTable, UsersTable } from '../db/tables.js';
import type { Store } from '../db/store.js';

/** Why a session ended; stored in auth_sessions.end_reason and shown in the audit trail. */
export type EndReason =
  | 'signed-out'
  | 'revoked'
  | 'revoked-by-admin'
  | 'refresh-reuse'
  | 'expired'
  | 'password-changed'
  | 'password-reset'
  | 'role-changed'
  | 'user-disabled'
  | 'restored';

export interface DeviceFacts {
  deviceName: string;
  face: string;
  address?: string;
  userAgent?: string;
}

export interface OpenedSession {
  sessionId: string;
  refreshToken: string;
  refreshExpiresAt: Date;
}

export type RotateResult =
  | { kind: 'ok'; session: AuthSessionsTable; user: UsersTable; refreshToken: string; refreshExpiresAt: Date }
  /** an already-used token: the family is ended (or was already) */
  | { kind: 'reuse'; session: AuthSessionsTable; user: UsersTable; endedNow: boolean }
  /** unknown token, or its session already ended or expired */
  | { kind: 'invalid'; session?: AuthSessionsTable; user?: UsersTable; expiredNow?: boolean };

/** Refresh tokens are 256 random bits; a plain SHA-256 is enough to keep them out of a stolen database. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

const iso = (d: Date) => d.toISOString();

/**
 * Sessions and their refresh-token families. A session is one sign-in on one
 * device; every refresh retires the presented token and issues the next one.
 * Presenting a retired token again means a copy exists somewhere else: the whole
 * family (the session) ends (OWASP ASVS 10.4.5). Idle expiry moves with each
 * refresh; absolute expiry does not. Only hashes of tokens are stored.
 */
export class SessionStore {
  constructor(
    private readonly store: () => Store,
    private readonly clock: Clock,
    private readonly config: AuthConfig,
  ) {}

  /** Opens a session for `userId`; call inside the caller's transaction. */
  open(userId: string, device: DeviceFacts): OpenedSession {
    const store = this.store();
    const now = this.clock.now();
    const absolute = new Date(now.getTime() + this.config.sessionMaxMs);
    const idle = new Date(Math.min(now.getTime() + this.config.sessionIdleMs, absolute.getTime()));
    const sessionId = randomUUID();
    const refreshToken = newRefreshToken();
    store.tx(() => {
      store.run(
        store.db.insertInto('auth_sessions').values({
          id: sessionId,
          user_id: userId,
          device_name: device.deviceName,
          face: device.face,
          address: device.address ?? null,
          user_agent: device.userAgent ?? null,
          created_at: iso(now),
          last_seen_at: iso(now),
          idle_expires_at: iso(idle),
          absolute_expires_at: iso(absolute),
          ended_at: null,
          end_reason: null,
        }),
      );
      store.run(
        store.db
          .insertInto('refresh_tokens')
          .values({ token_hash: hashToken(refreshToken), session_id: sessionId, issued_at: iso(now), used_at: null }),
      );
    });
    return { sessionId, refreshToken, refreshExpiresAt: idle };
  }

  /**
   * Retires `presented` and issues the next token of its family, in one
   * transaction. A token retired less than `refreshGraceMs` ago, presented again
   * by the same browser (user agent) while its session lives, is a second tab
   * refreshing at the same moment, not a copy: it gets a token too. Any other
   * presentation of a retired token is reuse. A normal rotation retires the
   * family's other unused tokens, so no branch outlives the next refresh.
   */
  rotate(presented: string, device: { address?: string; userAgent?: string }): RotateResult {
    const store = this.store();
    const now = this.clock.now();
    return store.tx((): RotateResult => {
      const token = store.get(store.db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', hashToken(presented)));
      if (!token) return { kind: 'invalid' };
      const session = store.get(store.db.selectFrom('auth_sessions').selectAll().where('id', '=', token.session_id))!;
      const user = store.get(store.db.selectFrom('users').selectAll().where('id', '=', session.user_id))!;
      const concurrent =
        token.used_at !== null &&
        now.getTime() - new Date(token.used_at).getTime() <= this.config.refreshGraceMs &&
        (session.user_agent ?? '') === (device.userAgent?.slice(0, 300) ?? '') &&
        this.isLive(session, now) &&
        !user.disabled;
      if (token.used_at !== null && !concurrent) {
        const endedNow = session.ended_at === null;
        if (endedNow) this.endWithin(store, session.id, 'refresh-reuse', now);
        return { kind: 'reuse', session, user, endedNow };
      }
      if (session.ended_at !== null) return { kind: 'invalid', session, user };
      if (!this.isLive(session, now) || user.disabled) {
        this.endWithin(store, session.id, user.disabled ? 'user-disabled' : 'expired', now);
        return { kind: 'invalid', session, user, expiredNow: true };
      }
      const absolute = new Date(session.absolute_expires_at);
      const idle = new Date(Math.min(now.getTime() + this.config.sessionIdleMs, absolute.getTime()));
      const next = newRefreshToken();
      if (!concurrent) {
        store.run(
          store.db
            .updateTable('refresh_tokens')
            .set({ used_at: iso(now) })
            .where('session_id', '=', session.id)
            .where((eb) => eb.or([eb('token_hash', '=', token.token_hash), eb('used_at', 'is', null)])),
        );
      }
      store.run(
        store.db
          .insertInto('refresh_tokens')
          .values({ token_hash: hashToken(next), session_id: session.id, issued_at: iso(now), used_at: null }),
      );
      store.run(
        store.db
          .updateTable('auth_sessions')
          .set({ last_seen_at: iso(now), idle_expires_at: iso(idle), address: device.address ?? session.address })
          .where('id', '=', session.id),
      );
      return { kind: 'ok', session, user, refreshToken: next, refreshExpiresAt: idle };
    });
  }

  isLive(session: AuthSessionsTable, now = this.clock.now()): boolean {
    const t = now.getTime();
    return (
      session.ended_at === null &&
      t < new Date(session.idle_expires_at).getTime() &&
      t < new Date(session.absolute_expires_at).getTime()
    );
  }

  /** The session and its user, when the session is live; used by the door on every call. */
  liveWithUser(sessionId: string): { session: AuthSessionsTable; user: UsersTable } | null {
    const store = this.store();
    const session = store.get(store.db.selectFrom('auth_sessions').selectAll().where('id', '=', sessionId));
    if (!session || !this.isLive(session)) return null;
    const user = store.get(store.db.selectFrom('users').selectAll().where('id', '=', session.user_id));
    if (!user || user.disabled) return null;
    return { session, user };
  }

  /** Notes activity at most once a minute, pushing idle expiry forward. */
  touch(session: AuthSessionsTable): void {
    const now = this.clock.now();
    if (now.getTime() - new Date(session.last_seen_at).getTime() < 60_000) return;
    const idle = Math.min(now.getTime() + this.config.sessionIdleMs, new Date(session.absolute_expires_at).getTime());
    const store = this.store();
    store.run(
      store.db
        .updateTable('auth_sessions')
        .set({ last_seen_at: iso(now), idle_expires_at: iso(new Date(idle)) })
        .where('id', '=', session.id)
        .where('ended_at', 'is', null),
    );
  }

  get(sessionId: string): AuthSessionsTable | undefined {
    const store = this.store();
    return store.get(store.db.selectFrom('auth_sessions').selectAll().where('id', '=', sessionId));
  }

  /** Ends one session; false when it had already ended. */
  end(sessionId: string, reason: EndReason): boolean {
    const store = this.store();
    return store.tx(() => this.endWithin(store, sessionId, reason, this.clock.now()));
  }

  /** Ends every live session of a user (but `except`); returns the ids ended. */
  endAllOf(userId: string, reason: EndReason, except?: string): string[] {
    const store = this.store();
    const now = this.clock.now();
    return store.tx(() => {
      let query = store.db.selectFrom('auth_sessions').select('id').where('user_id', '=', userId).where('ended_at', 'is', null);
      if (except) query = query.where('id', '!=', except);
      const ids = store.all(query).map((r) => r.id);
      for (const id of ids) this.endWithin(store, id, reason, now);
      return ids;
    });
  }

  /** The live sessions of a user, newest activity first. */
  listLive(userId: string, currentSessionId?: string): SessionInfo[] {
    const store = this.store();
    const now = this.clock.now();
    const rows = store.all(
      store.db
        .selectFrom('auth_sessions')
        .selectAll()
        .where('user_id', '=', userId)
        .where('ended_at', 'is', null)
        .orderBy('last_seen_at', 'desc'),
    );
    return rows
      .filter((row) => this.isLive(row, now))
      .map((row) => ({
        id: row.id,
        deviceName: row.device_name,
        face: row.face,
        address: row.address,
        createdAt: row.created_at,
        lastSeenAt: row.last_seen_at,
        expiresAt: row.idle_expires_at < row.absolute_expires_at ? row.idle_expires_at : row.absolute_expires_at,
        current: row.id === currentSessionId,
      }));
  }

  countLive(userId: string): number {
    return this.listLive(userId).length;
  }

  /** Deletes sessions that ended (or expired) more than `olderThanMs` ago, with their tokens. */
  prune(olderThanMs: number): number {
    const store = this.store();
    const cutoff = iso(new Date(this.clock.now().getTime() - olderThanMs));
    return store.tx(() => {
      const ended = store.run(store.db.deleteFrom('auth_sessions').where('ended_at', '<', cutoff)).changes;
      const expired = store.run(
        store.db.deleteFrom('auth_sessions').where('ended_at', 'is', null).where('idle_expires_at', '<', cutoff),
      ).changes;
      return ended + expired;
    });
  }

  private endWithin(store: Store, sessionId: string, reason: EndReason, now: Date): boolean {
    const result = store.run(
      store.db
        .updateTable('auth_sessions')
        .set({ ended_at: iso(now), end_reason: reason })
        .where('id', '=', sessionId)
        .where('ended_at', 'is', null),
    );
    return result.changes > 0;
  }
}
