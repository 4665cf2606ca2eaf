import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionGrant, SessionInfo, UserInfo } from '../../../shared/contract/auth.js';
import type { Role } from '../../../shared/permissions.js';
import type { AuditEntry, AuditFace } from '../audit/trail.js';
import type { UsersTable } from '../db/tables.js';
import type { Authenticator, Principal } from '../dispatch.js';
import { AppError, conflict } from '../errors.js';
import type { Logger } from '../log.js';
import { isLoopback } from '../net/addresses.js';
import { getOrCreateSecret } from '../secrets.js';
import { userOrThrow } from './accounts.js';
import { AccountAdmin } from './admin.js';
import { PasswordWorkers } from './passwords.js';
import { assertAcceptablePassword } from './policy.js';
import type { AuthContext, AuthDeps, Caller } from './ports.js';
import { SessionGrants } from './session-grants.js';
import { SessionStore, type EndReason } from './sessions.js';
import { PasswordSignIn } from './signin.js';
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

export { isLoopback };

/** The secret-store entry keying the hashes of usernames typed at sign-in that have no account. */
export const SIGNIN_NAME_KEY_SECRET = 'signin-name-key';

/**
 * Staff sign-in: accounts, first-run set-up, password sign-in with lockout and
 * per-address limits, sessions with rotating refresh tokens, access tokens, and
 * the Authenticator the dispatch door asks on every call. The work is done by its
 * parts: signin.ts (every password check), session-grants.ts (sessions and their
 * tokens) and admin.ts (account administration); this class starts them, holds
 * the first run and the door's authenticator, and is the one API the handlers,
 * the CLI and the backups use.
 */
export class AuthService {
  readonly name = 'auth';
  readonly sessions: SessionStore;
  readonly passwords: PasswordWorkers;
  private tokens: AccessTokens | null = null;
  private setupCode: string | null = null;
  private readonly log: Logger;
  private readonly grants: SessionGrants;
  private readonly signIn: PasswordSignIn;
  private readonly accounts: AccountAdmin;
  private pruneTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: AuthDeps) {
    this.sessions = new SessionStore(deps.store, deps.clock, deps.config.auth);
    this.passwords = new PasswordWorkers({
      size: deps.workers,
      onFallback: (reason) =>
        deps.log.error({ reason }, 'password worker threads cannot start; hashing on the main thread (the app may stutter at sign-in)'),
    });
    this.log = deps.log.child({ component: 'auth' });
    const ctx: AuthContext = {
      deps,
      log: this.log,
      sessions: this.sessions,
      passwords: this.passwords,
      securityEvent: (entry) => this.securityEvent(entry),
    };
    this.grants = new SessionGrants(ctx, () => this.accessTokens);
    this.signIn = new PasswordSignIn(ctx, this.grants);
    this.accounts = new AccountAdmin(ctx, this.grants);
  }

  // ---- life -------------------------------------------------------------------------------------

  async start(): Promise<void> {
    const { value, created } = await getOrCreateSecret(this.deps.secrets, JWT_SECRET_NAME, () =>
      randomBytes(32).toString('base64url'),
    );
    this.tokens = new AccessTokens(value, this.deps.clock, this.deps.config.auth.accessTokenTtlMs);
    const source = 'sourceOf' in this.deps.secrets ? (this.deps.secrets as { sourceOf(n: string): string }).sourceOf(JWT_SECRET_NAME) : this.deps.secrets.kind;
    this.log.info({ secretStore: this.deps.secrets.kind, source, created }, `JWT signing key ${created ? 'created in' : 'read from'} ${source}`);
    let nameKey: Buffer;
    try {
      const stored = await getOrCreateSecret(this.deps.secrets, SIGNIN_NAME_KEY_SECRET, () => randomBytes(32).toString('base64url'));
      nameKey = Buffer.from(stored.value, 'utf8');
    } catch (err) {
      // only the hashes of unknown usernames in the audit trail depend on it: a key for this run will do
      this.log.warn({ err }, 'could not keep the key of unknown-username hashes; using one for this run only');
      nameKey = randomBytes(32);
    }
    this.signIn.prepare(nameKey);
    this.pruneEndedSessions();
    this.pruneTimer = setInterval(() => this.pruneEndedSessions(), 3_600_000);
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

  /**
   * Sessions that ended (or idled out) over 30 days ago go, with their used
   * refresh-token hashes; so do unknown usernames whose failures are forgotten.
   */
  private pruneEndedSessions(): void {
    try {
      const removed = this.sessions.prune(30 * 86_400_000);
      if (removed > 0) this.log.info({ removed }, 'old sessions removed');
      this.signIn.prunePhantoms();
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
    return this.accounts.userCount();
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
    this.firstRunOnly(input.setupCode, caller);
    const user = await this.createFirstAdmin(input, caller);
    const grant = await this.grants.openSession(user, caller, input.deviceName);
    return { grant, user };
  }

  /**
   * What only the first run may do (create the administrator, restore the office
   * from its backups): refused once any account exists, limited like sign-in, and
   * from another computer than the server only with the one-time set-up code.
   */
  firstRunOnly(setupCode: string | undefined, caller: Caller): void {
    this.signIn.limit(caller);
    if (this.userCount() > 0) throw conflict('LexDesk already has an administrator. Sign in instead.');
    const input = { setupCode };
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
  }

  // ---- passwords (signin.ts) --------------------------------------------------------------------

  /** Password sign-in, with lockout and per-address limits. */
  login(input: { username: string; password: string; deviceName?: string }, caller: Caller): Promise<{ grant: SessionGrant; user: UsersTable }> {
    return this.signIn.login(input, caller);
  }

  /** The signed-in user's password asked again before a grave act; false when wrong, `locked` when locked. */
  confirmPassword(userId: string, password: string, caller: Caller): Promise<boolean> {
    return this.signIn.confirmPassword(userId, password, caller);
  }

  changePassword(principal: Principal, current: string, next: string, caller: Caller): Promise<{ user: UsersTable; ended: number }> {
    return this.signIn.changePassword(principal, current, next, caller);
  }

  // ---- sessions (session-grants.ts) -------------------------------------------------------------

  /** Rotates the refresh token; a reused one ends its whole session. */
  refresh(refreshToken: string | undefined, caller: Caller): Promise<{ grant: SessionGrant; user: UsersTable }> {
    return this.grants.refresh(refreshToken, caller);
  }

  logout(principal: Principal): boolean {
    return this.grants.logout(principal);
  }

  /** Ends every live session but `except`, for every user (after a restore). Returns how many ended. */
  endAllSessions(reason: EndReason, caller: Caller, except?: string): number {
    return this.grants.endAllSessions(reason, caller, except);
  }

  listSessions(userId: string, currentSessionId?: string): SessionInfo[] {
    return this.grants.listSessions(userId, currentSessionId);
  }

  /** Ends one of the principal's own sessions; `not_found` for anyone else's. */
  revokeOwnSession(principal: Principal, sessionId: string): boolean {
    return this.grants.revokeOwnSession(principal, sessionId);
  }

  revokeOtherSessions(principal: Principal, caller: Caller): number {
    return this.grants.revokeOtherSessions(principal, caller);
  }

  /** Ends any session (admin); false when it had already ended, `not_found` when unknown. */
  revokeAnySession(sessionId: string): { ended: boolean; userId: string } {
    return this.grants.revokeAnySession(sessionId);
  }

  // ---- user administration (admin.ts) -----------------------------------------------------------

  listUsers(): UserInfo[] {
    return this.accounts.listUsers();
  }

  userInfo(userId: string): UserInfo {
    return this.accounts.userInfo(userId);
  }

  createUser(input: { username: string; displayName: string; role: Role }): Promise<{ user: UsersTable; temporaryPassword: string }> {
    return this.accounts.createUser(input);
  }

  /** Inserts an account with a ready hash (tests and the CLI use it through `createUser`-like helpers). */
  insertUser(input: { username: string; displayName: string; role: Role; hash: string; mustChange: boolean }): UsersTable {
    return this.accounts.insertUser(input);
  }

  updateUser(
    by: Principal,
    input: { userId: string; displayName?: string; role?: Role; disabled?: boolean },
    caller: Caller,
  ): { user: UsersTable; ended: number; changes: Record<string, unknown> } {
    return this.accounts.updateUser(by, input, caller);
  }

  resetPassword(by: Principal, userId: string, caller: Caller): Promise<{ user: UsersTable; temporaryPassword: string; ended: number }> {
    return this.accounts.resetPassword(by, userId, caller);
  }

  unlock(userId: string): { user: UsersTable; wasLocked: boolean } {
    return this.accounts.unlock(userId);
  }

  userOrThrow(userId: string): UsersTable {
    return userOrThrow(this.deps.store(), userId);
  }

  // ---- internals --------------------------------------------------------------------------------

  /** The one place security events leave sign-in (its parts call it through their context). */
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
