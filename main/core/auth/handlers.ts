import type { Handler } from '../dispatch.js';
import type { CoreServices } from '../services.js';
import { sessionUserOf, userInfoOf } from './accounts.js';

type AuthOperation =
  | 'auth.status'
  | 'auth.setup'
  | 'auth.login'
  | 'auth.refresh'
  | 'auth.logout'
  | 'auth.changePassword'
  | 'auth.sessions.list'
  | 'auth.sessions.revoke'
  | 'auth.sessions.revokeOthers'
  | 'users.list'
  | 'users.create'
  | 'users.update'
  | 'users.resetPassword'
  | 'users.unlock'
  | 'users.sessions.list'
  | 'users.sessions.revoke';

/** The door's handlers for sign-in, sessions and staff accounts; the rules live in AuthService. */
export const authHandlers: { [N in AuthOperation]: Handler<N, CoreServices> } = {
  'auth.status': (_input, { services }) => services.auth.status(),

  'auth.setup': async (input, ctx) => {
    const { grant, user } = await ctx.services.auth.setup(input, ctx.call);
    ctx.audit.target = { type: 'user', id: user.id };
    ctx.audit.details = { sessionId: grant.sessionId, username: user.username, role: user.role };
    return grant;
  },

  'auth.login': async (input, ctx) => {
    const { grant, user } = await ctx.services.auth.login(input, ctx.call);
    ctx.audit.target = { type: 'user', id: user.id };
    ctx.audit.details = { sessionId: grant.sessionId, username: user.username, role: user.role };
    return grant;
  },

  'auth.refresh': async (_input, ctx) => {
    const { grant, user } = await ctx.services.auth.refresh(ctx.call.refreshToken, ctx.call);
    ctx.audit.target = { type: 'session', id: grant.sessionId };
    ctx.audit.details = { userId: user.id, username: user.username };
    return grant;
  },

  'auth.logout': (_input, ctx) => {
    const principal = ctx.requirePrincipal();
    ctx.audit.target = { type: 'session', id: principal.sessionId };
    return { ended: ctx.services.auth.logout(principal) };
  },

  'auth.changePassword': async (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const { user, ended } = await ctx.services.auth.changePassword(principal, input.current, input.next, ctx.call);
    ctx.audit.target = { type: 'user', id: user.id };
    ctx.audit.details = { endedSessions: ended };
    return { user: sessionUserOf(user), endedSessions: ended };
  },

  'auth.sessions.list': (_input, ctx) => {
    const principal = ctx.requirePrincipal();
    return { sessions: ctx.services.auth.listSessions(principal.userId, principal.sessionId) };
  },

  'auth.sessions.revoke': (input, ctx) => {
    const principal = ctx.requirePrincipal();
    ctx.audit.target = { type: 'session', id: input.sessionId };
    return { ended: ctx.services.auth.revokeOwnSession(principal, input.sessionId) };
  },

  'auth.sessions.revokeOthers': (_input, ctx) => {
    const principal = ctx.requirePrincipal();
    const ended = ctx.services.auth.revokeOtherSessions(principal, ctx.call);
    ctx.audit.details = { ended };
    return { ended };
  },

  'users.list': (_input, { services }) => ({ users: services.auth.listUsers() }),

  'users.create': async (input, ctx) => {
    const { user, temporaryPassword } = await ctx.services.auth.createUser(input);
    ctx.audit.target = { type: 'user', id: user.id };
    ctx.audit.details = { username: user.username, role: user.role };
    return { user: userInfoOf(user, ctx.services.clock.now(), 0), temporaryPassword };
  },

  'users.update': (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const { user, ended, changes } = ctx.services.auth.updateUser(principal, input, ctx.call);
    ctx.audit.target = { type: 'user', id: user.id };
    ctx.audit.details = { changes, endedSessions: ended };
    return { user: ctx.services.auth.userInfo(user.id), endedSessions: ended };
  },

  'users.resetPassword': async (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const { user, temporaryPassword, ended } = await ctx.services.auth.resetPassword(principal, input.userId, ctx.call);
    ctx.audit.target = { type: 'user', id: user.id };
    ctx.audit.details = { endedSessions: ended };
    return { user: ctx.services.auth.userInfo(user.id), temporaryPassword, endedSessions: ended };
  },

  'users.unlock': (input, ctx) => {
    const { user, wasLocked } = ctx.services.auth.unlock(input.userId);
    ctx.audit.target = { type: 'user', id: user.id };
    ctx.audit.details = { wasLocked };
    return { user: ctx.services.auth.userInfo(user.id) };
  },

  'users.sessions.list': (input, { services }) => {
    services.auth.userOrThrow(input.userId);
    return { sessions: services.auth.listSessions(input.userId) };
  },

  'users.sessions.revoke': (input, ctx) => {
    const { ended, userId } = ctx.services.auth.revokeAnySession(input.sessionId);
    ctx.audit.target = { type: 'session', id: input.sessionId };
    ctx.audit.details = { userId };
    return { ended };
  },
};
