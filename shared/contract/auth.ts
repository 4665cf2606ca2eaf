import { z } from 'zod';
import { ROLES } from '../permissions.js';
import { defineOperation } from './define.js';
import { sensitive } from './sensitive.js';

/**
 * Staff accounts and sign-in. The refresh token never reaches a screen: the
 * operations in SESSION_GRANT_OPERATIONS return it in `refreshToken`, and each
 * face takes it out of the answer before the renderer sees it (headless: an
 * httpOnly cookie; desktop: kept per window in the main process, together with
 * the access token).
 */

export const Role = z.enum(ROLES);

/** Sign-in names: letters, digits and . _ @ -, 3 to 64 characters; unique without regard to case. */
export const Username = z
  .string()
  .trim()
  .min(3, 'A username has at least 3 characters.')
  .max(64, 'A username has at most 64 characters.')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N}._@-]*$/u, 'Use letters, digits and . _ @ - only, starting with a letter or digit.');

export const DisplayName = z
  .string()
  .trim()
  .min(1, 'Enter the name to show.')
  .max(100, 'A display name has at most 100 characters.');

/**
 * Any characters. The rules for a new password (12 to 128 characters, not common
 * or guessable, not containing the username) are checked by the core so that its
 * answer can say why; this only bounds what the door will carry.
 */
export const PasswordInput = sensitive(z.string().min(1, 'Enter a password.').max(512, 'A password has at most 128 characters.'));

export const SessionUser = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: Role,
  mustChangePassword: z.boolean(),
});
export type SessionUser = z.infer<typeof SessionUser>;

/** What sign-in, set-up and refresh return. The face removes `refreshToken` (and on the desktop `accessToken`). */
export const SessionGrant = z.object({
  accessToken: z.string(),
  /** when the access token expires (ISO time); refresh before then */
  expiresAt: z.string(),
  sessionId: z.string(),
  user: SessionUser,
  refreshToken: z.string(),
  /** when the refresh token stops working unless used (idle expiry, capped by the absolute one) */
  refreshExpiresAt: z.string(),
});
export type SessionGrant = z.infer<typeof SessionGrant>;

/** Operations whose answer opens or renews a session: the face keeps their tokens away from the screens. */
export const SESSION_GRANT_OPERATIONS = ['auth.setup', 'auth.login', 'auth.refresh'] as const;
/** Operations after which the face forgets the caller's tokens (also after any failed refresh). */
export const SESSION_END_OPERATIONS = ['auth.logout'] as const;

export const SessionInfo = z.object({
  id: z.string(),
  deviceName: z.string(),
  face: z.string(),
  address: z.string().nullable(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  current: z.boolean(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const UserInfo = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: Role,
  disabled: z.boolean(),
  mustChangePassword: z.boolean(),
  lockedUntil: z.string().nullable(),
  lastSignInAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  activeSessions: z.number().int(),
});
export type UserInfo = z.infer<typeof UserInfo>;

const Id = z.string().min(1).max(100);
const DeviceName = z.string().trim().max(100).optional();

export const authOperations = {
  'auth.status': defineOperation({
    summary: 'Whether LexDesk still needs its first administrator, and whether set-up needs the code from the log.',
    input: z.object({}).strict(),
    output: z.object({ needsSetup: z.boolean(), setupCodeRequired: z.boolean() }),
    access: 'public',
    audit: 'failures',
  }),
  'auth.setup': defineOperation({
    summary: 'First run: create the administrator and sign in. Refused once any account exists.',
    input: z
      .object({
        username: Username,
        displayName: DisplayName,
        password: PasswordInput,
        setupCode: sensitive(z.string().max(100)).optional(),
        deviceName: DeviceName,
      })
      .strict(),
    output: SessionGrant,
    access: 'public',
  }),
  'auth.login': defineOperation({
    summary: 'Sign in with username and password; opens a session (one device).',
    input: z
      .object({
        // sensitive: people type their password into this field too; the security event records the account, or a keyed hash
        username: sensitive(z.string().max(200)),
        password: PasswordInput,
        deviceName: DeviceName,
      })
      .strict(),
    output: SessionGrant,
    access: 'public',
  }),
  'auth.refresh': defineOperation({
    summary: 'Exchange the refresh token (cookie or main process) for a new access token and a new refresh token.',
    input: z.object({}).strict(),
    output: SessionGrant,
    access: 'public',
  }),
  'auth.logout': defineOperation({
    summary: 'End this session (sign out of this device).',
    input: z.object({}).strict(),
    output: z.object({ ended: z.boolean() }),
    access: 'authenticated',
  }),
  'auth.changePassword': defineOperation({
    summary: 'Change one\'s own password; other sessions are signed out.',
    input: z.object({ current: PasswordInput, next: PasswordInput }).strict(),
    output: z.object({ user: SessionUser, endedSessions: z.number().int() }),
    access: 'self',
  }),
  'auth.sessions.list': defineOperation({
    summary: 'My devices: the sessions open under my account.',
    input: z.object({}).strict(),
    output: z.object({ sessions: z.array(SessionInfo) }),
    access: 'self',
  }),
  'auth.sessions.revoke': defineOperation({
    summary: 'Sign out one of my devices.',
    input: z.object({ sessionId: Id }).strict(),
    output: z.object({ ended: z.boolean() }),
    access: 'self',
  }),
  'auth.sessions.revokeOthers': defineOperation({
    summary: 'Sign out all my devices but this one.',
    input: z.object({}).strict(),
    output: z.object({ ended: z.number().int() }),
    access: 'self',
  }),
  'users.list': defineOperation({
    summary: 'Every staff account with its role and state.',
    input: z.object({}).strict(),
    output: z.object({ users: z.array(UserInfo) }),
    access: 'users.manage',
  }),
  'users.create': defineOperation({
    summary: 'Create a staff account; answers with a temporary password to hand over (changed at first sign-in).',
    input: z.object({ username: Username, displayName: DisplayName, role: Role }).strict(),
    output: z.object({ user: UserInfo, temporaryPassword: z.string() }),
    access: 'users.manage',
  }),
  'users.update': defineOperation({
    summary: 'Change a staff member\'s name, role or disabled state. A new role or disabling ends their sessions.',
    input: z
      .object({
        userId: Id,
        displayName: DisplayName.optional(),
        role: Role.optional(),
        disabled: z.boolean().optional(),
      })
      .strict(),
    output: z.object({ user: UserInfo, endedSessions: z.number().int() }),
    access: 'users.manage',
  }),
  'users.resetPassword': defineOperation({
    summary: 'Give a staff member a temporary password (changed at next sign-in); ends their sessions.',
    input: z.object({ userId: Id }).strict(),
    output: z.object({ user: UserInfo, temporaryPassword: z.string(), endedSessions: z.number().int() }),
    access: 'users.manage',
  }),
  'users.unlock': defineOperation({
    summary: 'Lift a lockout after too many failed sign-ins.',
    input: z.object({ userId: Id }).strict(),
    output: z.object({ user: UserInfo }),
    access: 'users.manage',
  }),
  'users.sessions.list': defineOperation({
    summary: 'The open sessions (devices) of one staff member.',
    input: z.object({ userId: Id }).strict(),
    output: z.object({ sessions: z.array(SessionInfo) }),
    access: 'users.manage',
  }),
  'users.sessions.revoke': defineOperation({
    summary: 'Sign out one device of any staff member.',
    input: z.object({ sessionId: Id }).strict(),
    output: z.object({ ended: z.boolean() }),
    access: 'users.manage',
  }),
};
