import { randomBytes } from 'node:crypto';
import type { SessionGrant } from '../../../shared/contract/auth.js';
import type { AuditActor } from '../audit/trail.js';
import type { UsersTable } from '../db/tables.js';
import type { Principal } from '../dispatch.js';
import { AppError } from '../errors.js';
import { principalActor, userActor, userOrThrow, usernameKey } from './accounts.js';
import { assertAcceptablePassword } from './policy.js';
import type { AuthContext, Caller } from './ports.js';
import { AttemptLimiter, PhantomLockouts } from './rate-limit.js';
import type { SessionGrants } from './session-grants.js';

const BAD_CREDENTIALS = 'The username or password is not right.';

const iso = (d: Date) => d.toISOString();

/**
 * Everything that checks a password: sign-in, the password asked again before a
 * grave act, and the password changed by its owner. Consecutive wrong passwords
 * lock the account (unknown usernames lock the same way, in memory); in headless
 * mode each address has its own limit on attempts.
 */
export class PasswordSignIn {
  private readonly limiter: AttemptLimiter;
  private readonly phantoms = new PhantomLockouts();
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly ctx: AuthContext,
    private readonly grants: SessionGrants,
  ) {
    this.limiter = new AttemptLimiter(ctx.deps.config.auth.signInLimitPerAddress, ctx.deps.config.auth.signInLimitWindowMs);
  }

  /** Hashes the password that unknown usernames are checked against, so that they take as long as real ones. */
  prepare(): void {
    this.dummyHash = this.ctx.passwords.hash(randomBytes(16).toString('hex'), this.ctx.deps.config.auth.bcryptCost);
    this.dummyHash.catch(() => undefined);
  }

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
    const { deps } = this.ctx;
    const { lockoutThreshold, lockoutMs } = deps.config.auth;
    const key = usernameKey(input.username);
    const store = deps.store();
    const now = deps.clock.now();
    const user = store.get(store.db.selectFrom('users').selectAll().where('username_key', '=', key));

    const lockedUntil = user
      ? user.locked_until && new Date(user.locked_until) > now
        ? new Date(user.locked_until).getTime()
        : null
      : this.phantoms.lockedUntil(key, now.getTime());
    if (lockedUntil !== null) {
      this.ctx.securityEvent({
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
    const matches = await this.ctx.passwords.verify(input.password, hash);

    if (!user || !matches || user.disabled) {
      const reason = !user ? 'unknown username' : !matches ? 'wrong password' : 'account disabled';
      let lockedNow: number | null = null;
      if (user && !matches) {
        lockedNow = this.countFailure(user, input.username, reason, caller, now);
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
    const grant = await this.grants.openSession(user, caller, input.deviceName);
    return { grant, user };
  }

  /**
   * The signed-in user's password asked again before a grave act (restoring a
   * backup, the backup passphrase). False when wrong; `locked` when locked.
   */
  async confirmPassword(userId: string, password: string, caller: Caller): Promise<boolean> {
    const user = userOrThrow(this.ctx.deps.store(), userId);
    assertNotLocked(user, this.ctx.deps.clock.now());
    return this.passwordMatches(user, password, 'wrong password confirmation', caller);
  }

  async changePassword(principal: Principal, current: string, next: string, caller: Caller): Promise<{ user: UsersTable; ended: number }> {
    const store = this.ctx.deps.store();
    const user = userOrThrow(store, principal.userId);
    const now = this.ctx.deps.clock.now();
    assertNotLocked(user, now);
    if (!(await this.passwordMatches(user, current, 'wrong current password', caller))) {
      const message = 'The current password is not right.';
      throw new AppError('invalid_input', message, { issues: [{ path: 'current', message }] });
    }
    if (current === next) {
      const message = 'Choose a new password, different from the current one.';
      throw new AppError('invalid_input', message, { issues: [{ path: 'next', message }] });
    }
    await assertAcceptablePassword(this.ctx.passwords, next, { username: user.username, displayName: user.display_name, field: 'next' });
    const hash = await this.ctx.passwords.hash(next, this.ctx.deps.config.auth.bcryptCost);
    store.run(
      store.db
        .updateTable('users')
        .set({ password_hash: hash, must_change_password: 0, failed_attempts: 0, password_changed_at: iso(now), updated_at: iso(now) })
        .where('id', '=', user.id),
    );
    const ended = this.grants.endSessionsOf(user, 'password-changed', { by: principalActor(principal), caller, except: principal.sessionId });
    return { user: userOrThrow(store, user.id), ended };
  }

  /** The per-address limit on sign-in and set-up attempts (headless mode); `rate_limited` over it. */
  limit(caller: Caller): void {
    if (caller.face !== 'headless' || !caller.address) return;
    const wait = this.limiter.hit(caller.address, this.ctx.deps.clock.now().getTime());
    if (wait !== null) {
      this.ctx.securityEvent({
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

  /**
   * Checks a signed-in user's password; wrong guesses count like failed sign-ins
   * (a borrowed session must not become a guessing machine) and lock the account
   * at the threshold, which throws `locked`.
   */
  private async passwordMatches(user: UsersTable, password: string, reason: string, caller: Caller): Promise<boolean> {
    const now = this.ctx.deps.clock.now();
    if (await this.ctx.passwords.verify(password, user.password_hash)) return true;
    const lockedNow = this.countFailure(user, user.username, reason, caller, now);
    if (lockedNow !== null) throw lockedError(lockedNow - now.getTime());
    return false;
  }

  /**
   * Counts a wrong password against the account, locking it at the threshold, and
   * records the failure (and the lockout) in the same transaction. Returns when the
   * lock ends, or null.
   */
  private countFailure(user: UsersTable, attempted: string, reason: string, caller: Caller, now: Date): number | null {
    const store = this.ctx.deps.store();
    const { lockoutThreshold, lockoutMs } = this.ctx.deps.config.auth;
    return store.tx(() => {
      const failures = store.get(store.db.selectFrom('users').select('failed_attempts').where('id', '=', user.id))!.failed_attempts + 1;
      const lockedNow = failures >= lockoutThreshold ? now.getTime() + lockoutMs : null;
      if (lockedNow !== null) {
        store.run(store.db.updateTable('users').set({ failed_attempts: 0, locked_until: iso(new Date(lockedNow)) }).where('id', '=', user.id));
      } else {
        store.run(store.db.updateTable('users').set({ failed_attempts: failures }).where('id', '=', user.id));
      }
      this.recordLoginFailure(attempted, user, reason, caller, lockedNow);
      return lockedNow;
    });
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
    this.ctx.securityEvent({
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
      this.ctx.securityEvent({
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
}

/** `locked` while wrong guesses keep the account locked. */
function assertNotLocked(user: UsersTable, now: Date): void {
  if (user.locked_until && new Date(user.locked_until) > now) {
    throw lockedError(new Date(user.locked_until).getTime() - now.getTime());
  }
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
