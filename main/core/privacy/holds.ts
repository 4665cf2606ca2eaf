import type { LegalHold } from '../../../shared/contract/privacy.js';
import type { Store } from '../db/store.js';

interface HoldRow {
  id: number;
  matter_id: number | null;
  reference: string | null;
  client_id: number | null;
  reason: string;
  set_by: string;
  set_at: string;
  released_by: string | null;
  released_at: string | null;
}

const SELECT = `SELECT h.id, h.matter_id, m.reference, h.client_id, h.reason, h.set_by, h.set_at, h.released_by, h.released_at
  FROM legal_holds h LEFT JOIN matters m ON m.id = h.matter_id`;

export function holdView(row: HoldRow): LegalHold {
  return {
    id: row.id,
    matterId: row.matter_id,
    matterReference: row.reference,
    clientId: row.client_id,
    reason: row.reason,
    setBy: row.set_by,
    setAt: row.set_at,
    releasedBy: row.released_by,
    releasedAt: row.released_at,
  };
}

export function holdById(store: Store, id: number): LegalHold | null {
  const row = store.prepare(`${SELECT} WHERE h.id = ?`).get(id) as HoldRow | undefined;
  return row ? holdView(row) : null;
}

/** The active hold on a whole client, if any. */
export function activeHoldOnClient(store: Store, clientId: number): LegalHold | null {
  const row = store.prepare(`${SELECT} WHERE h.client_id = ? AND h.released_at IS NULL ORDER BY h.id LIMIT 1`).get(clientId) as HoldRow | undefined;
  return row ? holdView(row) : null;
}

/** The active hold of each matter that has one. */
export function activeHoldsOnMatters(store: Store, matterIds: readonly number[]): Map<number, LegalHold> {
  const rows = store
    .prepare(`${SELECT} WHERE h.matter_id IN (SELECT value FROM json_each(?)) AND h.released_at IS NULL ORDER BY h.id`)
    .all(JSON.stringify(matterIds)) as HoldRow[];
  const out = new Map<number, LegalHold>();
  for (const row of rows) if (!out.has(row.matter_id!)) out.set(row.matter_id!, holdView(row));
  return out;
}

/** Holds on a matter, on a client (its own and its matters'), or every active hold. */
export function listHolds(store: Store, filter: { matterId?: number; clientId?: number }): LegalHold[] {
  let rows: HoldRow[];
  if (filter.matterId !== undefined) {
    rows = store
      .prepare(`${SELECT} WHERE h.matter_id = ? OR h.client_id = (SELECT client_id FROM matters WHERE id = ?) ORDER BY h.released_at IS NOT NULL, h.id DESC`)
      .all(filter.matterId, filter.matterId) as HoldRow[];
  } else if (filter.clientId !== undefined) {
    rows = store
      .prepare(`${SELECT} WHERE h.client_id = ? OR m.client_id = ? ORDER BY h.released_at IS NOT NULL, h.id DESC`)
      .all(filter.clientId, filter.clientId) as HoldRow[];
  } else {
    rows = store.prepare(`${SELECT} WHERE h.released_at IS NULL ORDER BY h.id DESC LIMIT 500`).all() as HoldRow[];
  }
  return rows.map(holdView);
}

/** Matter ids (of all that have an active hold, directly or through their client). */
export function heldMatterIds(store: Store): Set<number> {
  const rows = store
    .prepare(
      `SELECT matter_id AS id FROM legal_holds WHERE released_at IS NULL AND matter_id IS NOT NULL
       UNION SELECT m.id FROM matters m JOIN legal_holds h ON h.client_id = m.client_id AND h.released_at IS NULL`,
    )
    .all() as { id: number }[];
  return new Set(rows.map((r) => r.id));
}

/** Client ids with a hold on the whole client. */
export function heldClientIds(store: Store): Set<number> {
  const rows = store.prepare('SELECT client_id AS id FROM legal_holds WHERE released_at IS NULL AND client_id IS NOT NULL').all() as { id: number }[];
  return new Set(rows.map((r) => r.id));
}
