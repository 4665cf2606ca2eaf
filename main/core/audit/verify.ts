import { hash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Store } from '../db/store.js';
import { GENESIS_HASH } from './canonical.js';

export type ChainReport =
  | { intact: true; rows: number; lastId: number | null; lastHash: string }
  | {
      intact: false;
      rows: number;
      /** the first row whose hash or link does not match */
      brokenAt: number;
      reason: 'hash' | 'link' | 'gap';
      message: string;
    };

/** Where a walk starts: after a row whose hash was verified before. */
export interface ChainStart {
  afterId: number;
  hash: string;
}

// The columns rowHash() covers, in its order, then the stored hash. Reading rows as
// arrays (raw mode) lets the walk hash `JSON.stringify(row without its last cell)`,
// which is exactly rowHash's encoding, without building an object per row.
const WALK_SQL = `SELECT id, at, actor_type, actor_id, actor_name, role, face, action, target_type, target_id, outcome,
   error_code, details, session_id, address, request_id, prev_hash, hash
 FROM audit_log WHERE id > ? ORDER BY id`;
const ID = 0;
const PREV_HASH = 16;
const HASH = 17;

/**
 * Walks the audit chain in id order on one connection (streamed, constant memory),
 * from the start or from a checkpoint. The walk reads one snapshot: rows appended
 * while it runs are not part of it.
 */
export function walkChain(sqlite: Database.Database, from?: ChainStart, onProgress?: (rows: number) => void): ChainReport {
  let expectedPrev = from?.hash ?? GENESIS_HASH;
  let expectedId = (from?.afterId ?? 0) + 1;
  let rows = 0;
  let lastId: number | null = from?.afterId ?? null;
  const statement = sqlite.prepare(WALK_SQL).raw(true);
  for (const row of statement.iterate(from?.afterId ?? 0) as Iterable<unknown[]>) {
    const id = row[ID] as number;
    if (id !== expectedId) {
      return { intact: false, rows, brokenAt: id, reason: 'gap', message: `Rows ${expectedId} to ${id - 1} are missing.` };
    }
    if (row[PREV_HASH] !== expectedPrev) {
      return { intact: false, rows, brokenAt: id, reason: 'link', message: `Row ${id} does not follow row ${id - 1}.` };
    }
    const stored = row[HASH];
    row.length = HASH;
    if (hash('sha256', JSON.stringify(row), 'hex') !== stored) {
      return { intact: false, rows, brokenAt: id, reason: 'hash', message: `Row ${id} was changed after it was written.` };
    }
    expectedPrev = stored as string;
    expectedId = id + 1;
    lastId = id;
    rows += 1;
    if (onProgress && rows % 100_000 === 0) onProgress(rows);
  }
  return { intact: true, rows, lastId, lastHash: expectedPrev };
}

/** `walkChain` on the store's own connection (tests and small trails; the service runs it in a worker). */
export function verifyChain(store: Store, from?: ChainStart): ChainReport {
  return walkChain(store.sqlite, from);
}
