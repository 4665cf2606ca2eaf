import { createHmac, randomBytes } from 'node:crypto';
import type { SessionGrant } from '../../../shared/contract/auth.js';
import type { AuditActor } from '../audit/trail.js';
import type { UsersTable } from '../db/tables.js';
import type { Principal } from '../dispatch.js';
import { AppError } from '../errors.js';
import { clientKey } from '../net/addresses.js';
import { principalActor, userActor, userOrThrow, usernameKey } from './accounts.js';
import { assertAcceptablePassword } from './policy.js';
import type { AuthContext, Caller } from './ports.js';
import { LEGACY_BCRYPT, RESET_REQUIRED } from './password-marks.js';
import type { Lane } from './passwords.js';
import { AttemptLimiter, RecentFailures } from './rate-limit.js';
import type { SessionGrants } from './session-grants.js';

const BAD_CREDENTIALS = 'The username or password is not right.';

const iso = (d: Date) => d.toISOString();

/** Failures older than this are forgotten, for real accounts and unknown names alike. */
export const FAILURE_MEMORY_MS = 24 * 3_600_000;

/**
 * A username as the audit trail may show it when no account has it: the first and
 * last character around three dots (`m•••a`), never the text itself, which is
 * often a password typed into the wrong field.
 */
export function maskUsername(text: string): string {
  const chars = [...text.trim()];
  if (chars.length <= 2) return '•••';
  return `${chars[0]}•••${chars[chars.length - 1]}`;
}

/**
 * Everything that checks a password: sign-in, the password asked again before a
 * grave act, and the password changed by its owner. Consecutive wrong passwords
 * lock the account; unknown usernames lock the same way, in the same database
 * (signin_lockouts, by keyed hash), and both forget failures after a quiet day.
 * In headless mode each address (IPv6: each /64) has its own limit on attempts.
 * Under a burst the password workers serve addresses fairly (passwords.ts), and
 * each username has a budget of checks at once that holds across addresses: no
 * more in flight than failures left before its lockout.
 */
export class PasswordSignIn {
  private readonly limiter: AttemptLimiter;
  /** addresses with failures in the last window wait behind those without */
  private readonly recentFailures: RecentFailures;
  /** checks in flight per username (keyed hash) */
  private readonly inFlight = new Map<string, number>();
  private dummyHash: Promise<string> | null = null;
  private nameKey: Buffer = randomBytes(32);

  constructor(
    private readonly ctx: AuthContext,
    private readonly grants: SessionGrants,
  ) {
    const { signInLimitPerAddress, signInLimitWindowMs } = ctx.deps.config.auth;
    this.limiter = new AttemptLimiter(signInLimitPerAddress, signInLimitWindowMs);
    this.recentFailures = new RecentFailures(signInLimitWindowMs);
  }

  /**
   * Hashes the password that unknown usernames are checked against, so that they
   * take as long as real ones; `nameKey` keys the hashes of typed usernames.
   */
  prepare(nameKey?: Buffer): void {
    if (nameKey) this.nameKey = nameKey;
    this.dummyHash = this.ctx.passwords.hash(randomBytes(16).toString('hex'), this.ctx.deps.config.auth.bcryptCost);
    this.dummyHash.catch(() => undefined);
  }

  /** The keyed hash of a folded username: how unknown names are kept and recorded. */
  nameHash(key: string): string {
    return createHmac('sha256', this.nameKey).update(key, 'utf8').digest('hex').slice(0, 32);
  }

  /**
   * Password sign-in. An unknown username, a wrong password and a disabled
   * account all get the same answer after the same bcrypt work. After
   * `lockoutThreshold` consecutive failures the account is locked (`locked`, with
   * the time left); unknown usernames lock the same way.
   */
  async login(
    input: { username: string; password: string; deviceName?: string },
    caller: Caller,
  ): Promise<{ grant: SessionGrant; user: UsersTable }> {
    this.limit(caller);
    const { deps } = this.ctx;
    const { lockoutThreshold } = deps.config.auth;
    const key = usernameKey(input.username);
    const nameHash = this.nameHash(key);
    const store = deps.store();
    const now = deps.clock.now();
    const user = store.get(store.db.selectFrom('users').selectAll().where('username_key', '=', key));
    const found = user ? accountState(user, now) : this.phantomState(nameHash, now);
    // a lock never lasts longer than the lockout: a clock set back must not stretch it (the shorter end is kept)
    const latest = now.getTime() + deps.config.auth.lockoutMs;
    const state = { ...found, lockedUntil: found.lockedUntil === null ? null : Math.min(found.lockedUntil, latest) };
    if (found.lockedUntil !== null && found.lockedUntil > latest) {
      try {
        const until = iso(new Date(latest));
        if (user) store.run(store.db.updateTable('users').set({ locked_until: until }).where('id', '=', user.id));
        else store.run(store.db.updateTable('signin_lockouts').set({ locked_until: until }).where('name_hash', '=', nameHash));
      } catch {
        // the lock holds all the same; only its end is not shortened yet
      }
    }

    if (state.lockedUntil !== null) {
      this.ctx.securityEvent({
        actor: this.attemptActor(user, input.username),
        face: caller.face,
        action: 'security.login.failed',
        target: user ? { type: 'user', id: user.id } : undefined,
        outcome: 'denied',
        errorCode: 'locked',
        details: { reason: 'locked', ...this.attemptedName(user, input.username, nameHash) },
        address: caller.address,
        requestId: caller.requestId,
      });
      throw lockedError(state.lockedUntil - now.getTime());
    }

    // the username's budget: no more checks at once than failures left before the lock
    const budget = Math.max(1, lockoutThreshold - state.failures);
    const running = this.inFlight.get(nameHash) ?? 0;
    if (running >= budget) {
      throw new AppError('rate_limited', 'Another sign-in to this account is being checked. Try again in a moment.', {
        retryAfterSeconds: 2,
      });
    }
    this.inFlight.set(nameHash, running + 1);
    let matches: boolean;
    try {
      // an account whose password must be reset (imported in plain text) takes as long as any other to refuse
      const hash = user && user.password_hash !== RESET_REQUIRED ? user.password_hash : await this.dummyHash!;
      matches = await this.ctx.passwords.verify(input.password, hash, this.laneOf(caller, nameHash));
    } finally {
      const left = (this.inFlight.get(nameHash) ?? 1) - 1;
      if (left > 0) this.inFlight.set(nameHash, left);
      else this.inFlight.delete(nameHash);
    }

    if (!user || !matches || user.disabled) {
      const reason = !user ? 'unknown username' : !matches ? 'wrong password' : 'account disabled';
      this.recentFailures.fail(clientKey(caller.address), now.getTime());
      let lockedNow: number | null = null;
      if (user && !matches) {
        lockedNow = this.countFailure(user, input.username, reason, caller, now);
      } else if (!user) {
        lockedNow = this.countPhantomFailure(nameHash, input.username, caller, now);
      } else {
        this.recordLoginFailure(input.username, user, reason, caller, null);
      }
      if (lockedNow !== null) throw lockedError(lockedNow - now.getTime());
      throw new AppError('unauthenticated', BAD_CREDENTIALS);
    }

    store.run(
      store.db
        .updateTable('users')
        .set({ failed_attempts: 0, locked_until: null, last_failed_at: null, last_sign_in_at: iso(now) })
        .where('id', '=', user.id),
    );
    if (user.password_hash.startsWith(LEGACY_BCRYPT)) await this.upgradeLegacyHash(user, input.password);
    const grant = await this.grants.openSession(user, caller, input.deviceName);
    return { grant, user };
  }

  /** A hash imported from the old bot becomes a LexDesk hash (pre-hashed, this cost) once its password is known. */
  private async upgradeLegacyHash(user: UsersTable, password: string): Promise<void> {
    const store = this.ctx.deps.store();
    const hash = await this.ctx.passwords.hash(password, this.ctx.deps.config.auth.bcryptCost);
    store.run(
      store.db
        .updateTable('users')
        .set({ password_hash: hash, updated_at: iso(this.ctx.deps.clock.now()) })
        .where('id', '=', user.id)
        .where('password_hash', '=', user.password_hash),
    );
  }

  /** Whose attempt a check is, for the password workers' fair queue. */
  private laneOf(caller: Caller, nameHash: string): Lane {
    const address = clientKey(caller.address);
    const sources = address ? [`a:${address}`, `u:${nameHash}`] : [`u:${nameHash}`];
    return { sources, suspect: this.recentFailures.has(address, this.ctx.deps.clock.now().getTime()) };
  }

  private phantomState(nameHash: string, now: Date): { failures: number; lockedUntil: number | null } {
    const store = this.ctx.deps.store();
    const row = store.get(store.db.selectFrom('signin_lockouts').selectAll().where('name_hash', '=', nameHash));
    if (!row) return { failures: 0, lockedUntil: null };
    return stateOf(row.failures, row.locked_until, row.last_failed_at, now);
  }

  /** Counts a failure of a username that has no account, exactly as countFailure does for one that has. */
  private countPhantomFailure(nameHash: string, attempted: string, caller: Caller, now: Date): number | null {
    const store = this.ctx.deps.store();
    const { lockoutThreshold, lockoutMs } = this.ctx.deps.config.auth;
    return store.tx(() => {
      const failures = this.phantomState(nameHash, now).failures + 1;
      const lockedNow = failures >= lockoutThreshold ? now.getTime() + lockoutMs : null;
      const values = {
        failures: lockedNow !== null ? 0 : failures,
        locked_until: lockedNow !== null ? iso(new Date(lockedNow)) : null,
        last_failed_at: iso(now),
      };
      store.run(
        store.db
          .insertInto('signin_lockouts')
          .values({ name_hash: nameHash, ...values })
          .onConflict((oc) => oc.column('name_hash').doUpdateSet(values)),
      );
      this.recordLoginFailure(attempted, undefined, 'unknown username', caller, lockedNow, nameHash);
      return lockedNow;
    });
  }

  /**
   * Forgets unknown names whose failures and lock are over: the same quiet time
   * after which a real account's failures no longer count, so the two look alike.
   */
  prunePhantoms(): number {
    const store = this.ctx.deps.store();
    const now = this.ctx.deps.clock.now();
    const cutoff = iso(new Date(now.getTime() - FAILURE_MEMORY_MS));
    return store.run(
      store.db
        .deleteFrom('signin_lockouts')
        .where('last_failed_at', '<', cutoff)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', iso(now))])),
    ).changes;
  }

  private attemptActor(user: UsersTable | undefined, attempted: string): AuditActor {
    return user ? userActor(user) : { type: 'anonymous', name: maskUsername(attempted) };
  }

  /** What a failed attempt records of the name typed: the account's username, or for no account a keyed hash and a masked form. */
  private attemptedName(user: UsersTable | undefined, attempted: string, nameHash: string): Record<string, string> {
    return user ? { username: user.username } : { usernameHash: nameHash, username: maskUsername(attempted) };
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
    const address = clientKey(caller.address);
    if (caller.face !== 'headless' || !address) return;
    const wait = this.limiter.hit(address, this.ctx.deps.clock.now().getTime());
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
      const fresh = store.get(store.db.selectFrom('users').selectAll().where('id', '=', user.id))!;
      const failures = accountState(fresh, now).failures + 1;
      const lockedNow = failures >= lockoutThreshold ? now.getTime() + lockoutMs : null;
      const last_failed_at = iso(now);
      if (lockedNow !== null) {
        store.run(
          store.db.updateTable('users').set({ failed_attempts: 0, locked_until: iso(new Date(lockedNow)), last_failed_at }).where('id', '=', user.id),
        );
      } else {
        store.run(store.db.updateTable('users').set({ failed_attempts: failures, last_failed_at }).where('id', '=', user.id));
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
    nameHash = this.nameHash(usernameKey(attempted)),
  ): void {
    const actor = this.attemptActor(user, attempted);
    const target = user ? { type: 'user', id: user.id } : undefined;
    const name = this.attemptedName(user, attempted, nameHash);
    this.ctx.securityEvent({
      actor,
      face: caller.face,
      action: 'security.login.failed',
      target,
      outcome: 'denied',
      errorCode: 'unauthenticated',
      details: { reason, ...name },
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
        details: { until: iso(new Date(lockedUntil)), ...name, known: Boolean(user) },
        address: caller.address,
        requestId: caller.requestId,
      });
    }
  }
}

/** Failures that still count and the lock's end, forgetting failures after a quiet day. */
function stateOf(failures: number, lockedUntil: string | null, lastFailedAt: string | null, now: Date): { failures: number; lockedUntil: number | null } {
  const locked = lockedUntil && new Date(lockedUntil) > now ? new Date(lockedUntil).getTime() : null;
  const stale = lastFailedAt !== null && now.getTime() - new Date(lastFailedAt).getTime() > FAILURE_MEMORY_MS;
  return { failures: stale ? 0 : failures, lockedUntil: locked };
}

function accountState(user: UsersTable, now: Date): { failures: number; lockedUntil: number | null } {
  return stateOf(user.failed_attempts, user.locked_until, user.last_failed_at, now);
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
