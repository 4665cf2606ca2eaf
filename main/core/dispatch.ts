import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import {
  isOperationName,
  operations,
  withoutSensitive,
  type OperationName,
  type OutputOf,
  type ParsedInputOf,
} from '../../shared/contract/index.js';
import type { ApiError, ErrorCode, Result } from '../../shared/errors.js';
import { roleAllows, type Role } from '../../shared/permissions.js';
import type { Face } from './config.js';
import { AppError, issuesOf } from './errors.js';
import type { Logger } from './log.js';
import { isDiskFull, type Store } from './db/store.js';
import { diskFullRefusal } from './db/space.js';

/** Who is calling and from where, as the face knows it. */
export interface CallContext {
  face: Face;
  /** the bearer access token, when the caller has one */
  token?: string;
  /** the caller's network address (headless) */
  address?: string;
  userAgent?: string;
  requestId?: string;
  /** the refresh token, for `auth.refresh` (headless: the cookie; desktop: kept per window) */
  refreshToken?: string;
  /** the request came through a proxy (forwarding headers), so `address` may not be the client's own */
  forwarded?: boolean;
  /** headless: the browser says the request comes from another site (Origin, Sec-Fetch-Site) */
  crossSite?: boolean;
  /**
   * The bytes of a file that comes with the call (`documents.upload`): the headless
   * upload route's request body, or a file the desktop's main process opened. The
   * handler reads it only after the door has let the call in.
   */
  upload?: UploadSource;
}

export interface UploadSource {
  stream: Readable;
  fileName?: string;
  declaredType?: string;
  /** as announced (Content-Length, the file's size on disk): fewer bytes means it was cut short */
  size?: number;
}

/**
 * Who is calling, as established by the authenticator for one call: a signed-in
 * staff member, or on the command line the machine's local operator.
 */
export interface Principal {
  userId: string;
  username: string;
  displayName: string;
  role: Role;
  /** the session the call belongs to; empty for the local operator, who has none */
  sessionId: string;
  /** when set, the only operations (besides public ones) this principal may call, e.g. until a temporary password is changed */
  allowedOperations?: readonly string[];
  /**
   * Set only for the local operator (main/core/local-operator.ts): the operating-system
   * account running the command line, which has no LexDesk account or session.
   */
  local?: { osUser: string };
}

export interface Authenticator {
  /**
   * The principal behind the call: its bearer token, or on the command line the
   * local operator; null when the call presents neither. Throws
   * AppError('unauthenticated') for a token that is bad, expired or revoked.
   */
  authenticate(call: CallContext): Promise<Principal | null>;
}

export type Outcome = 'ok' | 'denied' | 'invalid' | 'error';

export interface AuditTarget {
  type: string;
  id: string;
}

/** One call through the door, as the audit trail records it. */
export interface DoorRecord {
  operation: string;
  face: Face;
  principal: Principal | null;
  outcome: Outcome;
  errorCode?: ErrorCode;
  target?: AuditTarget;
  input: unknown;
  details?: Record<string, unknown>;
  address?: string;
  requestId: string;
}

export interface DoorAuditor {
  /** Writes the record; called inside the handler's write transaction when there is one. */
  record(entry: DoorRecord): void;
}

export interface OperationObserver {
  observe(sample: { operation: string; face: Face; outcome: Outcome; code?: ErrorCode; seconds: number }): void;
}

/** What a handler may note about its call for the audit record. */
export interface AuditNote {
  target?: AuditTarget;
  details?: Record<string, unknown>;
}

export interface HandlerContext<S> {
  services: S;
  principal: Principal | null;
  call: CallContext;
  requestId: string;
  audit: AuditNote;
  /**
   * Runs `fn` in one database transaction together with this call's audit record:
   * the writes and the record land together or not at all.
   */
  write<T>(fn: () => T): T;
  /** The principal, or an `unauthenticated` error for public operations that need one. */
  requirePrincipal(): Principal;
}

export type Handler<N extends OperationName, S> = (
  input: ParsedInputOf<N>,
  ctx: HandlerContext<S>,
) => OutputOf<N> | Promise<OutputOf<N>>;

export type Handlers<S> = { [N in OperationName]: Handler<N, S> };

export interface DispatcherDeps<S> {
  services: S;
  handlers: Handlers<S>;
  store: () => Store;
  log: Logger;
  authenticator?: Authenticator;
  auditor?: DoorAuditor;
  observer?: OperationObserver;
}

/** How the audit trail files a refusal or failure with each code. */
export const OUTCOME_BY_CODE: Record<ErrorCode, Outcome> = {
  invalid_input: 'invalid',
  unauthenticated: 'denied',
  forbidden: 'denied',
  locked: 'denied',
  rate_limited: 'denied',
  not_found: 'error',
  conflict: 'error',
  unavailable: 'error',
  internal: 'error',
};

/**
 * The one door. Every operation from every face comes through `dispatch`, which
 * looks it up, authenticates the caller, checks the role, validates the input,
 * runs the handler, checks the output against the contract, records the call for
 * the audit trail and times it. Errors leave as `{ code, message, details? }`;
 * stack traces stay in the log.
 */
export class Dispatcher<S> {
  constructor(private readonly deps: DispatcherDeps<S>) {}

  /** The caller's principal for a non-operation channel (event stream), or null; never throws. */
  async principalOf(call: CallContext): Promise<Principal | null> {
    if (!call.token || !this.deps.authenticator) return null;
    try {
      return await this.deps.authenticator.authenticate(call);
    } catch {
      return null;
    }
  }

  async dispatch(name: string, input: unknown, call: CallContext): Promise<Result<unknown>> {
    const started = performance.now();
    const requestId = call.requestId ?? randomUUID();
    let principal: Principal | null = null;
    const note: AuditNote = {};
    let recorded = false;
    const operation = isOperationName(name) ? name : null;

    const record = (outcome: Outcome, errorCode?: ErrorCode) => {
      if (recorded || !this.deps.auditor) return;
      recorded = true;
      if (outcome === 'ok' && operation && operations[operation].audit === 'failures') return;
      this.deps.auditor.record({
        operation: operation ?? name.slice(0, 100),
        face: call.face,
        principal,
        outcome,
        errorCode,
        target: note.target,
        // fields the contract marks sensitive never leave the door
        input: operation ? withoutSensitive(operations[operation].input as z.ZodType, input) : undefined,
        details: note.details,
        address: call.address,
        requestId,
      });
    };

    const finish = (result: Result<unknown>): Result<unknown> => {
      const outcome: Outcome = result.ok ? 'ok' : OUTCOME_BY_CODE[result.error.code];
      const code = result.ok ? undefined : result.error.code;
      try {
        record(outcome, code);
      } catch (err) {
        this.deps.log.error({ err, operation: name, requestId }, 'could not write the audit record');
      }
      this.deps.observer?.observe({
        operation: operation ?? 'unknown',
        face: call.face,
        outcome,
        code,
        seconds: (performance.now() - started) / 1000,
      });
      return result;
    };

    try {
      if (!operation) {
        throw new AppError('not_found', `There is no operation called "${name.slice(0, 100)}".`);
      }
      const def = operations[operation];

      // a command-line call presents no token: the command line's authenticator knows its operator
      if (this.deps.authenticator && (call.token || call.face === 'cli')) {
        try {
          principal = await this.deps.authenticator.authenticate(call);
        } catch (err) {
          // a stale token on a public operation is no reason to refuse it
          if (def.access !== 'public') throw err;
        }
      }
      if (def.access !== 'public') {
        if (!principal) throw new AppError('unauthenticated', 'Please sign in.');
        if (principal.allowedOperations && !principal.allowedOperations.includes(operation)) {
          throw new AppError('forbidden', 'Change your temporary password first.', { reason: 'password_change_required' });
        }
        if (!roleAllows(principal.role, def.access)) {
          throw new AppError('forbidden', 'Your role does not allow this.');
        }
      }

      const parsed = (def.input as z.ZodType).safeParse(input === undefined || input === null ? {} : input);
      if (!parsed.success) {
        const issues = issuesOf(parsed.error);
        // a schema that speaks in sentences ("The search is empty.") is quoted as it is
        const sentence = issues.length === 1 && isSentence(issues[0]!.message) ? issues[0]!.message : null;
        throw new AppError('invalid_input', sentence ?? 'Some of the information is missing or not valid.', { issues });
      }

      const handler = this.deps.handlers[operation] as Handler<OperationName, S>;
      const ctx: HandlerContext<S> = {
        services: this.deps.services,
        principal,
        call,
        requestId,
        audit: note,
        write: <T>(fn: () => T): T =>
          this.deps.store().tx(() => {
            const value = fn();
            record('ok');
            return value;
          }),
        requirePrincipal: () => {
          if (!principal) throw new AppError('unauthenticated', 'Please sign in.');
          return principal;
        },
      };
      const value = await handler(parsed.data as never, ctx);
      const checked = (def.output as z.ZodType).safeParse(value);
      if (!checked.success) {
        this.deps.log.error(
          { operation, requestId, issues: issuesOf(checked.error) },
          'handler output does not match the contract',
        );
        throw new Error(`output of ${operation} does not match the contract`);
      }
      return finish({ ok: true, value: checked.data });
    } catch (err) {
      return finish({ ok: false, error: this.toApiError(err, name, requestId) });
    }
  }

  private toApiError(err: unknown, operation: string, requestId: string): ApiError {
    if (err instanceof AppError) {
      return err.details === undefined
        ? { code: err.code, message: err.message }
        : { code: err.code, message: err.message, details: err.details };
    }
    if (isDiskFull(err)) {
      const refusal = diskFullRefusal();
      this.deps.log.warn({ operation, requestId }, 'a write was refused: the disk is full');
      return { code: refusal.code, message: refusal.message, details: refusal.details };
    }
    if (err instanceof z.ZodError) {
      return { code: 'invalid_input', message: 'Some of the information is not valid.', details: { issues: issuesOf(err) } };
    }
    this.deps.log.error({ err, operation, requestId }, 'operation failed');
    return {
      code: 'internal',
      message: `Something went wrong on our side. If it happens again, give IT this reference: ${requestId.slice(0, 8)}.`,
      details: { reference: requestId },
    };
  }
}

/** A whole sentence a person can read, as opposed to a field message such as "Too big". */
function isSentence(message: string): boolean {
  return /^[A-Z“"].{8,}[.!?]$/.test(message);
}
