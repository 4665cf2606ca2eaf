import Database from 'better-sqlite3';

/**
 * The rule for rows younger than the restored backup. A restore puts the database
 * back as it was when the backup was made; what happened since is of two kinds:
 *
 * - **What clients sent since** is not lost: WhatsApp still has it, and the catch-up
 *   that runs when the link resumes stores it again in the restored ledger. Every
 *   ledger consumer reloads its position from the restored database (whatsapp/ledger.ts),
 *   so those messages are handled once more, in order.
 * - **What LexDesk sent since** is already on the clients' phones. So that handling
 *   those messages again does not send the same replies twice, the restore writes a
 *   reconciliation horizon (app_meta `whatsapp.restore_horizon`: the backup's time and
 *   an end, 30 minutes after the restore); every message queued before that end is
 *   first looked for in the chat (the sender's `findSent`, as after a crash), and one
 *   WhatsApp already shows as sent since the backup is not sent again.
 * - **Numbers shown to clients never go backwards**: the matter references handed out
 *   since the backup (table `matter_counters`) are carried over into the restored
 *   database, so the next reference is above every one a client was ever told.
 * - Everything else staff did since the backup (notes, status changes, settings) is
 *   gone with the restore; it is in the safety backup taken just before it.
 */

export const RESTORE_HORIZON_KEY = 'whatsapp.restore_horizon';
export const RESTORE_HORIZON_MS = 30 * 60_000;

/** The high-water marks of the live database, read before it is swapped out. */
export interface HighWaterMarks {
  matterCounters: { year: number; last: number }[];
}

function open(file: string, nativeBinding: string | undefined, readonly: boolean): Database.Database {
  const db = new Database(file, { readonly, fileMustExist: true, nativeBinding });
  db.pragma('busy_timeout = 10000');
  return db;
}

function hasTable(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

export function readHighWaterMarks(file: string, nativeBinding?: string): HighWaterMarks {
  const db = open(file, nativeBinding, true);
  try {
    const matterCounters = hasTable(db, 'matter_counters')
      ? (db.prepare('SELECT year, last FROM matter_counters').all() as { year: number; last: number }[])
      : [];
    return { matterCounters };
  } finally {
    db.close();
  }
}

/** Applies the rule above to the restored (and migrated) database. */
export function applyAfterRestore(
  file: string,
  marks: HighWaterMarks,
  horizon: { backupCreatedAt: string; restoredAt: Date },
  nativeBinding?: string,
): void {
  const db = open(file, nativeBinding, false);
  try {
    db.transaction(() => {
      if (hasTable(db, 'matter_counters')) {
        const carry = db.prepare(
          'INSERT INTO matter_counters (year, last) VALUES (?, ?) ON CONFLICT (year) DO UPDATE SET last = max(last, excluded.last)',
        );
        for (const { year, last } of marks.matterCounters) carry.run(year, last);
      }
      if (hasTable(db, 'app_meta')) {
        const value = JSON.stringify({
          since: Date.parse(horizon.backupCreatedAt),
          until: horizon.restoredAt.getTime() + RESTORE_HORIZON_MS,
        });
        db.prepare(
          'INSERT INTO app_meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
        ).run(RESTORE_HORIZON_KEY, value, horizon.restoredAt.toISOString());
      }
    })();
  } finally {
    db.close();
  }
}
