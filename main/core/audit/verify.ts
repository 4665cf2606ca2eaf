import type { Store } from '../db/store.js';
import { GENESIS_HASH, rowHash, type HashedFields } from './canonical.js';

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

/**
 * Walks the audit chain in id order (streamed, constant memory) from the start or
 * from a checkpoint (a row id and the hash that row had when it was last verified).
 */
export function verifyChain(store: Store, from?: { afterId: number; hash: string }): ChainReport {
  let expectedPrev = from?.hash ?? GENESIS_HASH;
  let expectedId = (from?.afterId ?? 0) + 1;
  let rows = 0;
  let lastId: number | null = from?.afterId ?? null;
  const statement = store.sqlite.prepare(
    `SELECT id, at, actor_type, actor_id, actor_name, role, face, action, target_type, target_id, outcome,
       error_code, details, session_id, address, request_id, prev_hash, hash
     FROM audit_log WHERE id > ? ORDER BY id`,
  );
  for (const row of statement.iterate(from?.afterId ?? 0) as Iterable<HashedFields & { hash: string }>) {
    if (row.id !== expectedId) {
      return { intact: false, rows, brokenAt: row.id, reason: 'gap', message: `Rows ${expectedId} to ${row.id - 1} are missing.` };
    }
    if (row.prev_hash !== expectedPrev) {
      return { intact: false, rows, brokenAt: row.id, reason: 'link', message: `Row ${row.id} does not follow row ${row.id - 1}.` };
    }
    if (rowHash(row) !== row.hash) {
      return { intact: false, rows, brokenAt: row.id, reason: 'hash', message: `Row ${row.id} was changed after it was written.` };
    }
    expectedPrev = row.hash;
    expectedId = row.id + 1;
    lastId = row.id;
    rows += 1;
  }
  return { intact: true, rows, lastId, lastHash: expectedPrev };
}
