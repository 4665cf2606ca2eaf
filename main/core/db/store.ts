import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type Compilable } from 'kysely';
import type { Tables } from './tables.js';
import { WalNote } from './wal-guard.js';

export interface StoreOptions {
  file: string;
  /**
   * Path to a better_sqlite3.node built for the running runtime. The desktop face
   * passes the Electron build; plain Node uses the one in node_modules.
   */
  nativeBinding?: string;
  readonly?: boolean;
  /** tests: make the store's writes fail as on a full disk (a real SqliteError SQLITE_FULL) */
  faults?: StoreFaults;
  /** note the write-ahead log's header as it changes, for the check at the next start (main/core/db/wal-guard.ts) */
  walNote?: boolean;
  /** told of every write that failed because the disk is full (main/core/db/space.ts) */
  onDiskFull?: (err: Error) => void;
}

/** Faults a test injects into a store: `diskFull` makes every write fail with SQLITE_FULL. */
export interface StoreFaults {
  diskFull: boolean;
}

/** True for SQLite's and the system's "no space left" errors. */
export function isDiskFull(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.code === 'SQLITE_FULL' || e.code === 'ENOSPC' || (e.code === 'SQLITE_IOERR_WRITE' && /full|space/i.test(String(e.message)))) return true;
  return typeof e.message === 'string' && /database or disk is full|no space left on device/i.test(e.message);
}

function diskFullError(): Error {
  return new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
}

type Param = string | number | bigint | Buffer | null;

function toParam(value: unknown): Param {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  if (value === undefined) return null;
  return value as Param;
}

/**
 * The SQLite database: better-sqlite3 underneath, kysely on top for typed queries.
 *
 * Queries are built with kysely and run synchronously through better-sqlite3
 * (`store.all(store.db.selectFrom('x').selectAll())`): a query is one short, indexed
 * step on the event loop, and a write transaction (`store.tx(() => …)`) can never
 * interleave with another caller's. The async kysely API on `store.db` is used by
 * the migrator.
 */
export class Store {
  readonly sqlite: Database.Database;
  readonly db: Kysely<Tables>;
  readonly file: string;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly options: StoreOptions;
  private readonly walNote: WalNote | null;

  constructor(options: StoreOptions) {
    this.options = options;
    this.file = options.file;
    this.sqlite = new Database(options.file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
      nativeBinding: options.nativeBinding,
    });
    if (!options.readonly) {
      this.sqlite.pragma('journal_mode = WAL');
      this.sqlite.pragma('synchronous = NORMAL');
    }
    this.sqlite.pragma('foreign_keys = ON');
    this.sqlite.pragma('busy_timeout = 5000');
    this.walNote = options.walNote && !options.readonly ? new WalNote(options.file) : null;
    this.walNote?.opened();
    this.db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: this.sqlite }) });
  }

  prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.sqlite.prepare(sql);
      if (!statement.readonly) this.guard(statement);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** A writing statement reports a full disk (and, in tests, fails as on one). */
  private guard(statement: Database.Statement): void {
    for (const method of ['run', 'get', 'all'] as const) {
      const original = statement[method].bind(statement) as (...args: unknown[]) => unknown;
      (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => this.writing(() => original(...args));
    }
  }

  /** Runs one write; one that failed for lack of space is reported. */
  private writing<T>(fn: () => T): T {
    try {
      if (this.options.faults?.diskFull) throw diskFullError();
      const value = fn();
      if (this.walNote && !this.sqlite.inTransaction) this.walNote.observe();
      return value;
    } catch (err) {
      if (isDiskFull(err)) this.options.onDiskFull?.(err as Error);
      throw err;
    }
  }

  all<R>(query: Compilable<R>): R[] {
    const compiled = query.compile();
    return this.prepare(compiled.sql).all(...compiled.parameters.map(toParam)) as R[];
  }

  get<R>(query: Compilable<R>): R | undefined {
    const compiled = query.compile();
    return this.prepare(compiled.sql).get(...compiled.parameters.map(toParam)) as R | undefined;
  }

  run(query: Compilable<unknown>): Database.RunResult {
    const compiled = query.compile();
    return this.prepare(compiled.sql).run(...compiled.parameters.map(toParam));
  }

  /** Runs `fn` in one IMMEDIATE transaction: all of it lands, or none. Nested calls join the outer one. */
  tx<T>(fn: () => T): T {
    if (this.sqlite.inTransaction) return fn();
    return this.writing(() => this.sqlite.transaction(fn).immediate());
  }

  /** True when the database answers a query. */
  ping(): boolean {
    try {
      return this.sqlite.prepare('SELECT 1 AS one').get() !== undefined;
    } catch {
      return false;
    }
  }

  get isOpen(): boolean {
    return this.sqlite.open;
  }

  close(): void {
    if (!this.sqlite.open) return;
    this.statements.clear();
    if (!this.sqlite.readonly) {
      try {
        this.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // a busy checkpoint is fine; SQLite replays the WAL at the next open
      }
    }
    this.sqlite.close();
    this.walNote?.closed();
  }
}
