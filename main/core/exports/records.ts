import type { Store } from '../db/store.js';
import type { DataExportsTable } from '../db/tables.js';
import type { Insertable } from 'kysely';

/** Documents that are exports themselves (a bundle, its PDF, an evidence file): never packed into another export. */
export function exportDocumentIds(store: Store): Set<number> {
  const rows = store.all(store.db.selectFrom('data_exports').select(['document_id', 'pdf_document_id']));
  const ids = new Set<number>();
  for (const r of rows) {
    ids.add(r.document_id);
    if (r.pdf_document_id !== null) ids.add(r.pdf_document_id);
  }
  return ids;
}

export function recordExport(store: Store, row: Insertable<DataExportsTable>): number {
  return Number(store.run(store.db.insertInto('data_exports').values(row)).lastInsertRowid);
}

/** The newest audit row: what an export is sealed against. */
export function auditHead(store: Store): { id: number; hash: string; at: string } | null {
  const row = store.prepare('SELECT id, hash, at FROM audit_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string; at: string } | undefined;
  return row ?? null;
}
