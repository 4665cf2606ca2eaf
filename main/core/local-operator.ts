import type { Authenticator, Principal } from './dispatch.js';

/**
 * The command line's caller, the local operator. Whoever runs `lexdesk` on this
 * machine as an account that can read the data folder can read the database file
 * and the keys anyway, so the command line acts as IT (the admin role) without
 * signing in, and the audit trail names the operating-system account.
 *
 * Only a core built for the command line with an operator (createCore, FaceDeps
 * `localOperator`) uses this authenticator, and it answers only calls whose face
 * is 'cli'. The HTTP and IPC faces build every call context themselves with their
 * own face, and neither runs on such a core, so no request can present it.
 *
 *   const core = createCore(loadConfig({ face: 'cli' }), { log, localOperator: 'maria' });
 *   await core.dispatcher.dispatch('backup.list', {}, { face: 'cli' });
 */
export function localOperatorAuthenticator(osUser: string): Authenticator {
  const operator: Principal = {
    userId: `cli:${osUser}`,
    username: `cli:${osUser}`,
    displayName: `${osUser} (command line)`,
    role: 'admin',
    sessionId: '',
    local: { osUser },
  };
  return { authenticate: async (call) => (call.face === 'cli' ? operator : null) };
}
