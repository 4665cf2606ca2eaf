import { randomBytes } from 'node:crypto';
import type { Result } from '../../shared/errors.js';
import type { SessionGrant } from '../../shared/contract/auth.js';
import type { Role } from '../../shared/permissions.js';
import type { Core } from '../../main/core/app.js';
import type { CallContext } from '../../main/core/dispatch.js';
import type { UsersTable } from '../../main/core/db/tables.js';

/** A password that passes the strength rules, for test accounts. */
export const TEST_PASSWORD = 'Ample lantern quartz 73 harbor';

export interface TestUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  password: string;
  row: UsersTable;
}

export interface SignedIn {
  user: TestUser;
  /** the access token (a real JWT from the core) */
  token: string;
  refreshToken: string;
  sessionId: string;
  grant: SessionGrant;
  /** the call context carrying this session's access token */
  context: CallContext;
  /** a call through core.dispatcher as this user: the whole door (authentication, role, audit) */
  call(name: string, input?: unknown): Promise<Result<unknown>>;
  /** the value of a successful call; throws with the error code otherwise */
  ok<T = unknown>(name: string, input?: unknown): Promise<T>;
}

/**
 * Creates a staff account straight in the database (bcrypt at the core's cost:
 * startTestCore uses cost 4, so this is fast). The password is `TEST_PASSWORD`
 * unless given; the account does not have to change it.
 *
 *   const user = await createUser(core, { role: 'assistant' });
 */
export async function createUser(
  core: Core,
  options: { role?: Role; username?: string; displayName?: string; password?: string; mustChangePassword?: boolean } = {},
): Promise<TestUser> {
  const role = options.role ?? 'lawyer';
  const username = options.username ?? `${role}-${randomBytes(4).toString('hex')}`;
  const displayName = options.displayName ?? `Test ${role}`;
  const password = options.password ?? TEST_PASSWORD;
  const { auth, config } = core.services;
  const hash = await auth.passwords.hash(password, config.auth.bcryptCost);
  const row = auth.insertUser({ username, displayName, role, hash, mustChange: options.mustChangePassword ?? false });
  return { id: row.id, username, displayName, role, password, row };
}

/**
 * Signs a user in through the real door (`auth.login`) and returns helpers that
 * call operations with the access token, exactly as a face would.
 *
 *   const lawyer = await signIn(core, await createUser(core, { role: 'lawyer' }));
 *   await lawyer.ok('auth.sessions.list');
 */
export async function signIn(
  core: Core,
  user: TestUser,
  options: { face?: CallContext['face']; deviceName?: string; address?: string } = {},
): Promise<SignedIn> {
  const face = options.face ?? 'headless';
  const result = await core.dispatcher.dispatch(
    'auth.login',
    { username: user.username, password: user.password, ...(options.deviceName ? { deviceName: options.deviceName } : {}) },
    { face, address: options.address },
  );
  if (!result.ok) throw new Error(`sign-in of ${user.username} failed: ${result.error.code}: ${result.error.message}`);
  const grant = result.value as SessionGrant;
  const context: CallContext = { face, token: grant.accessToken, address: options.address };
  return {
    user,
    token: grant.accessToken,
    refreshToken: grant.refreshToken,
    sessionId: grant.sessionId,
    grant,
    context,
    call: (name, input = {}) => core.dispatcher.dispatch(name, input, context),
    async ok<T>(name: string, input: unknown = {}): Promise<T> {
      const answer = await core.dispatcher.dispatch(name, input, context);
      if (!answer.ok) throw new Error(`${name} failed: ${answer.error.code}: ${answer.error.message}`);
      return answer.value as T;
    },
  };
}

/**
 * A new account with `role`, signed in: the shortest way to call the real door as
 * a staff member.
 *
 *   const core = await startTestCore();
 *   const admin = await signedInAs(core, 'admin');
 *   const { users } = await admin.ok<{ users: unknown[] }>('users.list');
 */
export async function signedInAs(
  core: Core,
  role: Role,
  options: Parameters<typeof createUser>[1] & { face?: CallContext['face'] } = {},
): Promise<SignedIn> {
  const user = await createUser(core, { ...options, role });
  return signIn(core, user, { face: options.face });
}
