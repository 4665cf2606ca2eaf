import type { AuditRow } from '../../../shared/contract/audit.js';
import type { Store } from '../db/store.js';
import type { SentenceNames } from './sentences.js';

/**
 * The names a page of audit rows mentions, looked up in a few queries (one per
 * kind) rather than one per row: staff by display name, clients by name,
 * conversations by their client (or number), matters by reference.
 */
export function namesFor(store: Store, rows: AuditRow[]): SentenceNames {
  const ids = { user: new Set<string>(), client: new Set<number>(), conversation: new Set<number>(), matter: new Set<number>(), document: new Set<number>() };
  for (const row of rows) {
    if (row.actor.id) ids.user.add(row.actor.id);
    const assigned = (row.details.input as { userId?: unknown } | undefined)?.userId;
    if (typeof assigned === 'string') ids.user.add(assigned);
    const t = row.target;
    if (!t?.id) continue;
    if (t.type === 'user') ids.user.add(t.id);
    else if (t.type in ids && /^\d{1,15}$/.test(t.id)) (ids[t.type as 'client' | 'conversation' | 'matter' | 'document'] as Set<number>).add(Number(t.id));
  }
  const users = new Map<string, string>();
  const clients = new Map<string, string>();
  const conversations = new Map<string, string>();
  const matters = new Map<string, string>();
  const documents = new Map<string, string>();
  const db = store.db;
  if (ids.user.size) for (const u of store.all(db.selectFrom('users').select(['id', 'display_name', 'username']).where('id', 'in', [...ids.user]))) users.set(u.id, u.display_name || u.username);
  if (ids.client.size) for (const c of store.all(db.selectFrom('clients').select(['id', 'name']).where('id', 'in', [...ids.client]))) clients.set(String(c.id), c.name);
  if (ids.conversation.size) {
    const rows = store.all(
      db
        .selectFrom('conversations as v')
        .leftJoin('clients as c', 'c.id', 'v.client_id')
        .select(['v.id', 'v.whatsapp', 'v.push_name', 'c.name'])
        .where('v.id', 'in', [...ids.conversation]),
    );
    for (const v of rows) conversations.set(String(v.id), v.name ?? v.push_name ?? `+${v.whatsapp}`);
  }
  if (ids.matter.size) for (const m of store.all(db.selectFrom('matters').select(['id', 'reference']).where('id', 'in', [...ids.matter]))) matters.set(String(m.id), m.reference);
  if (ids.document.size) for (const d of store.all(db.selectFrom('documents').select(['id', 'file_name']).where('id', 'in', [...ids.document]))) documents.set(String(d.id), d.file_name);
  return {
    user: (id) => users.get(id) ?? null,
    client: (id) => clients.get(id) ?? null,
    conversation: (id) => conversations.get(id) ?? null,
    matter: (id) => matters.get(id) ?? null,
    document: (id) => documents.get(id) ?? null,
  };
}
