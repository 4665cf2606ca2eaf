import { hash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Store } from '../db/store.js';
import { GENESIS_HASH } from './canonical.js';

interface Segment {
  /** the first row the walk met, and the link it carried (for joining segments walked in parallel) */
  firstId: number | null;
  firstPrevHash: string | null;
}

export type ChainReport =
  | ({ intact: true; rows: number; lastId: number | null; lastHash: string } & Segment)
  | ({
      intact: false;
      rows: number;
      /** the first row whose hash or link does not match */
      brokenAt: number;
      reason: 'hash' | 'link' | 'gap';
      message: string;
    } & Segment);

/**
 * Where a walk starts: after row `afterId`, whose hash was `hash`. A null hash takes
 * the first row's link as given: a later segment of a walk split across workers,
 * joined to the segment before it by `joinSegments`.
 */
export interface ChainStart {
  afterId: number;
  hash: string | null;
}

// The columns rowHash() covers, in its order, then the stored hash. Reading rows as
// arrays (raw mode) lets the walk hash `JSON.stringify(row without its last cell)`,
// which is exactly rowHash's encoding, without building an object per row.
const WALK_SQL = `SELECT id, at, actor_type, actor_id, actor_name, role, face, action, target_type, target_id, outcome,
   error_code, details, session_id, address, request_id, prev_hash, hash
 FROM audit_log WHERE id > ? AND id <= ? ORDER BY id`;
const ID = 0;
const PREV_HASH = 16;
const HASH = 17;

const missing = (from: number, to: number) => (from === to ? `Row ${from} is missing.` : `Rows ${from} to ${to} are missing.`);

/**
 * Walks the audit chain in id order on one connection (streamed, constant memory),
 * from the start or from a checkpoint, up to `untilId`. The walk reads one
 * snapshot: rows appended while it runs are not part of it.
 */
export function walkChain(
  sqlite: Database.Database,
  from?: ChainStart,
  onProgress?: (rows: number) => void,
  untilId = Number.MAX_SAFE_INTEGER,
): ChainReport {
  let expectedPrev: string | null = from ? from.hash : GENESIS_HASH;
  let expectedId = (from?.afterId ?? 0) + 1;
  let rows = 0;
  let lastId: number | null = from?.afterId ?? null;
  const segment: Segment = { firstId: null, firstPrevHash: null };
  const statement = sqlite.prepare(WALK_SQL).raw(true);
  for (const row of statement.iterate(from?.afterId ?? 0, untilId) as Iterable<unknown[]>) {
    const id = row[ID] as number;
    if (segment.firstId === null) {
      segment.firstId = id;
      segment.firstPrevHash = row[PREV_HASH] as string;
      if (expectedPrev === null) expectedPrev = segment.firstPrevHash;
    }
    if (id !== expectedId) {
      return { intact: false, rows, brokenAt: id, reason: 'gap', message: missing(expectedId, id - 1), ...segment };
    }
    if (row[PREV_HASH] !== expectedPrev) {
      return { intact: false, rows, brokenAt: id, reason: 'link', message: `Row ${id} does not follow row ${id - 1}.`, ...segment };
    }
    const stored = row[HASH];
    row.length = HASH;
    if (hash('sha256', JSON.stringify(row), 'hex') !== stored) {
      return { intact: false, rows, brokenAt: id, reason: 'hash', message: `Row ${id} was changed after it was written.`, ...segment };
    }
    expectedPrev = stored as string;
    expectedId = id + 1;
    lastId = id;
    rows += 1;
    if (onProgress && rows % 100_000 === 0) onProgress(rows);
  }
  return { intact: true, rows, lastId, lastHash: expectedPrev ?? GENESIS_HASH, ...segment };
}

/**
 * Joins the reports of consecutive segments (in id order) into the report of one
 * walk: each segment must begin right after the row the one before it ended on,
 * and link to that row's verified hash. The first break, in id order, wins.
 */
export function joinSegments(from: ChainStart | undefined, segments: ChainReport[]): ChainReport {
  let rows = 0;
  let lastId: number | null = from?.afterId ?? null;
  let lastHash = from?.hash ?? GENESIS_HASH;
  const first = segments[0];
  const whole: Segment = { firstId: first?.firstId ?? null, firstPrevHash: first?.firstPrevHash ?? null };
  for (const [index, segment] of segments.entries()) {
    if (index > 0 && segment.firstId !== null) {
      const expectedId = (lastId ?? 0) + 1;
      if (segment.firstId !== expectedId) {
        return { intact: false, rows, brokenAt: segment.firstId, reason: 'gap', message: missing(expectedId, segment.firstId - 1), ...whole };
      }
      if (segment.firstPrevHash !== lastHash) {
        const id = segment.firstId;
        return { intact: false, rows, brokenAt: id, reason: 'link', message: `Row ${id} does not follow row ${id - 1}.`, ...whole };
      }
    }
    if (!segment.intact) return { ...segment, rows: rows + segment.rows, ...whole };
    rows += segment.rows;
    if (segment.lastId !== null && segment.rows > 0) {
      lastId = segment.lastId;
      lastHash = segment.lastHash;
    }
  }
  return { intact: true, rows, lastId, lastHash, ...whole };
}

/** `walkChain` on the store's own connection (tests and small trails; the service runs it in workers). */
export function verifyChain(store: Store, from?: ChainStart): ChainReport {
  return walkChain(store.sqlite, from);
}
