import type Database from 'better-sqlite3';
import type { AuditOutcome } from '../../../shared/contract/audit.js';
import { MATTER_TARGET_TYPES } from '../../../shared/contract/audit.js';
import type { AuditLogTable } from '../db/tables.js';

/**
 * How the audit trail is searched: a filter becomes one walk down one index in
 * (at, id) order, with keyset positions instead of OFFSET, so page 1 and page
 * 10,000 cost the same.
 *
 * The SQL is written by hand rather than with kysely because each query names the
 * index it walks (INDEXED BY) and must match the index's expression exactly
 * (`substr(action, 1, instr(action, '.'))`): the plan is part of the contract with
 * the benchmark, and SQLite's planner, without statistics, picks a sort over
 * hundreds of thousands of rows for some of these filters. Every value is a bound
 * parameter; index names come from the fixed list below.
 */

/** A filter resolved against the database and the viewer's scope. */
export interface AuditQuery {
  actor?: { column: 'actor_id' | 'actor_name' | 'actor_type'; value: string } | { column: 'actor_id'; values: string[] };
  /** actions left out (the reads, when the screen hides them) */
  excludeActions?: readonly string[];
  action?: { exact: string } | { prefix: string };
  outcome?: AuditOutcome;
  target?: { type: string; id?: string };
  /** ISO times, inclusive / exclusive */
  from?: string;
  to?: string;
  text?: string;
  /** a lawyer's view: only rows whose target is a client or a matter */
  mattersOnly: boolean;
  /** an export's snapshot: rows appended after it started are left out */
  maxId?: number;
}

/** A place in the (at, id) order. */
export interface Position {
  at: string;
  id: number;
}

export type Direction = 'desc' | 'asc';

type Param = string | number;
interface Condition {
  sql: string;
  params: Param[];
}

const INDEXES = [
  'audit_log_by_at',
  'audit_log_by_target',
  'audit_log_by_actor_id',
  'audit_log_by_actor_name',
  'audit_log_by_actor_type',
  'audit_log_by_action',
  'audit_log_by_family',
  'audit_log_by_outcome',
  'audit_log_by_matters_at',
] as const;
type IndexName = (typeof INDEXES)[number];

interface Plan {
  index: IndexName;
  /** served by the index itself */
  driving: Condition[];
  /** checked row by row while walking it */
  residual: Condition[];
  /** checked row by row but nearly always true (an export's snapshot bound): no scan window needed */
  cheap: Condition[];
  /** the filter can match nothing (a lawyer asking about users, say) */
  empty: boolean;
}

/** The table's columns, in the order exports and `pageCells` use (id first, then at). */
export const AUDIT_COLUMN_NAMES = [
  'id',
  'at',
  'actor_type',
  'actor_id',
  'actor_name',
  'role',
  'face',
  'action',
  'target_type',
  'target_id',
  'outcome',
  'error_code',
  'details',
  'session_id',
  'address',
  'request_id',
  'prev_hash',
  'hash',
] as const satisfies readonly (keyof AuditLogTable)[];

export const AUDIT_COLUMNS = AUDIT_COLUMN_NAMES.join(', ');

const MATTERS_CONDITION = `target_type IN (${MATTER_TARGET_TYPES.map((t) => `'${t}'`).join(', ')})`;
const FAMILY_EXPRESSION = "substr(action, 1, instr(action, '.'))";
/** the highest code point: `prefix + MAX_CHAR` sorts after every name that starts with `prefix` */
const MAX_CHAR = '\u{10FFFF}';

/** The first segment of an action with its dot: `security.` for `security.login.failed`. */
export function familyOf(action: string): string {
  const dot = action.indexOf('.');
  return dot < 0 ? '' : action.slice(0, dot + 1);
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Chooses the index to walk: the most selective filter the query has. */
export function planFor(query: AuditQuery): Plan {
  const conditions = {
    target: [] as Condition[],
    actor: [] as Condition[],
    action: [] as Condition[],
    outcome: [] as Condition[],
    matters: [] as Condition[],
    other: [] as Condition[],
  };
  let empty = false;
  const matterTypes: readonly string[] = MATTER_TARGET_TYPES;

  if (query.target) {
    if (query.mattersOnly && !matterTypes.includes(query.target.type)) empty = true;
    conditions.target.push({ sql: 'target_type = ?', params: [query.target.type] });
    if (query.target.id !== undefined) conditions.target.push({ sql: 'target_id = ?', params: [query.target.id] });
  }
  if (query.actor && 'values' in query.actor) {
    conditions.actor.push({ sql: `${query.actor.column} IN (${query.actor.values.map(() => '?').join(', ')})`, params: query.actor.values });
  } else if (query.actor) conditions.actor.push({ sql: `${query.actor.column} = ?`, params: [query.actor.value] });
  if (query.excludeActions?.length) {
    conditions.other.push({ sql: `action NOT IN (${query.excludeActions.map(() => '?').join(', ')})`, params: [...query.excludeActions] });
  }
  if (query.outcome) conditions.outcome.push({ sql: 'outcome = ?', params: [query.outcome] });
  if (query.text) conditions.other.push({ sql: "details LIKE ? ESCAPE '\\'", params: [likePattern(query.text)] });
  const cheap: Condition[] = query.maxId === undefined ? [] : [{ sql: 'id <= ?', params: [query.maxId] }];
  if (query.mattersOnly) conditions.matters.push({ sql: MATTERS_CONDITION, params: [] });

  let actionIndex: IndexName | null = null;
  const actionDriving: Condition[] = [];
  const actionResidual: Condition[] = [];
  if (query.action && 'exact' in query.action) {
    actionIndex = 'audit_log_by_action';
    actionDriving.push({ sql: 'action = ?', params: [query.action.exact] });
  } else if (query.action) {
    const prefix = query.action.prefix;
    const family = familyOf(prefix);
    const range = { sql: 'action >= ? AND action < ?', params: [prefix, prefix + MAX_CHAR] };
    if (family) {
      actionIndex = 'audit_log_by_family';
      actionDriving.push({ sql: `${FAMILY_EXPRESSION} = ?`, params: [family] });
      if (family !== prefix) actionResidual.push(range);
    } else {
      actionResidual.push(range);
    }
  }

  const residualAll = (except: keyof typeof conditions | 'action'): Condition[] => [
    ...(except === 'target' ? [] : conditions.target),
    ...(except === 'actor' ? [] : conditions.actor),
    ...(except === 'action' ? actionResidual : [...actionDriving, ...actionResidual]),
    ...(except === 'outcome' ? [] : conditions.outcome),
    ...(except === 'matters' ? [] : conditions.matters),
    ...conditions.other,
  ];

  // most selective first: one client or matter, one person, one action, a failure
  // outcome, an action family, a lawyer's scope, and otherwise time alone
  if (query.target?.id !== undefined) {
    return { index: 'audit_log_by_target', driving: conditions.target, residual: residualAll('target'), cheap, empty };
  }
  if (query.actor) {
    const index: IndexName = `audit_log_by_${query.actor.column}`;
    return { index, driving: conditions.actor, residual: residualAll('actor'), cheap, empty };
  }
  if (actionIndex === 'audit_log_by_action') {
    return { index: actionIndex, driving: actionDriving, residual: residualAll('action'), cheap, empty };
  }
  if (query.outcome && query.outcome !== 'ok') {
    return { index: 'audit_log_by_outcome', driving: conditions.outcome, residual: residualAll('outcome'), cheap, empty };
  }
  if (actionIndex === 'audit_log_by_family') {
    return { index: actionIndex, driving: actionDriving, residual: residualAll('action'), cheap, empty };
  }
  if (query.mattersOnly || (query.target && matterTypes.includes(query.target.type))) {
    // the partial index serves only queries that state its condition
    const driving = [{ sql: MATTERS_CONDITION, params: [] }];
    return { index: 'audit_log_by_matters_at', driving, residual: residualAll('matters'), cheap, empty };
  }
  return { index: 'audit_log_by_at', driving: [], residual: residualAll('matters'), cheap, empty };
}

/** Conditions on `at` (and id for ties) that every index serves as a range. */
function rangeConditions(query: AuditQuery, direction: Direction, after?: Position, until?: Position): Condition[] {
  const out: Condition[] = [];
  // the bound the walk starts from: the cursor, or the end of the time range
  const startBound = direction === 'desc' ? query.to : query.from;
  const endBound = direction === 'desc' ? query.from : query.to;
  const before = direction === 'desc' ? '<' : '>';
  const beyond = direction === 'desc' ? '>' : '<';
  const startCutsCursor =
    after && startBound !== undefined && (direction === 'desc' ? startBound <= after.at : startBound > after.at);
  if (after && !startCutsCursor) {
    out.push({ sql: `at ${before}= ? AND (at ${before} ? OR id ${before} ?)`, params: [after.at, after.at, after.id] });
  } else if (startBound !== undefined) {
    out.push({ sql: direction === 'desc' ? 'at < ?' : 'at >= ?', params: [startBound] });
  }
  if (until) {
    // a scan window's far end, inclusive; it lies inside the time range by construction
    out.push({ sql: `at ${beyond}= ? AND (at ${beyond} ? OR id ${beyond}= ?)`, params: [until.at, until.at, until.id] });
  } else if (endBound !== undefined) {
    out.push({ sql: direction === 'desc' ? 'at >= ?' : 'at < ?', params: [endBound] });
  }
  return out;
}

function where(conditions: Condition[]): { sql: string; params: Param[] } {
  if (conditions.length === 0) return { sql: '', params: [] };
  return {
    sql: ` WHERE ${conditions.map((c) => `(${c.sql})`).join(' AND ')}`,
    params: conditions.flatMap((c) => c.params),
  };
}

export interface PageOptions {
  direction: Direction;
  /** continue after this position (exclusive) */
  after?: Position;
  limit: number;
  /**
   * When rows must be checked one by one (free text, say), look at no more than
   * this many index entries: each call stays a short step on the event loop.
   */
  scanBudget: number;
}

export interface RawPage<R = AuditLogTable> {
  rows: R[];
  /** where the next page starts, or null at the end */
  next: Position | null;
  /** set when the scan budget, not the limit, ended the page */
  scannedTo: Position | null;
}

/** A row as an array of AUDIT_COLUMNS, in that order (exports: no object per row). */
export type AuditRowCells = unknown[];

/** Runs one page of a query. Synchronous: each call is a bounded, indexed step. */
export class AuditSearch {
  private readonly statements = new Map<string, Database.Statement>();
  private preparedOn: Database.Database | null = null;

  constructor(private readonly sqlite: () => Database.Database) {}

  private prepare(sql: string, raw = false): Database.Statement {
    const db = this.sqlite();
    if (db !== this.preparedOn) {
      // a restore swaps the database underneath: statements of the old one are useless
      this.statements.clear();
      this.preparedOn = db;
    }
    const key = raw ? `raw:${sql}` : sql;
    let statement = this.statements.get(key);
    if (!statement) {
      statement = db.prepare(sql);
      if (raw) statement.raw(true);
      this.statements.set(key, statement);
    }
    return statement;
  }

  page(query: AuditQuery, options: PageOptions): RawPage {
    return this.run(query, options, false);
  }

  /** `page` with each row as an array of AUDIT_COLUMNS. */
  pageCells(query: AuditQuery, options: PageOptions): RawPage<AuditRowCells> {
    return this.run(query, options, true);
  }

  private run<R>(query: AuditQuery, options: PageOptions, raw: boolean): RawPage<R> {
    const plan = planFor(query);
    if (plan.empty) return { rows: [], next: null, scannedTo: null };
    const order = options.direction === 'desc' ? 'DESC' : 'ASC';
    const from = `FROM audit_log INDEXED BY ${plan.index}`;
    const orderBy = ` ORDER BY at ${order}, id ${order}`;

    // With row-by-row checks, first find how far `scanBudget` index entries reach.
    let windowEnd: Position | undefined;
    if (plan.residual.length > 0) {
      windowEnd = this.nth(plan, query, options.direction, options.after, options.scanBudget);
    }

    const conditions = [
      ...plan.driving,
      ...rangeConditions(query, options.direction, options.after, windowEnd),
      ...plan.residual,
      ...plan.cheap,
    ];
    const w = where(conditions);
    const rows = this.prepare(`SELECT ${AUDIT_COLUMNS} ${from}${w.sql}${orderBy} LIMIT ?`, raw).all(
      ...w.params,
      options.limit,
    ) as R[];

    const last = rows.at(-1);
    if (rows.length === options.limit && last) {
      const position = raw
        ? { id: (last as unknown as AuditRowCells)[0] as number, at: (last as unknown as AuditRowCells)[1] as string }
        : { id: (last as unknown as AuditLogTable).id, at: (last as unknown as AuditLogTable).at };
      return { rows, next: position, scannedTo: null };
    }
    if (windowEnd) return { rows, next: windowEnd, scannedTo: windowEnd };
    return { rows, next: null, scannedTo: null };
  }

  /**
   * The `n`-th position after `after` along the query's index, or undefined when
   * fewer than `n` entries remain. Reads the index alone (covering): 10,000
   * entries take a millisecond or two.
   */
  private nth(plan: Plan, query: AuditQuery, direction: Direction, after: Position | undefined, n: number): Position | undefined {
    const order = direction === 'desc' ? 'DESC' : 'ASC';
    const probe = where([...plan.driving, ...rangeConditions(query, direction, after)]);
    return this.prepare(`SELECT at, id FROM audit_log INDEXED BY ${plan.index}${probe.sql} ORDER BY at ${order}, id ${order} LIMIT 1 OFFSET ?`).get(
      ...probe.params,
      n - 1,
    ) as Position | undefined;
  }

  /** The first and last times the query's index range spans (for an export's progress). */
  span(query: AuditQuery): { first: string; last: string } | null {
    const plan = planFor(query);
    if (plan.empty) return null;
    const w = where([...plan.driving, ...rangeConditions(query, 'asc')]);
    const from = `FROM audit_log INDEXED BY ${plan.index}`;
    const first = this.prepare(`SELECT at ${from}${w.sql} ORDER BY at ASC, id ASC LIMIT 1`).get(...w.params) as
      | { at: string }
      | undefined;
    const last = this.prepare(`SELECT at ${from}${w.sql} ORDER BY at DESC, id DESC LIMIT 1`).get(...w.params) as
      | { at: string }
      | undefined;
    return first && last ? { first: first.at, last: last.at } : null;
  }

}

/** An opaque page cursor: base64url of the position. */
export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url');
}

/** The position in a cursor, or null when it is not one of ours. */
export function decodeCursor(cursor: string): Position | null {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [at, id] = value as [unknown, unknown];
    if (typeof at !== 'string' || at.length > 40 || !Number.isSafeInteger(id) || (id as number) < 0) return null;
    return { at, id: id as number };
  } catch {
    return null;
  }
}
