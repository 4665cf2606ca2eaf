import type Database from 'better-sqlite3';

/**
 * A SQL text copy of a SQLite database that the sqlite3 shell loads
 * (`sqlite3 new.sqlite < dump.sql`), written without needing that shell.
 *
 * Same layout as the shell's `.dump`: foreign keys off, one transaction, each
 * table's CREATE followed by its rows, then indexes, views and triggers (after the
 * rows, so that triggers do not fire while loading), then PRAGMA user_version.
 * Every INSERT is one line — newlines inside text are written with char(10) —
 * so the rows of a table can be counted with a line filter.
 */

export interface DumpTable {
  name: string;
  /** 'table' for ordinary tables, 'shadow' for the storage tables of a virtual table */
  type: 'table' | 'shadow';
}

interface TableListRow {
  schema: string;
  name: string;
  type: string;
}

interface MasterRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Tables whose rows a backup counts and a dump writes (not sqlite_* and not virtual ones). */
export function dataTables(db: Database.Database): DumpTable[] {
  const rows = db.prepare("SELECT schema, name, type FROM pragma_table_list WHERE schema = 'main'").all() as TableListRow[];
  return rows
    .filter((r) => (r.type === 'table' || r.type === 'shadow') && !r.name.startsWith('sqlite_'))
    .map((r) => ({ name: r.name, type: r.type as 'table' | 'shadow' }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function countRows(db: Database.Database): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const table of dataTables(db)) {
    const row = db.prepare(`SELECT count(*) AS n FROM ${quoteIdentifier(table.name)}`).get() as { n: number };
    counts[table.name] = row.n;
  }
  return counts;
}

const NEWLINE_TOKENS = ['\\n', '\\012', '\\x0a', '\\u000a', '<<LF>>'];
const RETURN_TOKENS = ['\\r', '\\015', '\\x0d', '\\u000d', '<<CR>>'];

function pickToken(text: string, candidates: string[]): string {
  const found = candidates.find((token) => !text.includes(token));
  if (found) return found;
  // pathological text containing every candidate: a token made unique by construction
  let token = '<<#>>';
  while (text.includes(token)) token = token.replace('#', '##');
  return token;
}

/** A SQL literal for a text value, on one line. */
export function textLiteral(text: string): string {
  const hasLf = text.includes('\n');
  const hasCr = text.includes('\r');
  const hasNul = text.includes('\0');
  if (!hasLf && !hasCr && !hasNul) return `'${text.replaceAll("'", "''")}'`;
  let body = text;
  let lf = '';
  let cr = '';
  let nul = '';
  if (hasLf) {
    lf = pickToken(body, NEWLINE_TOKENS);
    body = body.replaceAll('\n', lf);
  }
  if (hasCr) {
    cr = pickToken(body, RETURN_TOKENS);
    body = body.replaceAll('\r', cr);
  }
  if (hasNul) {
    nul = pickToken(body, ['\\0', '<<NUL>>']);
    body = body.replaceAll('\0', nul);
  }
  let literal = `'${body.replaceAll("'", "''")}'`;
  const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
  if (hasLf) literal = `replace(${literal},${q(lf)},char(10))`;
  if (hasCr) literal = `replace(${literal},${q(cr)},char(13))`;
  if (hasNul) literal = `replace(${literal},${q(nul)},char(0))`;
  return literal;
}

export function realLiteral(value: number): string {
  if (Number.isNaN(value)) return 'NULL';
  if (value === Infinity) return '9.0e+999';
  if (value === -Infinity) return '-9.0e+999';
  const text = String(value);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

/** A SQL literal for any value better-sqlite3 returns with safeIntegers on. */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return realLiteral(value);
  if (typeof value === 'string') return textLiteral(value);
  if (Buffer.isBuffer(value)) return `X'${value.toString('hex')}'`;
  throw new TypeError(`cannot write a ${typeof value} as SQL`);
}

interface ColumnInfo {
  name: string;
  hidden: number;
}

/** Where a dump stands, for a progress bar. */
export interface DumpProgress {
  rowsDone: number;
  rowsTotal: number;
}

/**
 * Yields the dump as text pieces of about `chunkChars` characters. Runs a read
 * transaction for the whole dump, so the copy is consistent.
 */
export function* dumpSql(
  db: Database.Database,
  options: { chunkChars?: number; onProgress?: (p: DumpProgress) => void; rowsTotal?: number } = {},
): Generator<string> {
  const chunkChars = options.chunkChars ?? 256 * 1024;
  const master = db
    .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")
    .all() as MasterRow[];
  const tables = dataTables(db);
  const shadow = new Set(tables.filter((t) => t.type === 'shadow').map((t) => t.name));
  const userVersion = db.pragma('user_version', { simple: true }) as number;
  const rowsTotal = options.rowsTotal ?? 0;
  let rowsDone = 0;

  let buffer = 'PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n';
  const flush = function* (force = false): Generator<string> {
    if (buffer.length >= chunkChars || (force && buffer.length > 0)) {
      yield buffer;
      buffer = '';
    }
  };

  db.exec('BEGIN');
  try {
    for (const entry of master) {
      if (entry.type !== 'table' || entry.name.startsWith('sqlite_') || shadow.has(entry.name)) continue;
      const isVirtual = /^\s*CREATE\s+VIRTUAL\s+TABLE/i.test(entry.sql!);
      buffer += `${entry.sql};\n`;
      if (isVirtual) continue; // its content lives in its shadow tables, written below
      yield* writeRows(entry.name, false);
    }
    for (const table of tables) {
      if (table.type !== 'shadow') continue;
      // created (and seeded) by CREATE VIRTUAL TABLE above: replace what it put there
      buffer += `DELETE FROM ${quoteIdentifier(table.name)};\n`;
      yield* writeRows(table.name, true);
    }
    const hasSequence = master.some((m) => m.type === 'table' && m.name === 'sqlite_sequence');
    if (hasSequence) {
      buffer += 'DELETE FROM sqlite_sequence;\n';
      for (const row of db.prepare('SELECT name, seq FROM sqlite_sequence').safeIntegers(true).all() as { name: string; seq: bigint }[]) {
        buffer += `INSERT INTO sqlite_sequence(name,seq) VALUES(${sqlLiteral(row.name)},${row.seq});\n`;
      }
    }
    for (const type of ['index', 'view', 'trigger']) {
      for (const entry of master) {
        if (entry.type !== type || entry.name.startsWith('sqlite_')) continue;
        if (type === 'index' && shadow.has(entry.tbl_name)) continue;
        buffer += `${entry.sql};\n`;
      }
    }
    buffer += `PRAGMA user_version=${userVersion};\nCOMMIT;\n`;
    yield* flush(true);
  } finally {
    db.exec('COMMIT');
  }

  function* writeRows(table: string, isShadow: boolean): Generator<string> {
    const columns = (db.prepare(`SELECT name, hidden FROM pragma_table_xinfo(?)`).all(table) as ColumnInfo[])
      // hidden 2 and 3 are generated columns: SQLite computes them, an INSERT must not name them
      .filter((c) => c.hidden === 0 || (isShadow && c.hidden === 1));
    if (columns.length === 0) return;
    const names = columns.map((c) => quoteIdentifier(c.name)).join(',');
    const prefix = `INSERT INTO ${quoteIdentifier(table)}(${names}) VALUES(`;
    const select = db.prepare(`SELECT ${names} FROM ${quoteIdentifier(table)}`).raw(true).safeIntegers(true);
    for (const row of select.iterate() as Iterable<unknown[]>) {
      buffer += prefix;
      for (let i = 0; i < row.length; i++) {
        if (i > 0) buffer += ',';
        buffer += sqlLiteral(row[i]);
      }
      buffer += ');\n';
      rowsDone++;
      if (buffer.length >= chunkChars) {
        options.onProgress?.({ rowsDone, rowsTotal });
        yield* flush();
      }
    }
  }
}

/** The table an INSERT line of a dump writes to, or null for any other line. */
export function insertTarget(line: string): string | null {
  const match = /^INSERT INTO "((?:[^"]|"")+)"/.exec(line);
  return match ? match[1]!.replaceAll('""', '"') : null;
}
