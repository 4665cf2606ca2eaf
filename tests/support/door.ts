import type { Result } from '../../shared/errors.js';
import type { Role } from '../../shared/permissions.js';
import type { Core } from '../../main/core/app.js';
import { Dispatcher, type CallContext, type DoorAuditor, type Principal } from '../../main/core/dispatch.js';
import { silentLogger } from '../../main/core/log.js';
import { handlers } from '../../main/core/handlers.js';
import type { CoreServices } from '../../main/core/services.js';

/**
 * A door identical to the core's (same services, same handlers, same contract
 * checks) whose caller is a given staff member, for testing a capability's
 * operations without going through sign-in. Sign-in itself has its own tests.
 */
export function doorAs(
  core: Core,
  role: Role,
  options: { auditor?: DoorAuditor; face?: CallContext['face']; principal?: Partial<Principal> } = {},
) {
  const principal: Principal = {
    userId: `test-${role}`,
    username: `test-${role}`,
    displayName: `Test ${role}`,
    role,
    sessionId: `session-${role}`,
    ...options.principal,
  };
  const door = new Dispatcher<CoreServices>({
    services: core.services,
    handlers,
    store: () => core.services.store,
    log: silentLogger,
    authenticator: { authenticate: async () => principal },
    auditor: options.auditor,
  });
  return {
    principal,
    call: (name: string, input: unknown = {}): Promise<Result<unknown>> =>
      door.dispatch(name, input, { face: options.face ?? 'headless', token: 'test-token' }),
    /** the value of a successful call; throws with the error otherwise */
    async ok<T = unknown>(name: string, input: unknown = {}): Promise<T> {
      const result = await door.dispatch(name, input, { face: options.face ?? 'headless', token: 'test-token' });
      if (!result.ok) throw new Error(`${name} failed: ${result.error.code}: ${result.error.message}`);
      return result.value as T;
    },
  };
}
