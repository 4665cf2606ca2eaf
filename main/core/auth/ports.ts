import type { AuditEntry, AuditFace } from '../audit/trail.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Store } from '../db/store.js';
import type { CallContext } from '../dispatch.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { SecretStore } from '../secrets.js';
import type { PasswordWorkers } from './passwords.js';
import type { SessionStore } from './sessions.js';

export interface AuthDeps {
  config: Config;
  clock: Clock;
  log: Logger;
  store: () => Store;
  secrets: SecretStore;
  events: EventBus;
  audit: { append(entry: AuditEntry): unknown };
  /** worker pool size (tests may want 1) */
  workers?: number;
}

/** Where a call comes from, for sessions and security events. */
export type Caller = Pick<CallContext, 'face' | 'address' | 'userAgent' | 'requestId' | 'forwarded' | 'crossSite'>;

/** What the parts of sign-in (passwords, sessions, account administration) share, built once by AuthService. */
export interface AuthContext {
  readonly deps: AuthDeps;
  readonly log: Logger;
  readonly sessions: SessionStore;
  readonly passwords: PasswordWorkers;
  /**
   * The one place security events leave sign-in (failed sign-ins, lockouts,
   * refresh-token reuse, sessions ended as a consequence); the door records each
   * call itself. A failure to record is logged, never thrown.
   */
  securityEvent(entry: AuditEntry & { face: AuditFace }): void;
}
