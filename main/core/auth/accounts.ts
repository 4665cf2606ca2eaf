import { randomInt } from 'node:crypto';
import type { UserInfo, SessionUser } from '../../../shared/contract/auth.js';
import type { AuditActor } from '../audit/trail.js';
import type { Store } from '../db/store.js';
import type { UsersTable } from '../db/tables.js';
import type { Principal } from '../dispatch.js';
import { AppError, notFound } from '../errors.js';

/** The key that makes usernames unique regardless of case and Unicode form. */
export function usernameKey(username: string): string {
  return username.trim().normalize('NFKC').toLowerCase();
}

const TEMP_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no 0/o, 1/l/i

/** A temporary password to hand over in person: 4 groups of 5 (about 99 bits), easy to read out. */
export function temporaryPassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let group = '';
    for (let i = 0; i < 5; i++) group += TEMP_ALPHABET[randomInt(TEMP_ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}

export function sessionUserOf(row: UsersTable): SessionUser {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    mustChangePassword: row.must_change_password === 1,
  };
}

export function userInfoOf(row: UsersTable, now: Date, activeSessions: number): UserInfo {
  return {
    ...sessionUserOf(row),
    disabled: row.disabled === 1,
    lockedUntil: row.locked_until && new Date(row.locked_until) > now ? row.locked_until : null,
    lastSignInAt: row.last_sign_in_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    activeSessions,
  };
}

export function userActor(user: Pick<UsersTable, 'id' | 'username' | 'role'>): AuditActor {
  return { type: 'user', id: user.id, name: user.username, role: user.role };
}

export function principalActor(p: Principal): AuditActor {
  return { type: 'user', id: p.userId, name: p.username, role: p.role };
}

/** An account by its id; `not_found` when there is none. */
export function userOrThrow(store: Store, userId: string): UsersTable {
  const user = store.get(store.db.selectFrom('users').selectAll().where('id', '=', userId));
  if (!user) throw notFound('There is no such staff member.');
  return user;
}

/** The refusal of a username another account already has (in any case or Unicode form). */
export function usernameTaken(username: string): AppError {
  return new AppError('conflict', `The username "${username}" is taken.`, {
    issues: [{ path: 'username', message: 'This username is taken.' }],
  });
}
