import type { Store } from '../db/store.js';
import type { DataExportsTable } from '../db/tables.js';
import type { Insertable } from 'kysely';
import type { DataHistoryItem } from '../../../shared/contract/exports.js';

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

const ASKED: Record<string, string> = { erase: 'Asked on WhatsApp to delete their data', stop: 'Asked on WhatsApp to stop messages', access: 'Asked on WhatsApp to see their data' };

/** A client's requests about their data, how they were closed, the copies and evidence made of their records, erasures. */
export function dataHistory(store: Store, clientId: number): DataHistoryItem[] | null {
  const client = store.get(store.db.selectFrom('clients').select(['id', 'whatsapp']).where('id', '=', clientId));
  const erasures = store
    .prepare("SELECT at, actor_name, details FROM audit_log INDEXED BY audit_log_by_target WHERE target_type = 'client' AND target_id = ? AND action LIKE 'clients.erase%' AND outcome = 'ok'")
    .all(String(clientId)) as { at: string; actor_name: string | null }[];
  if (!client && erasures.length === 0) return null;
  const items: DataHistoryItem[] = [];
  if (client) {
    const requests = store.all(
      store.db
        .selectFrom('data_requests')
        .selectAll()
        .where((eb) => eb.or([eb('client_id', '=', clientId), eb('whatsapp', '=', client.whatsapp)])),
    );
    for (const r of requests) {
      items.push({ at: r.created_at, kind: 'request', text: ASKED[r.kind] ?? `Asked about their data (${r.kind})`, by: null });
      if (r.resolved_at) items.push({ at: r.resolved_at, kind: 'resolved', text: `Request closed: ${r.resolution ?? ''}`.trim(), by: r.resolved_by });
    }
  }
  const exports = store.all(store.db.selectFrom('data_exports').selectAll().where('client_id', '=', clientId));
  for (const e of exports) {
    const text =
      e.kind === 'client'
        ? e.delivered === 'whatsapp'
          ? `${e.by_name} sent the client a copy of their data on WhatsApp`
          : `${e.by_name} made a copy of the client's data to hand over`
        : `${e.by_name} made an evidence export of ${e.matter_id !== null ? 'a matter' : 'a conversation'}`;
    items.push({ at: e.at, kind: e.kind === 'client' ? 'copy' : 'evidence', text, by: e.by_name });
  }
  for (const e of erasures) items.push({ at: e.at, kind: 'erasure', text: "The client's data was erased", by: e.actor_name });
  // newest first; at the same instant, what closed a request after what it was closed with
  const rank: Record<DataHistoryItem['kind'], number> = { request: 0, copy: 1, evidence: 1, erasure: 1, resolved: 2 };
  return items.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : rank[b.kind] - rank[a.kind]));
}
