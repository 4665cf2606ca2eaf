import { randomUUID } from 'node:crypto';
import type { UserInfo } from '../../../shared/contract/auth.js';
import type { Role } from '../../../shared/permissions.js';
import type { UsersTable } from '../db/tables.js';
import type { Principal } from '../dispatch.js';
import { conflict } from '../errors.js';
import { principalActor, temporaryPassword, userInfoOf, usernameKey, usernameTaken, userOrThrow } from './accounts.js';
import type { AuthContext, Caller } from './ports.js';
import type { SessionGrants } from './session-grants.js';

const iso = (d: Date) => d.toISOString();

/**
 * Staff accounts as an administrator keeps them: listed, created with a
 * temporary password, renamed, given another role, disabled, their password
 * reset, unlocked. A change that takes rights away ends the account's sessions;
 * LexDesk always keeps one active administrator.
 */
export class AccountAdmin {
  constructor(
    private readonly ctx: AuthContext,
    private readonly grants: SessionGrants,
  ) {}

  userCount(): number {
    const store = this.ctx.deps.store();
    return (store.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  listUsers(): UserInfo[] {
    const store = this.ctx.deps.store();
    const now = this.ctx.deps.clock.now();
    const rows = store.all(store.db.selectFrom('users').selectAll().orderBy('username_key'));
    return rows.map((row) => userInfoOf(row, now, this.ctx.sessions.countLive(row.id)));
  }

  userInfo(userId: string): UserInfo {
    return userInfoOf(userOrThrow(this.ctx.deps.store(), userId), this.ctx.deps.clock.now(), this.ctx.sessions.countLive(userId));
  }

  async createUser(input: { username: string; displayName: string; role: Role }): Promise<{ user: UsersTable; temporaryPassword: string }> {
    const password = temporaryPassword();
    const hash = await this.ctx.passwords.hash(password, this.ctx.deps.config.auth.bcryptCost);
    const store = this.ctx.deps.store();
    const user = store.tx(() => {
      const taken = store.get(store.db.selectFrom('users').select('id').where('username_key', '=', usernameKey(input.username)));
      if (taken) throw usernameTaken(input.username);
      return this.insertUser({ username: input.username, displayName: input.displayName, role: input.role, hash, mustChange: true });
    });
    return { user, temporaryPassword: password };
  }

  /** Inserts an account with a ready hash (tests and the CLI use it through `createUser`-like helpers). */
  insertUser(input: { username: string; displayName: string; role: Role; hash: string; mustChange: boolean }): UsersTable {
    const store = this.ctx.deps.store();
    const now = iso(this.ctx.deps.clock.now());
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
      last_failed_at: null,
      password_changed_at: now,
      last_sign_in_at: null,
      created_at: now,
      updated_at: now,
    };
    try {
      store.run(store.db.insertInto('users').values(row));
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw usernameTaken(input.username);
      throw err;
    }
    return row;
  }

  updateUser(
    by: Principal,
    input: { userId: string; displayName?: string; role?: Role; disabled?: boolean },
    caller: Caller,
  ): { user: UsersTable; ended: number; changes: Record<string, unknown> } {
    const store = this.ctx.deps.store();
    const now = iso(this.ctx.deps.clock.now());
    const { user, changes } = store.tx(() => {
      const user = userOrThrow(store, input.userId);
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
    if (changes.disabled === true) ended = this.grants.endSessionsOf(user, 'user-disabled', { by: principalActor(by), caller });
    else if (changes.role !== undefined) ended = this.grants.endSessionsOf(user, 'role-changed', { by: principalActor(by), caller });
    return { user: userOrThrow(store, user.id), ended, changes };
  }

  async resetPassword(by: Principal, userId: string, caller: Caller): Promise<{ user: UsersTable; temporaryPassword: string; ended: number }> {
    const user = userOrThrow(this.ctx.deps.store(), userId);
    const password = temporaryPassword();
    const hash = await this.ctx.passwords.hash(password, this.ctx.deps.config.auth.bcryptCost);
    const store = this.ctx.deps.store();
    const now = iso(this.ctx.deps.clock.now());
    store.run(
      store.db
        .updateTable('users')
        .set({ password_hash: hash, must_change_password: 1, failed_attempts: 0, locked_until: null, password_changed_at: now, updated_at: now })
        .where('id', '=', user.id),
    );
    const ended = this.grants.endSessionsOf(user, 'password-reset', { by: principalActor(by), caller });
    return { user: userOrThrow(store, user.id), temporaryPassword: password, ended };
  }

  unlock(userId: string): { user: UsersTable; wasLocked: boolean } {
    const store = this.ctx.deps.store();
    const user = userOrThrow(store, userId);
    const wasLocked = Boolean(user.locked_until && new Date(user.locked_until) > this.ctx.deps.clock.now());
    store.run(
      store.db
        .updateTable('users')
        .set({ failed_attempts: 0, locked_until: null, updated_at: iso(this.ctx.deps.clock.now()) })
        .where('id', '=', user.id),
    );
    return { user: userOrThrow(store, userId), wasLocked };
  }

  private activeAdminCount(): number {
    const store = this.ctx.deps.store();
    return (store.prepare("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled = 0").get() as { n: number }).n;
  }
}
