import { randomBytes } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_NAMES, operations, type OperationName } from '../../shared/contract/index.js';
import { roleAllows, type Role } from '../../shared/permissions.js';
import { JWT_SECRET_NAME, MUST_CHANGE_PASSWORD_OPERATIONS } from '../../main/core/auth/service.js';
import { Dispatcher, type Handler, type Handlers } from '../../main/core/dispatch.js';
import { silentLogger } from '../../main/core/log.js';
import { handlers } from '../../main/core/handlers.js';
import type { CoreServices } from '../../main/core/services.js';
import { signedInAs } from '../support/auth.js';
import { startTestCore, type TestCore } from '../support/core.js';

/**
 * Every operation of the contract × every kind of caller, with `{}` as input.
 * The expected verdict is computed from the operation's `access` and the role
 * table, so a new operation is covered without touching this file. The door
 * checks identity and role before it reads the input, so a caller it lets
 * through gets anything but `unauthenticated`/`forbidden` from the door: either
 * `invalid_input` or the handler's own answer.
 */

type Verdict = 'passes' | 'unauthenticated' | 'forbidden';
type CallerKind =
  | 'no token'
  | 'assistant'
  | 'lawyer'
  | 'admin'
  | 'expired token'
  | 'alg none token'
  | 'token signed with another key'
  | 'token of a revoked session'
  | 'admin who must change the password';

const CALLERS: CallerKind[] = [
  'no token',
  'assistant',
  'lawyer',
  'admin',
  'expired token',
  'alg none token',
  'token signed with another key',
  'token of a revoked session',
  'admin who must change the password',
];

function expectedVerdict(operation: OperationName, caller: CallerKind): Verdict {
  const access = operations[operation].access;
  if (access === 'public') return 'passes';
  const role: Role | null =
    caller === 'assistant' || caller === 'lawyer' || caller === 'admin'
      ? caller
      : caller === 'admin who must change the password'
        ? 'admin'
        : null;
  if (!role) return 'unauthenticated';
  if (caller === 'admin who must change the password' && !(MUST_CHANGE_PASSWORD_OPERATIONS as readonly string[]).includes(operation)) {
    return 'forbidden';
  }
  return roleAllows(role, access) ? 'passes' : 'forbidden';
}

let core: TestCore;
let door: Dispatcher<CoreServices>;
const reached = new Set<string>();
let key: Uint8Array;

beforeAll(async () => {
  core = await startTestCore();
  // the real handlers, noting which ones the door let a call reach
  const spied = Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [
      name,
      ((input: unknown, ctx: unknown) => {
        reached.add(name);
        return (handler as Handler<OperationName, CoreServices>)(input as never, ctx as never);
      }) as Handler<OperationName, CoreServices>,
    ]),
  ) as Handlers<CoreServices>;
  door = new Dispatcher<CoreServices>({
    services: core.services,
    handlers: spied,
    store: () => core.services.store,
    log: silentLogger,
    authenticator: core.services.auth.authenticator,
  });
  key = new TextEncoder().encode((await core.services.secrets.get(JWT_SECRET_NAME))!);
});

afterAll(async () => {
  await core?.dispose();
});

/** A fresh token for each case: some operations (logout, revokeOthers) end sessions. */
async function tokenFor(caller: CallerKind): Promise<string | undefined> {
  switch (caller) {
    case 'no token':
      return undefined;
    case 'assistant':
    case 'lawyer':
    case 'admin':
      return (await signedInAs(core, caller)).token;
    case 'admin who must change the password':
      return (await signedInAs(core, 'admin', { mustChangePassword: true })).token;
    case 'token of a revoked session': {
      const admin = await signedInAs(core, 'admin');
      await admin.ok('auth.logout');
      return admin.token;
    }
    default: {
      // a live admin session whose token is forged or stale in exactly one way
      const admin = await signedInAs(core, 'admin');
      const now = Math.floor(Date.now() / 1000);
      const claims = { role: 'admin', sid: admin.sessionId };
      const base = <T extends SignJWT | UnsecuredJWT>(jwt: T, iat: number, exp: number): T =>
        jwt
          .setSubject(admin.user.id)
          .setJti(randomBytes(8).toString('hex'))
          .setIssuedAt(iat)
          .setExpirationTime(exp)
          .setAudience('lexdesk')
          .setIssuer('lexdesk') as T;
      const signed = () => new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' });
      if (caller === 'expired token') return base(signed(), now - 3600, now - 60).sign(key);
      if (caller === 'alg none token') return base(new UnsecuredJWT(claims), now, now + 600).encode();
      return base(signed(), now, now + 600).sign(randomBytes(32));
    }
  }
}

describe('access matrix: every operation × every caller', () => {
  it('covers the whole contract', () => {
    expect(OPERATION_NAMES.length).toBeGreaterThan(10);
  });

  for (const operation of OPERATION_NAMES) {
    for (const caller of CALLERS) {
      const expected = expectedVerdict(operation, caller);
      it(`${operation} × ${caller} → ${expected}`, async () => {
        const token = await tokenFor(caller);
        reached.delete(operation);
        const result = await door.dispatch(operation, {}, { face: 'headless', token, address: '192.0.2.10' });
        const code = result.ok ? null : result.error.code;
        const verdict: Verdict | string =
          reached.has(operation) || code === 'invalid_input'
            ? 'passes'
            : code === 'unauthenticated' || code === 'forbidden'
              ? code
              : `unexpected ${code}`;
        expect(verdict).toBe(expected);
      });
    }
  }
});
