import { performance } from 'node:perf_hooks';
import {
  AUDIT_ACTOR_TYPES,
  MATTER_TARGET_TYPES,
  SECURITY_ACTION_PREFIX,
  type AuditFilter,
  type AuditPage,
  type AuditRow,
  type Verification,
  type VerifyMode,
} from '../../../shared/contract/audit.js';
import type { Clock } from '../clock.js';
import type { Store } from '../db/store.js';
import type { Selectable } from 'kysely';
import type { AuditLogTable, AuditVerificationTable } from '../db/tables.js';
import { AppError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import { rowHash } from './canonical.js';
import { AuditExports } from './export.js';
import { AUDIT_COLUMNS, AuditSearch, decodeCursor, encodeCursor, familyOf, type AuditQuery } from './search.js';
import type { AuditTrail } from './trail.js';
import type { AuditAnchor, AuditHead } from './anchor.js';
import type { ChainStart } from './verify.js';
import { walkChainInWorkers } from './worker.js';
import { namesFor } from './names.js';
import { auditSentence, isReadAction, READ_ACTIONS } from './sentences.js';

/** What a viewer may see: everything (`audit.all`) or rows about clients and matters (`audit.matters`). */
export type AuditScope = 'all' | 'matters';

/** Who ran a verification. */
export type Verifier = { type: 'user'; id: string; name: string } | { type: 'cli' | 'system' };

/** Index entries one page may look at when rows are checked one by one. */
const PAGE_SCAN_BUDGET = 10_000;

export interface AuditRecordsDeps {
  store: () => Store;
  trail: AuditTrail;
  events: EventBus;
  clock: Clock;
  log: Logger;
  /** better_sqlite3.node for this runtime, for the verification worker's own connection */
  nativeBinding?: string;
  /** the trail's head kept outside the database (anchor.ts) */
  anchor?: AuditAnchor;
}

/**
 * Reading the audit trail: search and single rows (scoped to what the viewer may
 * see), exports, verification of the hash chain with checkpoints, and the counts
 * of security events. Writing rows is AuditTrail's job alone.
 */
export class AuditRecords {
  readonly name = 'audit-records';
  readonly search: AuditSearch;
  readonly exports: AuditExports;
  private running: Promise<Verification> | null = null;
  /** counts restores: a walk that began before one must not be stored in the restored database */
  private generation = 0;

  constructor(private readonly deps: AuditRecordsDeps) {
    this.search = new AuditSearch(() => deps.store().sqlite);
    this.exports = new AuditExports({
      search: this.search,
      trail: deps.trail,
      events: deps.events,
      clock: deps.clock,
      log: deps.log,
    });
  }

  /**
   * At start: the trail is compared with its anchor (no walk: the newest row and the
   * anchored one). A trail rolled back or replaced since the last clean shutdown is
   * recorded as a broken verification, which raises the audit alert.
   */
  async start(): Promise<void> {
    const broken = await this.anchorProblem().catch((err: unknown) => {
      this.deps.log.warn({ err }, 'the audit anchor could not be read');
      return null;
    });
    if (!broken) return;
    const by = { type: 'system' } as const;
    this.deps.log.error({ brokenAt: broken.brokenAt, reason: broken.reason }, broken.message);
    try {
      const store = this.deps.store();
      store.tx(() => {
        this.save(broken, by);
        this.deps.trail.append({
          actor: { type: 'system', name: 'audit' },
          face: 'scheduler',
          action: 'audit.verify',
          outcome: 'error',
          details: verificationDetails(broken),
        });
      });
    } catch (err) {
      // a database that cannot be written now (a full disk) must not stop LexDesk: the next verification tells again
      this.deps.log.error({ err }, 'the broken audit trail could not be recorded');
    }
    this.announce(broken);
  }

  /** The newest row's id, hash and time, or null for an empty trail. */
  head(): AuditHead | null {
    const row = this.deps.store().prepare('SELECT id, hash, at FROM audit_log ORDER BY id DESC LIMIT 1').get() as AuditHead | undefined;
    return row ?? null;
  }

  /** Writes the anchor at the trail's head now (after a restore, at shutdown). */
  async anchorHead(reason: string): Promise<void> {
    if (!this.deps.anchor) return;
    const head = this.head();
    if (!head) return;
    await this.deps.anchor.write(head);
    this.deps.log.info({ auditHead: head, reason }, 'audit trail anchored');
  }

  /** A broken verification when the trail is shorter than its anchor or differs at the anchored row; else null. */
  private async anchorProblem(): Promise<Verification | null> {
    if (!this.deps.anchor) return null;
    const reading = await this.deps.anchor.read();
    if (reading.state === 'none') return null;
    const now = this.deps.clock.now().toISOString();
    const base = { at: now, ms: 0, by: { type: 'system' as const, name: null }, mode: 'checkpoint' as const, checked: 0, throughId: null, throughHash: null };
    const last = this.head();
    if (reading.state === 'altered') {
      return { ...base, intact: false, rows: last?.id ?? 0, brokenAt: (last?.id ?? 0) + 1, reason: 'checkpoint', message: 'The audit trail\'s anchor outside the database was altered, so the trail cannot be vouched for.' };
    }
    const anchored = reading.head;
    if (!last || last.id < anchored.id) {
      const after = last ? `after ${minute(last.at)}` : 'entirely';
      return {
        ...base,
        intact: false,
        rows: last?.id ?? 0,
        brokenAt: (last?.id ?? 0) + 1,
        reason: 'truncated',
        message: `The audit trail lost rows ${after}: it ends at row ${last?.id ?? 0}, but row ${anchored.id} was recorded on ${minute(anchored.at)}.`,
      };
    }
    const row = this.deps.store().prepare('SELECT hash FROM audit_log WHERE id = ?').get(anchored.id) as { hash: string } | undefined;
    if (!row || row.hash !== anchored.hash) {
      return {
        ...base,
        intact: false,
        rows: anchored.id - 1,
        brokenAt: anchored.id,
        reason: 'checkpoint',
        message: `Row ${anchored.id} is not the row recorded on ${minute(anchored.at)}: the audit trail was replaced or rolled back.`,
      };
    }
    return null;
  }

  /** A restore is about to replace the database: a verification still walking the old one is void. */
  databaseReplaced(): void {
    this.generation += 1;
  }

  /** What monitoring shows of the chain: the newest stored verification, or null before the first. */
  chainState(): { chainOk: boolean; checkedAt: string } | null {
    const last = this.lastVerification();
    return last ? { chainOk: last.intact, checkedAt: last.at } : null;
  }

  /** A clean shutdown anchors the trail's head (the last row is LexDesk's own "stopped"). */
  async stop(): Promise<void> {
    this.exports.closeAll();
    try {
      if (this.deps.store().isOpen) await this.anchorHead('shutdown');
    } catch (err) {
      this.deps.log.warn({ err }, 'the audit anchor could not be written at shutdown');
    }
  }

  /** A filter from the contract, resolved against the database and the viewer's scope. */
  resolve(filter: AuditFilter, scope: AuditScope): AuditQuery {
    const query: AuditQuery = { mattersOnly: scope === 'matters' };
    if (filter.actor) {
      const value = filter.actor;
      const types: readonly string[] = AUDIT_ACTOR_TYPES;
      if (types.includes(value)) query.actor = { column: 'actor_type', value };
      else {
        const isId = this.deps
          .store()
          .prepare('SELECT 1 AS found FROM audit_log INDEXED BY audit_log_by_actor_id WHERE actor_id = ? LIMIT 1')
          .get(value);
        const staff = isId ? [] : this.staffNamed(value);
        query.actor = isId ? { column: 'actor_id', value } : staff.length ? { column: 'actor_id', values: staff } : { column: 'actor_name', value };
      }
    }
    if (filter.action) {
      query.action = filter.action.endsWith('.') ? { prefix: filter.action } : { exact: filter.action };
    }
    if (filter.outcome) query.outcome = filter.outcome;
    if (filter.target) query.target = filter.target;
    if (filter.from) query.from = new Date(filter.from).toISOString();
    if (filter.to) query.to = new Date(filter.to).toISOString();
    if (filter.contains) query.text = filter.contains;
    return query;
  }

  /**
   * The staff accounts a person filter names: by username or display name, whole
   * (case and accents aside) or by the start of a word ("souza" finds Ana Souza).
   */
  private staffNamed(value: string): string[] {
    const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().trim();
    const wanted = fold(value);
    const users = this.deps.store().prepare('SELECT id, username, display_name FROM users').all() as { id: string; username: string; display_name: string }[];
    // a username keeps meaning the rows recorded under that name (failed sign-ins as it included)
    if (users.some((u) => fold(u.username) === wanted)) return [];
    const exact = users.filter((u) => fold(u.display_name) === wanted);
    if (exact.length) return exact.map((u) => u.id);
    return users
      .filter((u) => {
        const name = fold(u.display_name);
        return name.startsWith(wanted) || name.split(/\s+/).some((word) => word.startsWith(wanted));
      })
      .slice(0, 50)
      .map((u) => u.id);
  }

  /** The rows told as sentences, with the names as they are now. */
  private described(rows: AuditRow[]): AuditRow[] {
    const names = namesFor(this.deps.store(), rows);
    return rows.map((row) => ({ ...row, sentence: auditSentence(row, names), read: isReadAction(row.action) }));
  }

  /** One page, newest first. */
  page(filter: AuditFilter & { hideReads?: boolean }, scope: AuditScope, cursor: string | undefined, limit: number): AuditPage {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    if (after === null) {
      throw new AppError('invalid_input', 'The page cursor is not valid. Start the search again.', {
        issues: [{ path: 'cursor', message: 'not a cursor from audit.search' }],
      });
    }
    const { hideReads, ...rest } = filter;
    const query = this.resolve(rest, scope);
    if (hideReads) query.excludeActions = READ_ACTIONS;
    const page = this.search.page(query, {
      direction: 'desc',
      after,
      limit,
      scanBudget: PAGE_SCAN_BUDGET,
    });
    return {
      rows: this.described(page.rows.map(toAuditRow)),
      next: page.next ? encodeCursor(page.next) : null,
      searchedTo: page.scannedTo?.at ?? null,
    };
  }

  /** One row, or null when there is none the viewer may see. */
  get(id: number, scope: AuditScope): AuditRow | null {
    const row = this.deps.store().prepare(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE id = ?`).get(id) as
      | AuditLogTable
      | undefined;
    if (!row) return null;
    const matterTypes: readonly (string | null)[] = MATTER_TARGET_TYPES;
    if (scope === 'matters' && !matterTypes.includes(row.target_type)) return null;
    return this.described([toAuditRow(row)])[0]!;
  }

  /** The id of the newest row, or null for an empty trail. */
  lastRowId(): number | null {
    const row = this.deps.store().prepare('SELECT max(id) AS id FROM audit_log').get() as { id: number | null };
    return row.id;
  }

  lastVerification(): Verification | null {
    const store = this.deps.store();
    const row = store.get(store.db.selectFrom('audit_verification').selectAll().orderBy('id', 'desc').limit(1));
    return row ? toVerification(row) : null;
  }

  /** The furthest point an intact verification ever reached. */
  private furthestCheckpoint(): Selectable<AuditVerificationTable> | undefined {
    const store = this.deps.store();
    return store.get(
      store.db
        .selectFrom('audit_verification')
        .selectAll()
        .where('intact', '=', 1)
        .where('through_id', 'is not', null)
        .orderBy('through_id', 'desc')
        .orderBy('id', 'desc')
        .limit(1),
    );
  }

  /**
   * Walks the chain in a worker thread, from the first row or from the furthest
   * checkpoint, and compares the end of the trail with that checkpoint, so rows
   * cut from the end are noticed too. After a run that found a break, every run
   * walks from the start. Does not store the result (see `save`).
   */
  async verify(mode: VerifyMode, by: Verifier, onProgress?: (rows: number) => void): Promise<Verification> {
    if (this.running) return this.running;
    this.running = this.runVerification(mode, by, onProgress)
      .then(async (verification) => {
        if (!verification.intact) return verification;
        const problem = await this.anchorProblem();
        if (problem) return { ...problem, ms: verification.ms, mode: verification.mode, by: verification.by };
        if (this.deps.anchor && verification.throughId !== null) {
          await this.anchorHead('verified').catch((err: unknown) => this.deps.log.warn({ err }, 'the audit anchor could not be written'));
        }
        return verification;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async runVerification(mode: VerifyMode, by: Verifier, onProgress?: (rows: number) => void): Promise<Verification> {
    const started = performance.now();
    const store = this.deps.store();
    const checkpoint = this.furthestCheckpoint();
    const verifiedOn = checkpoint ? checkpoint.at.slice(0, 10) : '';
    const result = (fields: Omit<Verification, 'at' | 'ms' | 'by'>): Verification => ({
      ...fields,
      at: this.deps.clock.now().toISOString(),
      ms: Math.round(performance.now() - started),
      by: { type: by.type, name: by.type === 'user' ? by.name : null },
    });
    const broken = (m: VerifyMode, rows: number, checked: number, brokenAt: number, reason: Verification['reason'], message: string) =>
      result({ intact: false, mode: m, rows, checked, throughId: null, throughHash: null, brokenAt, reason, message });

    let from: ChainStart | undefined;
    // after a break was found, only a walk from the start may say the trail is whole
    const lastFoundBroken = this.lastVerification()?.intact === false;
    const usedMode: VerifyMode = mode === 'checkpoint' && checkpoint && !lastFoundBroken ? 'checkpoint' : 'start';
    if (usedMode === 'checkpoint' && checkpoint?.through_id != null && checkpoint.through_hash) {
      const throughId = checkpoint.through_id;
      const row = store.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE id = ?`).get(throughId) as AuditLogTable | undefined;
      if (!row) {
        const last = this.lastRowId() ?? 0;
        if (last < throughId) {
          return broken(usedMode, last, 0, last + 1, 'truncated', truncatedMessage(last, throughId, verifiedOn));
        }
        return broken(usedMode, throughId - 1, 0, throughId, 'checkpoint', `Row ${throughId}, verified on ${verifiedOn}, is missing.`);
      }
      if (row.hash !== checkpoint.through_hash || rowHash(row) !== row.hash) {
        return broken(usedMode, throughId - 1, 1, throughId, 'checkpoint', `Row ${throughId} was changed after it was verified on ${verifiedOn}.`);
      }
      from = { afterId: throughId, hash: checkpoint.through_hash };
    }

    // the trail as it is now; rows appended while the walk runs wait for the next one
    const untilId = this.lastRowId() ?? 0;
    const generation = this.generation;
    const report = await walkChainInWorkers(
      { file: store.file, nativeBinding: this.deps.nativeBinding, from, untilId },
      onProgress,
    );
    if (generation !== this.generation) {
      throw new AppError('conflict', 'A backup was restored while the audit trail was being verified. Verify it again.');
    }
    const before = from?.afterId ?? 0;
    if (!report.intact) {
      return broken(usedMode, before + report.rows, report.rows, report.brokenAt, report.reason, report.message);
    }
    const lastId = report.lastId ?? 0;
    if (checkpoint?.through_id != null && lastId < checkpoint.through_id) {
      return broken(usedMode, lastId, report.rows, lastId + 1, 'truncated', truncatedMessage(lastId, checkpoint.through_id, verifiedOn));
    }
    return result({
      intact: true,
      mode: usedMode,
      rows: lastId,
      checked: report.rows,
      throughId: report.lastId,
      throughHash: report.lastId === null ? null : report.lastHash,
      brokenAt: null,
      reason: null,
      message: lastId === 0 ? 'The audit trail is empty.' : `Intact: ${lastId.toLocaleString('en')} rows.`,
    });
  }

  /**
   * Stores a verification (an intact one is the next checkpoint) and tells the
   * screens. Call it inside the caller's write transaction, with its audit row.
   */
  save(verification: Verification, by: Verifier): void {
    const store = this.deps.store();
    store.run(
      store.db.insertInto('audit_verification').values({
        at: verification.at,
        by_type: by.type,
        by_id: by.type === 'user' ? by.id : null,
        by_name: by.type === 'user' ? by.name : null,
        mode: verification.mode,
        intact: verification.intact ? 1 : 0,
        rows: verification.rows,
        checked: verification.checked,
        through_id: verification.throughId,
        through_hash: verification.throughHash,
        broken_at: verification.brokenAt,
        reason: verification.reason,
        message: verification.message,
        ms: verification.ms,
      }),
    );
  }

  /** Tells the screens (and monitoring) about a stored verification. */
  announce(verification: Verification): void {
    this.deps.events.emit('audit.verified', {
      intact: verification.intact,
      rows: verification.rows,
      brokenAt: verification.brokenAt,
      message: verification.message,
    });
  }

  /** Security events by kind over [from, to). */
  securitySummary(range: { from?: string; to?: string }): {
    from: string;
    to: string;
    total: number;
    actions: { action: string; count: number; lastAt: string }[];
  } {
    // by default the last 24 hours, up to and including this millisecond
    const to = new Date(range.to ? Date.parse(range.to) : this.deps.clock.now().getTime() + 1).toISOString();
    const from = range.from ? new Date(range.from).toISOString() : new Date(Date.parse(to) - 24 * 3600_000).toISOString();
    const rows = this.deps
      .store()
      .prepare(
        `SELECT action, count(*) AS count, max(at) AS lastAt FROM audit_log INDEXED BY audit_log_by_family
         WHERE substr(action, 1, instr(action, '.')) = ? AND at >= ? AND at < ?
         GROUP BY action ORDER BY count DESC, action`,
      )
      .all(familyOf(SECURITY_ACTION_PREFIX), from, to) as { action: string; count: number; lastAt: string }[];
    return { from, to, total: rows.reduce((sum, r) => sum + r.count, 0), actions: rows };
  }
}

/** What the trail records of a verification (who ran it is the row's actor). */
export function verificationDetails(v: Verification): Record<string, unknown> {
  return { intact: v.intact, mode: v.mode, rows: v.rows, throughId: v.throughId, brokenAt: v.brokenAt, reason: v.reason };
}

/** 2026-12-01 14:02 (UTC), the way the messages name a time. */
function minute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function truncatedMessage(lastId: number, throughId: number, verifiedOn: string): string {
  return `Rows ${lastId + 1} to ${throughId}, verified on ${verifiedOn}, are missing from the end of the trail.`;
}

export function toAuditRow(row: AuditLogTable): AuditRow {
  let details: Record<string, unknown>;
  try {
    const parsed = JSON.parse(row.details) as unknown;
    details = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    details = { unreadable: row.details.slice(0, 2000) };
  }
  return {
    id: row.id,
    at: row.at,
    actor: { type: row.actor_type, id: row.actor_id, name: row.actor_name, role: row.role },
    face: row.face,
    action: row.action,
    target: row.target_type === null ? null : { type: row.target_type, id: row.target_id },
    outcome: row.outcome,
    errorCode: row.error_code,
    details,
    sessionId: row.session_id,
    address: row.address,
    requestId: row.request_id,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function toVerification(row: Selectable<AuditVerificationTable>): Verification {
  return {
    intact: row.intact === 1,
    mode: row.mode,
    rows: row.rows,
    checked: row.checked,
    throughId: row.through_id,
    throughHash: row.through_hash,
    brokenAt: row.broken_at,
    reason: row.reason as Verification['reason'],
    message: row.message,
    at: row.at,
    ms: row.ms,
    by: { type: row.by_type, name: row.by_name },
  };
}
