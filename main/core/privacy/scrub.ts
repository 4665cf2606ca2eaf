import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Store } from '../db/store.js';

/** Every FTS5 index of the database, found in its schema (so a new one is never missed). */
export function ftsTables(store: Store): string[] {
  return (
    store.sqlite
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%' AND lower(sql) LIKE '%using fts5%' ORDER BY name")
      .all() as { name: string }[]
  ).map((r) => r.name);
}

export interface ScrubResult {
  /** the write-ahead log was copied into the database and emptied */
  walCleared: boolean;
  /** the database file was rebuilt without free pages */
  vacuumed: boolean;
}

/**
 * After rows with a client's text were deleted (with `secure_delete` on, so
 * SQLite zeroed what it freed), makes sure the text is left nowhere in the files:
 *
 * 1. each FTS5 index is merged into one segment ('optimize'): a deletion only
 *    adds a tombstone, and the old segment with the words stays until merged;
 * 2. the write-ahead log is checkpointed and truncated (TRUNCATE), so no frame
 *    with an older version of a page stays in the -wal file;
 * 3. VACUUM rebuilds the database file from its live rows only (no free page, no
 *    unused space inside a page keeps an old copy), then the log is truncated again.
 *
 * Each step is one statement; between steps the event loop runs. VACUUM's time
 * grows with the database (about a second per 100 MB on an ordinary disk).
 */
export async function scrub(store: Store): Promise<ScrubResult> {
  const db = store.sqlite;
  const previous = db.pragma('secure_delete', { simple: true });
  db.pragma('secure_delete = ON');
  try {
    for (const table of ftsTables(store)) {
      db.prepare(`INSERT INTO "${table}" ("${table}") VALUES ('optimize')`).run();
      await yieldToLoop();
    }
    await checkpoint(store);
    db.exec('VACUUM');
    await yieldToLoop();
    const walCleared = await checkpoint(store);
    return { walCleared, vacuumed: true };
  } finally {
    db.pragma(`secure_delete = ${Number(previous) ? 'ON' : 'OFF'}`);
  }
}

/** A TRUNCATE checkpoint, retried briefly while another connection (a backup, a verification) still reads. */
async function checkpoint(store: Store): Promise<boolean> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const [row] = store.sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
    if (row && row.busy === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** Runs `fn` with SQLite's secure_delete on for this connection: what a deletion frees is overwritten with zeros. */
export function withSecureDelete<T>(store: Store, fn: () => T): T {
  const db = store.sqlite;
  const previous = db.pragma('secure_delete', { simple: true });
  db.pragma('secure_delete = ON');
  try {
    return fn();
  } finally {
    db.pragma(`secure_delete = ${Number(previous) ? 'ON' : 'OFF'}`);
  }
}
