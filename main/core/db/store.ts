import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type Compilable } from 'kysely';
import type { Tables } from './tables.js';

export interface StoreOptions {
  file: string;
  /**
   * Path to a better_sqlite3.node built for the running runtime. The desktop face
   * passes the Electron build; plain Node uses the one in node_modules.
   */
  nativeBinding?: string;
  readonly?: boolean;
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

  constructor(options: StoreOptions) {
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
    this.db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: this.sqlite }) });
  }

  prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.sqlite.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
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
    return this.sqlite.transaction(fn).immediate();
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
  }
}
