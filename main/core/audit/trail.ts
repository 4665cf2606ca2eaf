import type { ErrorCode } from '../../../shared/errors.js';
import type { Role } from '../../../shared/permissions.js';
import type { Clock } from '../clock.js';
import type { AuditTarget, DoorAuditor, DoorRecord, Outcome, Principal } from '../dispatch.js';
import type { Store } from '../db/store.js';
import { canonicalJson, GENESIS_HASH, rowHash } from './canonical.js';
import { redact } from './redact.js';

export type AuditFace = 'desktop' | 'headless' | 'cli' | 'bot' | 'scheduler';

export type AuditActor =
  | { type: 'user'; id: string; name: string; role: Role }
  | { type: 'bot' | 'system' | 'cli' | 'anonymous'; name?: string };

/** One thing that happened, as a writer hands it to the trail. */
export interface AuditEntry {
  actor: AuditActor;
  face: AuditFace;
  /** the operation (`users.create`) or event (`security.lockout`, `backup.scheduled`) */
  action: string;
  target?: AuditTarget;
  outcome: Outcome;
  errorCode?: ErrorCode;
  /** redacted before it is stored */
  details?: Record<string, unknown>;
  sessionId?: string;
  address?: string;
  requestId?: string;
}

export interface AppendedRow {
  id: number;
  hash: string;
}

const LAST_ROW_SQL = 'SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1';
const INSERT_SQL = `INSERT INTO audit_log (id, at, actor_type, actor_id, actor_name, role, face, action, target_type,
  target_id, outcome, error_code, details, session_id, address, request_id, prev_hash, hash)
  VALUES (@id, @at, @actor_type, @actor_id, @actor_name, @role, @face, @action, @target_type, @target_id, @outcome,
  @error_code, @details, @session_id, @address, @request_id, @prev_hash, @hash)`;

/**
 * The audit trail: append-only (triggers in the database refuse UPDATE and DELETE)
 * and tamper-evident (each row carries the previous row's hash and its own over a
 * canonical encoding). `append` is synchronous and joins the caller's transaction,
 * so an operation's writes and its audit row land together.
 */
export class AuditTrail {
  constructor(
    private readonly store: () => Store,
    private readonly clock: Clock,
  ) {}

  append(entry: AuditEntry): AppendedRow {
    const store = this.store();
    return store.tx(() => {
      const last = store.prepare(LAST_ROW_SQL).get() as { id: number; hash: string } | undefined;
      const actor = entry.actor;
      const row = {
        id: (last?.id ?? 0) + 1,
        at: this.clock.now().toISOString(),
        actor_type: actor.type,
        actor_id: actor.type === 'user' ? actor.id : null,
        actor_name: actor.name ?? null,
        role: actor.type === 'user' ? actor.role : null,
        face: entry.face,
        action: entry.action.slice(0, 120),
        target_type: entry.target?.type ?? null,
        target_id: entry.target?.id ?? null,
        outcome: entry.outcome,
        error_code: entry.errorCode ?? null,
        details: canonicalJson(redact(entry.details ?? {})),
        session_id: entry.sessionId ?? null,
        address: entry.address ?? null,
        request_id: entry.requestId ?? null,
        prev_hash: last?.hash ?? GENESIS_HASH,
      };
      const hash = rowHash(row);
      store.prepare(INSERT_SQL).run({ ...row, hash });
      return { id: row.id, hash };
    });
  }
}

/**
 * How a principal appears in the audit trail: a staff member as a user with their
 * session; the command line's local operator as `cli`, named by its OS account.
 */
export function auditIdentityOf(principal: Principal): { actor: AuditActor; sessionId?: string } {
  if (principal.local) return { actor: { type: 'cli', name: principal.local.osUser } };
  return {
    actor: { type: 'user', id: principal.userId, name: principal.username, role: principal.role },
    sessionId: principal.sessionId,
  };
}

/** How the dispatch door's record of a call becomes an audit row. */
export function doorAuditor(trail: AuditTrail): DoorAuditor {
  return {
    record(entry: DoorRecord): void {
      const p = entry.principal;
      const nobody: AuditActor = { type: entry.face === 'cli' ? 'cli' : 'anonymous' };
      const { actor, sessionId } = p ? auditIdentityOf(p) : { actor: nobody, sessionId: undefined };
      trail.append({
        actor,
        face: entry.face,
        action: entry.operation,
        target: entry.target,
        outcome: entry.outcome,
        errorCode: entry.errorCode,
        details: { ...(entry.input === undefined ? {} : { input: entry.input }), ...entry.details },
        sessionId,
        address: entry.address,
        requestId: entry.requestId,
      });
    },
  };
}
