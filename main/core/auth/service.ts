import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { SessionGrant, SessionInfo, UserInfo } from '../../../shared/contract/auth.js';
import type { Role } from '../../../shared/permissions.js';
import type { AuditActor, AuditEntry, AuditFace } from '../audit/trail.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Store } from '../db/store.js';
import type { UsersTable } from '../db/tables.js';
import type { Authenticator, CallContext, Principal } from '../dispatch.js';
import { AppError, conflict, notFound, unauthenticated } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import { getOrCreateSecret, type SecretStore } from '../secrets.js';
import { sessionUserOf, temporaryPassword, userInfoOf, usernameKey } from './accounts.js';
import { PasswordWorkers } from './passwords.js';
import { assertAcceptablePassword } from './policy.js';
import { AttemptLimiter, PhantomLockouts } from './rate-limit.js';
import { SessionStore, type EndReason } from './sessions.js';
import { AccessTokens, InvalidTokenError } from './tokens.js';

/** The secret store entry holding the HS256 key of access tokens. */
export const JWT_SECRET_NAME = 'jwt-secret';

/** What a principal whose password must change may still do. */
export const MUST_CHANGE_PASSWORD_OPERATIONS = [
  'auth.changePassword',
  'auth.logout',
  'auth.sessions.list',
  'auth.sessions.revoke',
  'auth.sessions.revokeOthers',
] as const;

const BAD_CREDENTIALS = 'The username or password is not right.';

export interface AuthDeps {
  config: Config;
  clock: Clock;
  log: Logger;
  store: () => Store;
  secrets: SecretStore;
  events: EventBus;
  audit: { append(entry: AuditEntry): unknown };
  /** worker pool size (tests may want 1) */
  workers?: number;
}

/** Where a call comes from, for sessions and security events. */
type Caller = Pick<CallContext, 'face' | 'address' | 'userAgent' | 'requestId' | 'forwarded'>;

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

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

export function userActor(user: Pick<UsersTable, 'id' | 'username' | 'role'>): AuditActor {
  return { type: 'user', id: user.id, name: user.username, role: user.role };
}

function principalActor(p: Principal): AuditActor {
  return { type: 'user', id: p.userId, name: p.username, role: p.role };
}

const iso = (d: Date) => d.toISOString();

/**
 * Staff sign-in: accounts, first-run set-up, password sign-in with lockout and
 * per-address limits, sessions with rotating refresh tokens, access tokens, and
 * the Authenticator the dispatch door asks on every call. Security events that
 * are not themselves operation calls (failed sign-ins, lockouts, refresh-token
 * reuse, sessions ended as a consequence) go to the audit trail from here; the
 * door records each call.
 */
export class AuthService {
  readonly name = 'auth';
  readonly sessions: SessionStore;
  readonly passwords: PasswordWorkers;
  private tokens: AccessTokens | null = null;
  private dummyHash: Promise<string> | null = null;
  private setupCode: string | null = null;
  private readonly limiter: AttemptLimiter;
  private readonly phantoms = new PhantomLockouts();
  private readonly log: Logger;
  private pruneTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: AuthDeps) {
    this.sessions = new SessionStore(deps.store, deps.clock, deps.config.auth);
    this.passwords = new PasswordWorkers({
      size: deps.workers,
      onFallback: (reason) =>
        deps.log.error({ reason }, 'password worker threads cannot start; hashing on the main thread (the app may stutter at sign-in)'),
    });
    this.limiter = new AttemptLimiter(deps.config.auth.signInLimitPerAddress, deps.config.auth.signInLimitWindowMs);
    this.log = deps.log.child({ component: 'auth' });
  }

  // ---- life -------------------------------------------------------------------------------------

  async start(): Promise<void> {
    const { value, created } = await getOrCreateSecret(this.deps.secrets, JWT_SECRET_NAME, () =>
      randomBytes(32).toString('base64url'),
    );
    this.tokens = new AccessTokens(value, this.deps.clock, this.deps.config.auth.accessTokenTtlMs);
    const source = 'sourceOf' in this.deps.secrets ? (this.deps.secrets as { sourceOf(n: string): string }).sourceOf(JWT_SECRET_NAME) : this.deps.secrets.kind;
    this.log.info({ secretStore: this.deps.secrets.kind, source, created }, `JWT signing key ${created ? 'created in' : 'read from'} ${source}`);
    // the hash that unknown usernames are checked against, so that they take as long as real ones
    this.dummyHash = this.passwords.hash(randomBytes(16).toString('hex'), this.deps.config.auth.bcryptCost);
    this.dummyHash.catch(() => undefined);
    this.pruneEndedSessions();
    this.pruneTimer = setInterval(() => this.pruneEndedSessions(), 24 * 3_600_000);
    this.pruneTimer.unref();
    if (this.deps.config.face === 'headless' && this.userCount() === 0) {
      this.setupCode = randomBytes(9).toString('base64url').toUpperCase().replace(/[^A-Z0-9]/g, 'X').replace(/(.{4})(?=.)/g, '$1-');
      this.log.warn(
        { setupCode: this.setupCode },
        `First run: no administrator yet. Open LexDesk from this machine (http://127.0.0.1), or enter this one-time set-up code: ${this.setupCode}`,
      );
    }
  }

  async stop(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.pruneTimer = null;
    await this.passwords.close();
  }

  /** Sessions that ended (or idled out) over 30 days ago go, with their used refresh-token hashes. */
  private pruneEndedSessions(): void {
    try {
      const removed = this.sessions.prune(30 * 86_400_000);
      if (removed > 0) this.log.info({ removed }, 'old sessions removed');
    } catch (err) {
      this.log.warn({ err }, 'could not remove old sessions');
    }
  }

  private get accessTokens(): AccessTokens {
    if (!this.tokens) throw new Error('the sign-in service has not started');
    return this.tokens;
  }

  // ---- the door's authenticator -----------------------------------------------------------------

  readonly authenticator: Authenticator = {
    authenticate: async (call) => {
      if (!call.token) return null;
      let claims;
      try {
        claims = await this.accessTokens.verify(call.token);
      } catch (err) {
        const expired = err instanceof InvalidTokenError && err.reason === 'expired';
        throw new AppError('unauthenticated', expired ? 'Your sign-in has expired. Please sign in again.' : 'Please sign in.', {
          reason: expired ? 'expired' : 'invalid',
        });
      }
      const live = this.sessions.liveWithUser(claims.sid);
      if (!live || live.user.id !== claims.sub) {
        throw new AppError('unauthenticated', 'This session has ended. Please sign in again.', { reason: 'ended' });
      }
      this.sessions.touch(live.session);
      const principal: Principal = {
        userId: live.user.id,
        username: live.user.username,
        displayName: live.user.display_name,
        role: live.user.role,
        sessionId: live.session.id,
      };
      if (live.user.must_change_password === 1) principal.allowedOperations = MUST_CHANGE_PASSWORD_OPERATIONS;
      return principal;
    },
  };

  // ---- first run --------------------------------------------------------------------------------

  userCount(): number {
    const store = this.deps.store();
    return (store.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  status(): { needsSetup: boolean; setupCodeRequired: boolean } {
    const needsSetup = this.userCount() === 0;
    return { needsSetup, setupCodeRequired: needsSetup && this.deps.config.face === 'headless' };
  }

  /** The one-time set-up code printed at start (headless, no user yet), for tests and the CLI. */
  get currentSetupCode(): string | null {
    return this.setupCode;
  }

  /**
   * Creates the first administrator. Refused with `conflict` once any account
   * exists. The CLI calls this directly; `auth.setup` adds the face rules and signs in.
   */
  async createFirstAdmin(input: { username: string; displayName: string; password: string }, caller: Caller): Promise<UsersTable> {
    if (this.userCount() > 0) throw conflict('LexDesk already has an administrator. Sign in instead.');
    await assertAcceptablePassword(this.passwords, input.password, {
      username: input.username,
      displayName: input.displayName,
      field: 'password',
    });
    const hash = await this.passwords.hash(input.password, this.deps.config.auth.bcryptCost);
    const store = this.deps.store();
    const user = store.tx(() => {
      // checked again inside the write: two set-ups at once create one administrator
      if (this.userCount() > 0) throw conflict('LexDesk already has an administrator. Sign in instead.');
      return this.insertUser({ username: input.username, displayName: input.displayName, role: 'admin', hash, mustChange: false });
    });
    this.setupCode = null;
    this.log.info({ username: user.username, face: caller.face }, 'first administrator created');
    return user;
  }

  async setup(
    input: { username: string; displayName: string; password: string; setupCode?: string; deviceName?: string },
    caller: Caller,
  ): Promise<{ grant: SessionGrant; user: UsersTable }> {
    this.limit(caller);
    if (this.userCount() > 0) throw conflict('LexDesk already has an administrator. Sign in instead.');
    if (caller.face === 'headless' && !(isLoopback(caller.address) && !caller.forwarded)) {
      if (!input.setupCode || !this.setupCode || !sameText(normalizeCode(input.setupCode), normalizeCode(this.setupCode))) {
        this.securityEvent({
          actor: { type: 'anonymous' },
          face: caller.face,
          action: 'security.setup.refused',
          outcome: 'denied',
          errorCode: 'forbidden',
          details: { reason: input.setupCode ? 'wrong code' : 'no code from a remote address' },
          address: caller.address,
          requestId: caller.requestId,
        });
        throw new AppError(
          'forbidden',
          'Setting up LexDesk from another computer needs the one-time set-up code printed in the server log at start.',
        );
      }
    }
    const user = await this.createFirstAdmin(input, caller);
    const grant = await this.openSession(user, caller, input.deviceName);
    return { grant, user };
  }

  // ---- sign-in ----------------------------------------------------------------------------------

  /**
   * Password sign-in. An unknown username, a wrong password and a disabled
   * account all get the same answer after the same bcrypt work. After
   * `lockoutThreshold` consecutive failures the account is locked (`locked`, with
   * the time left); unknown usernames lock the same way, in memory.
   */
  async login(
    input: { username: string; password: string; deviceName?: string },
    caller: Caller,
  ): Promise<{ grant: SessionGrant; user: UsersTable }> {
    this.limit(caller);
    const { lockoutThreshold, lockoutMs } = this.deps.config.auth;
    const key = usernameKey(input.username);
    const store = this.deps.store();
    const now = this.deps.clock.now();
    const user = store.get(store.db.selectFrom('users').selectAll().where('username_key', '=', key));

    const lockedUntil = user
      ? user.locked_until && new Date(user.locked_until) > now
        ? new Date(user.locked_until).getTime()
        : null
      : this.phantoms.lockedUntil(key, now.getTime());
    if (lockedUntil !== null) {
      this.securityEvent({
        actor: user ? userActor(user) : { type: 'anonymous', name: input.username.slice(0, 64) },
        face: caller.face,
        action: 'security.login.failed',
        target: user ? { type: 'user', id: user.id } : undefined,
        outcome: 'denied',
        errorCode: 'locked',
        details: { reason: 'locked', username: input.username.slice(0, 64) },
        address: caller.address,
        requestId: caller.requestId,
      });
      throw lockedError(lockedUntil - now.getTime());
    }

    const hash = user?.password_hash ?? (await this.dummyHash!);
    const matches = await this.passwords.verify(input.password, hash);

    if (!user || !matches || user.disabled) {
      const reason = !user ? 'unknown username' : !matches ? 'wrong password' : 'account disabled';
      let lockedNow: number | null = null;
      if (user && !matches) {
        store.tx(() => {
          const fresh = store.get(store.db.selectFrom('users').select('failed_attempts').where('id', '=', user.id))!;
          const failures = fresh.failed_attempts + 1;
          if (failures >= lockoutThreshold) {
            lockedNow = now.getTime() + lockoutMs;
            store.run(
              store.db
                .updateTable('users')
                .set({ failed_attempts: 0, locked_until: iso(new Date(lockedNow)) })
                .where('id', '=', user.id),
            );
          } else {
            store.run(store.db.updateTable('users').set({ failed_attempts: failures }).where('id', '=', user.id));
          }
          this.recordLoginFailure(input.username, user, reason, caller, lockedNow);
        });
      } else {
        if (!user) lockedNow = this.phantoms.fail(key, now.getTime(), lockoutThreshold, lockoutMs);
        this.recordLoginFailure(input.username, user, reason, caller, lockedNow);
      }
      if (lockedNow !== null) throw lockedError(lockedNow - now.getTime());
      throw new AppError('unauthenticated', BAD_CREDENTIALS);
    }

    store.run(
      store.db
        .updateTable('users')
        .set({ failed_attempts: 0, locked_until: null, last_sign_in_at: iso(now) })
        .where('id', '=', user.id),
    );
    const grant = await this.openSession(user, caller, input.deviceName);
    return { grant, user };
  }

  private recordLoginFailure(
    attempted: string,
    user: UsersTable | undefined,
    reason: string,
    caller: Caller,
    lockedUntil: number | null,
  ): void {
    const actor: AuditActor = user ? userActor(user) : { type: 'anonymous', name: attempted.slice(0, 64) };
    const target = user ? { type: 'user', id: user.id } : undefined;
    this.securityEvent({
      actor,
      face: caller.face,
      action: 'security.login.failed',
      target,
      outcome: 'denied',
      errorCode: 'unauthenticated',
      details: { reason, username: attempted.slice(0, 64) },
      address: caller.address,
      requestId: caller.requestId,
    });
    if (lockedUntil !== null) {
      this.securityEvent({
        actor,
        face: caller.face,
        action: 'security.lockout',
        target,
        outcome: 'denied',
        errorCode: 'locked',
        details: { until: iso(new Date(lockedUntil)), username: attempted.slice(0, 64), known: Boolean(user) },
        address: caller.address,
        requestId: caller.requestId,
      });
    }
  }

  /** Rotates the refresh token; a reused one ends its whole session. */
  async refresh(refreshToken: string | undefined, caller: Caller): Promise<{ grant: SessionGrant; user: UsersTable }> {
    if (!refreshToken || refreshToken.length > 200) throw unauthenticated();
    const result = this.sessions.rotate(refreshToken, { address: caller.address });
    if (result.kind === 'reuse') {
      this.securityEvent({
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
      if (result.endedNow) this.deps.events.emit('auth.session.ended', { sessionId: result.session.id });
      throw new AppError('unauthenticated', 'For your safety this sign-in was ended. Please sign in again.', { reason: 'reuse' });
    }
    if (result.kind === 'invalid') {
      if (result.expiredNow && result.session) this.deps.events.emit('auth.session.ended', { sessionId: result.session.id });
      throw new AppError('unauthenticated', 'Your sign-in has ended. Please sign in again.', { reason: 'ended' });
    }
    const access = await this.accessTokens.issue({ userId: result.user.id, role: result.user.role, sessionId: result.session.id });
    return {
      user: result.user,
      grant: {
        accessToken: access.token,
        expiresAt: iso(access.expiresAt),
        sessionId: result.session.id,
        user: sessionUserOf(result.user),
        refreshToken: result.refreshToken,
        refreshExpiresAt: iso(result.refreshExpiresAt),
      },
    };
  }

  logout(principal: Principal): boolean {
    return this.endSession(principal.sessionId, 'signed-out');
  }

  // ---- one's own account ------------------------------------------------------------------------

  async changePassword(principal: Principal, current: string, next: string, caller: Caller): Promise<{ user: UsersTable; ended: number }> {
    const store = this.deps.store();
    const user = this.userOrThrow(principal.userId);
    const now = this.deps.clock.now();
    if (user.locked_until && new Date(user.locked_until) > now) {
      throw lockedError(new Date(user.locked_until).getTime() - now.getTime());
    }
    if (!(await this.passwordMatches(user, current, 'wrong current password', caller))) {
      const message = 'The current password is not right.';
      throw new AppError('invalid_input', message, { issues: [{ path: 'current', message }] });
    }
    if (current === next) {
      const message = 'Choose a new password, different from the current one.';
      throw new AppError('invalid_input', message, { issues: [{ path: 'next', message }] });
    }
    await assertAcceptablePassword(this.passwords, next, { username: user.username, displayName: user.display_name, field: 'next' });
    const hash = await this.passwords.hash(next, this.deps.config.auth.bcryptCost);
    store.run(
      store.db
        .updateTable('users')
        .set({ password_hash: hash, must_change_password: 0, failed_attempts: 0, password_changed_at: iso(now), updated_at: iso(now) })
        .where('id', '=', user.id),
    );
    const ended = this.endSessionsOf(user, 'password-changed', { by: principalActor(principal), caller, except: principal.sessionId });
    return { user: this.userOrThrow(user.id), ended };
  }

  /**
   * Checks a signed-in user's password; wrong guesses count like failed sign-ins
   * (a borrowed session must not become a guessing machine) and lock the account
   * at the threshold, which throws `locked`.
   */
  private async passwordMatches(user: UsersTable, password: string, reason: string, caller: Caller): Promise<boolean> {
    const store = this.deps.store();
    const now = this.deps.clock.now();
    if (await this.passwords.verify(password, user.password_hash)) return true;
    const { lockoutThreshold, lockoutMs } = this.deps.config.auth;
    let lockedNow: number | null = null;
    store.tx(() => {
      const failures = store.get(store.db.selectFrom('users').select('failed_attempts').where('id', '=', user.id))!.failed_attempts + 1;
      if (failures >= lockoutThreshold) {
        lockedNow = now.getTime() + lockoutMs;
        store.run(store.db.updateTable('users').set({ failed_attempts: 0, locked_until: iso(new Date(lockedNow)) }).where('id', '=', user.id));
      } else {
        store.run(store.db.updateTable('users').set({ failed_attempts: failures }).where('id', '=', user.id));
      }
      this.recordLoginFailure(user.username, user, reason, caller, lockedNow);
    });
    if (lockedNow !== null) throw lockedError(lockedNow - now.getTime());
    return false;
  }

  /**
   * The signed-in user's password asked again before a grave act (restoring a
   * backup, the backup passphrase). False when wrong; `locked` when locked.
   */
  async confirmPassword(userId: string, password: string, caller: Caller): Promise<boolean> {
    const user = this.userOrThrow(userId);
    const now = this.deps.clock.now();
    if (user.locked_until && new Date(user.locked_until) > now) {
      throw lockedError(new Date(user.locked_until).getTime() - now.getTime());
    }
    return this.passwordMatches(user, password, 'wrong password confirmation', caller);
  }

  /**
   * Ends every live session but `except`, for every user: after a backup is
   * restored, the sessions in it are from the past. Returns how many ended.
   */
  endAllSessions(reason: EndReason, caller: Caller, except?: string): number {
    const store = this.deps.store();
    const users = store.all(store.db.selectFrom('auth_sessions').select('user_id').distinct().where('ended_at', 'is', null));
    let ended = 0;
    for (const { user_id } of users) {
      const ids = this.sessions.endAllOf(user_id, reason, except);
      for (const sessionId of ids) this.deps.events.emit('auth.session.ended', { sessionId });
      ended += ids.length;
    }
    if (ended > 0) {
      this.securityEvent({
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

  listSessions(userId: string, currentSessionId?: string): SessionInfo[] {
    return this.sessions.listLive(userId, currentSessionId);
  }

  /** Ends one of the principal's own sessions; `not_found` for anyone else's. */
  revokeOwnSession(principal: Principal, sessionId: string): boolean {
    const session = this.sessions.get(sessionId);
    if (!session || session.user_id !== principal.userId) throw notFound('There is no such session among yours.');
    return this.endSession(sessionId, 'revoked');
  }

  revokeOtherSessions(principal: Principal, caller: Caller): number {
    const user = this.userOrThrow(principal.userId);
    return this.endSessionsOf(user, 'revoked', { by: principalActor(principal), caller, except: principal.sessionId, quiet: true });
  }

  // ---- user administration ----------------------------------------------------------------------

  listUsers(): UserInfo[] {
    const store = this.deps.store();
    const now = this.deps.clock.now();
    const rows = store.all(store.db.selectFrom('users').selectAll().orderBy('username_key'));
    return rows.map((row) => userInfoOf(row, now, this.sessions.countLive(row.id)));
  }

  userInfo(userId: string): UserInfo {
    return userInfoOf(this.userOrThrow(userId), this.deps.clock.now(), this.sessions.countLive(userId));
  }

  async createUser(input: { username: string; displayName: string; role: Role }): Promise<{ user: UsersTable; temporaryPassword: string }> {
    const password = temporaryPassword();
    const hash = await this.passwords.hash(password, this.deps.config.auth.bcryptCost);
    const store = this.deps.store();
    const user = store.tx(() => {
      const taken = store.get(store.db.selectFrom('users').select('id').where('username_key', '=', usernameKey(input.username)));
      if (taken) {
        throw new AppError('conflict', `The username "${input.username}" is taken.`, {
          issues: [{ path: 'username', message: 'This username is taken.' }],
        });
      }
      return this.insertUser({ username: input.username, displayName: input.displayName, role: input.role, hash, mustChange: true });
    });
    return { user, temporaryPassword: password };
  }

  /** Inserts an account with a ready hash (tests and the CLI use it through `createUser`-like helpers). */
  insertUser(input: { username: string; displayName: string; role: Role; hash: string; mustChange: boolean }): UsersTable {
    const store = this.deps.store();
    const now = iso(this.deps.clock.now());
    const row: UsersTable = {
      id: randomUUID(),
      username: input.username.trim(),
      username_key: usernameKey(input.username),
      display_name: input.displayName.trim(),
      role: input.role,
      password_hash: input.hash,
      disabled: 0,
      must_change_password: input.mustChange ? 1 : 0,
      failed_attempts: 0,
      locked_until: null,
      password_changed_at: now,
      last_sign_in_at: null,
      created_at: now,
      updated_at: now,
    };
    try {
      store.run(store.db.insertInto('users').values(row));
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new AppError('conflict', `The username "${input.username}" is taken.`, {
          issues: [{ path: 'username', message: 'This username is taken.' }],
        });
      }
      throw err;
    }
    return row;
  }

  updateUser(
    by: Principal,
    input: { userId: string; displayName?: string; role?: Role; disabled?: boolean },
    caller: Caller,
  ): { user: UsersTable; ended: number; changes: Record<string, unknown> } {
    const store = this.deps.store();
    const now = iso(this.deps.clock.now());
    const { user, changes } = store.tx(() => {
      const user = this.userOrThrow(input.userId);
      const changes: Record<string, unknown> = {};
      if (input.displayName !== undefined && input.displayName !== user.display_name) {
        changes.displayName = { from: user.display_name, to: input.displayName };
      }
      if (input.role !== undefined && input.role !== user.role) changes.role = { from: user.role, to: input.role };
      if (input.disabled !== undefined && input.disabled !== (user.disabled === 1)) changes.disabled = input.disabled;
      const losesAdmin = user.role === 'admin' && user.disabled === 0 && (changes.role !== undefined || changes.disabled === true);
      if (losesAdmin && this.activeAdminCount() <= 1) {
        throw conflict('LexDesk needs at least one active administrator. Make someone else an administrator first.');
      }
      store.run(
        store.db
          .updateTable('users')
          .set({
            display_name: input.displayName ?? user.display_name,
            role: input.role ?? user.role,
            disabled: input.disabled === undefined ? user.disabled : input.disabled ? 1 : 0,
            updated_at: now,
          })
          .where('id', '=', user.id),
      );
      return { user, changes };
    });
    let ended = 0;
    if (changes.disabled === true) ended = this.endSessionsOf(user, 'user-disabled', { by: principalActor(by), caller });
    else if (changes.role !== undefined) ended = this.endSessionsOf(user, 'role-changed', { by: principalActor(by), caller });
    return { user: this.userOrThrow(user.id), ended, changes };
  }

  async resetPassword(by: Principal, userId: string, caller: Caller): Promise<{ user: UsersTable; temporaryPassword: string; ended: number }> {
    const user = this.userOrThrow(userId);
    const password = temporaryPassword();
    const hash = await this.passwords.hash(password, this.deps.config.auth.bcryptCost);
    const store = this.deps.store();
    const now = iso(this.deps.clock.now());
    store.run(
      store.db
        .updateTable('users')
        .set({ password_hash: hash, must_change_password: 1, failed_attempts: 0, locked_until: null, password_changed_at: now, updated_at: now })
        .where('id', '=', user.id),
    );
    const ended = this.endSessionsOf(user, 'password-reset', { by: principalActor(by), caller });
    return { user: this.userOrThrow(user.id), temporaryPassword: password, ended };
  }

  unlock(userId: string): { user: UsersTable; wasLocked: boolean } {
    const store = this.deps.store();
    const user = this.userOrThrow(userId);
    const wasLocked = Boolean(user.locked_until && new Date(user.locked_until) > this.deps.clock.now());
    store.run(
      store.db
        .updateTable('users')
        .set({ failed_attempts: 0, locked_until: null, updated_at: iso(this.deps.clock.now()) })
        .where('id', '=', user.id),
    );
    return { user: this.userOrThrow(userId), wasLocked };
  }

  /** Ends any session (admin); false when it had already ended, `not_found` when unknown. */
  revokeAnySession(sessionId: string): { ended: boolean; userId: string } {
    const session = this.sessions.get(sessionId);
    if (!session) throw notFound('There is no such session.');
    return { ended: this.endSession(sessionId, 'revoked-by-admin'), userId: session.user_id };
  }

  userOrThrow(userId: string): UsersTable {
    const store = this.deps.store();
    const user = store.get(store.db.selectFrom('users').selectAll().where('id', '=', userId));
    if (!user) throw notFound('There is no such staff member.');
    return user;
  }

  // ---- internals --------------------------------------------------------------------------------

  private activeAdminCount(): number {
    const store = this.deps.store();
    return (store.prepare("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled = 0").get() as { n: number }).n;
  }

  private async openSession(user: UsersTable, caller: Caller, deviceName?: string): Promise<SessionGrant> {
    const opened = this.sessions.open(user.id, {
      deviceName: deviceName?.trim() || deviceNameFrom(caller.userAgent, caller.face),
      face: caller.face,
      address: caller.address,
      userAgent: caller.userAgent,
    });
    const access = await this.accessTokens.issue({ userId: user.id, role: user.role, sessionId: opened.sessionId });
    return {
      accessToken: access.token,
      expiresAt: iso(access.expiresAt),
      sessionId: opened.sessionId,
      user: sessionUserOf(user),
      refreshToken: opened.refreshToken,
      refreshExpiresAt: iso(opened.refreshExpiresAt),
    };
  }

  private endSession(sessionId: string, reason: EndReason): boolean {
    const ended = this.sessions.end(sessionId, reason);
    if (ended) this.deps.events.emit('auth.session.ended', { sessionId });
    return ended;
  }

  /**
   * Ends a user's sessions as the consequence of another change (new role,
   * disabled, password reset) and records one security event for it.
   */
  private endSessionsOf(
    user: UsersTable,
    reason: EndReason,
    options: { by: AuditActor; caller: Caller; except?: string; quiet?: boolean },
  ): number {
    const ids = this.sessions.endAllOf(user.id, reason, options.except);
    for (const sessionId of ids) this.deps.events.emit('auth.session.ended', { sessionId });
    if (ids.length > 0 && !options.quiet) {
      this.securityEvent({
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

  private limit(caller: Caller): void {
    if (caller.face !== 'headless' || !caller.address) return;
    const wait = this.limiter.hit(caller.address, this.deps.clock.now().getTime());
    if (wait !== null) {
      this.securityEvent({
        actor: { type: 'anonymous' },
        face: caller.face,
        action: 'security.signin.rate_limited',
        outcome: 'denied',
        errorCode: 'rate_limited',
        details: { retryAfterSeconds: wait },
        address: caller.address,
        requestId: caller.requestId,
      });
      throw new AppError('rate_limited', `Too many sign-in attempts from this address. Try again in ${describeWait(wait * 1000)}.`, {
        retryAfterSeconds: wait,
      });
    }
  }

  /** The one place security events leave this service. */
  private securityEvent(entry: AuditEntry & { face: AuditFace }): void {
    try {
      this.deps.audit.append(entry);
    } catch (err) {
      this.log.error({ err, action: entry.action }, 'could not record a security event');
    }
  }
}

function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function describeWait(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  if (ms < 60_000) return `${Math.max(1, Math.ceil(ms / 1000))} seconds`;
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

function lockedError(msLeft: number): AppError {
  const seconds = Math.max(1, Math.ceil(msLeft / 1000));
  return new AppError(
    'locked',
    `Too many failed sign-ins: this account is locked for ${describeWait(msLeft)}. An administrator can unlock it sooner.`,
    { retryAfterSeconds: seconds },
  );
}
