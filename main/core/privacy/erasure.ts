import type { ErasureCounts, KeptItem, LegalHold, RetentionRules } from '../../../shared/contract/privacy.js';
import type { Store } from '../db/store.js';
import { activeHoldOnClient, activeHoldsOnMatters } from './holds.js';

const DAY_MS = 86_400_000;

/** A client's matter as erasure sees it. */
interface MatterRow {
  id: number;
  reference: string;
  status: string;
  created_at: string;
  updated_at: string;
  /** when it was last closed (its history), else its last change */
  closed_at: string;
}

export interface ErasurePlan {
  client: { id: number; name: string; whatsapp: string; pushName: string | null; erasedAt: string | null };
  blockedBy: LegalHold | null;
  conversationIds: number[];
  chatIds: string[];
  /** matters whose content goes (their row stays as the conflict record) */
  eraseMatterIds: number[];
  /** matters kept whole: a hold, or a retention rule */
  keepMatterIds: number[];
  documentIds: number[];
  counts: ErasureCounts;
  contactDetails: string[];
  stays: KeptItem[];
}

const LEDGER_EMPTIED = `UPDATE whatsapp_inbound SET wa_id = 'erased:' || seq, chat_id = 'erased', sender = 'erased', push_name = NULL, body = '', media_file_name = NULL
  WHERE chat_id IN (SELECT value FROM json_each(?))`;

const json = (values: readonly unknown[]) => JSON.stringify(values);
const IN = (column: string) => `${column} IN (SELECT value FROM json_each(?))`;
const IMPORTED_MESSAGES_EMPTIED = `UPDATE import_records SET extra = NULL WHERE kind IN ('message', 'chat_message')
  AND local_id IN (SELECT CAST(id AS TEXT) FROM conversation_messages WHERE ${IN('conversation_id')})`;

function count(store: Store, sql: string, ...params: unknown[]): number {
  return (store.prepare(sql).get(...params) as { n: number }).n;
}

/** The day, YYYY-MM-DD, `years` after `iso`. */
function addYears(iso: string, years: number): string {
  const d = new Date(iso);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.toISOString().slice(0, 10);
}

/** A client's matters with the date each was closed (for the closed-matters rule). */
export function mattersOf(store: Store, clientId: number): MatterRow[] {
  return store
    .prepare(
      `SELECT m.id, m.reference, m.status, m.created_at, m.updated_at,
              COALESCE((SELECT MAX(h.at) FROM matter_history h WHERE h.matter_id = m.id AND h.field = 'status' AND h.new_value = 'closed'), m.updated_at) AS closed_at
         FROM matters m WHERE m.client_id = ? ORDER BY m.id`,
    )
    .all(clientId) as MatterRow[];
}

/** True while a closed matter is inside the office's retention period. */
export function retainedUntil(matter: MatterRow, rules: RetentionRules, now: Date): string | null {
  if (matter.status !== 'closed') return null;
  const until = addYears(matter.closed_at, rules.closedMatterYears);
  return until > now.toISOString().slice(0, 10) ? until : null;
}

/**
 * What erasing a client would do, read in one go: the client's conversations
 * (by client and by its WhatsApp number), its matters sorted into those whose
 * content goes and those kept (a legal hold, a closed matter inside its retention
 * period), the documents and messages that go, and what stays and why.
 * `retentionApplies: false` is the retention job erasing an expired client: no
 * rule keeps anything any more, only holds do.
 */
export function planErasure(store: Store, clientId: number, rules: RetentionRules, now: Date, retentionApplies = true): ErasurePlan | null {
  const row = store.prepare('SELECT id, name, whatsapp, push_name, erased_at FROM clients WHERE id = ?').get(clientId) as
    | { id: number; name: string; whatsapp: string; push_name: string | null; erased_at: string | null }
    | undefined;
  if (!row) return null;
  const client = { id: row.id, name: row.name, whatsapp: row.whatsapp, pushName: row.push_name, erasedAt: row.erased_at };
  const blockedBy = activeHoldOnClient(store, clientId);

  const conversations = store
    .prepare('SELECT id, chat_id FROM conversations WHERE client_id = ? OR (whatsapp = ? AND ? IS NULL) ORDER BY id')
    .all(clientId, row.whatsapp, row.erased_at) as { id: number; chat_id: string }[];
  const conversationIds = conversations.map((c) => c.id);
  const chatIds = conversations.map((c) => c.chat_id);

  const matters = mattersOf(store, clientId);
  const holds = activeHoldsOnMatters(store, matters.map((m) => m.id));
  const stays: KeptItem[] = [];
  const eraseMatterIds: number[] = [];
  const keepMatterIds: number[] = [];
  for (const matter of matters) {
    const hold = holds.get(matter.id);
    const until = retentionApplies ? retainedUntil(matter, rules, now) : null;
    if (hold) {
      keepMatterIds.push(matter.id);
      stays.push({
        kind: 'legal_hold',
        what: `Matter ${matter.reference}, whole (description, notes, documents, history)`,
        why: `Under legal hold set by ${hold.setBy} on ${hold.setAt.slice(0, 10)}: ${hold.reason}. Nothing in it is erased until the hold is released.`,
        matterId: matter.id,
        until: null,
      });
    } else if (until) {
      keepMatterIds.push(matter.id);
      stays.push({
        kind: 'retention',
        what: `Matter ${matter.reference}, whole (description, notes, documents, history)`,
        why: `Closed on ${matter.closed_at.slice(0, 10)}: the office keeps closed matters ${rules.closedMatterYears} years, so its content stays until ${until}.`,
        matterId: matter.id,
        until,
      });
    } else {
      eraseMatterIds.push(matter.id);
    }
  }
  const references = matters.map((m) => m.reference);
  stays.unshift({
    kind: 'conflict_record',
    what:
      references.length > 0
        ? `A conflict record: the name "${row.name}", former client, matters ${references.join(', ')} with their dates, practice areas and other parties`
        : `A conflict record: the name "${row.name}", former client, and when the office first heard from them`,
    why: 'The conflict check must still find a former client by name, so the office never acts against them without knowing.',
    matterId: null,
    until: null,
  });

  // documents of the client, its conversations and its erased matters, unless a kept matter holds them
  const documentIds = (
    store
      .prepare(
        `SELECT id FROM documents
          WHERE (client_id = ? OR ${IN('conversation_id')} OR ${IN('matter_id')})
            AND (matter_id IS NULL OR matter_id NOT IN (SELECT value FROM json_each(?)))`,
      )
      .all(clientId, json(conversationIds), json(eraseMatterIds), json(keepMatterIds)) as { id: number }[]
  ).map((d) => d.id);

  const counts: ErasureCounts = {
    conversations: conversationIds.length,
    messages: count(store, `SELECT COUNT(*) AS n FROM conversation_messages WHERE ${IN('conversation_id')}`, json(conversationIds)),
    documents: documentIds.length,
    intakeAnswers: eraseMatterIds.length,
    notes:
      count(store, `SELECT COUNT(*) AS n FROM conversation_notes WHERE ${IN('conversation_id')}`, json(conversationIds)) +
      count(store, `SELECT COUNT(*) AS n FROM matter_notes WHERE ${IN('matter_id')}`, json(eraseMatterIds)),
  };
  const contactDetails: string[] = [];
  if (!row.erased_at) {
    contactDetails.push(`WhatsApp number +${row.whatsapp}`);
    const names = new Set<string>();
    if (row.push_name) names.add(row.push_name);
    for (const c of store.prepare(`SELECT DISTINCT push_name FROM conversations WHERE ${IN('id')} AND push_name IS NOT NULL`).all(json(conversationIds)) as { push_name: string }[]) {
      names.add(c.push_name);
    }
    if (names.size > 0) contactDetails.push(`WhatsApp profile name (${names.size})`);
    contactDetails.push('Consent records and requests made on WhatsApp');
  }
  return { client, blockedBy, conversationIds, chatIds, eraseMatterIds, keepMatterIds, documentIds, counts, contactDetails, stays };
}

/**
 * Carries out a plan, inside the caller's transaction. Rows go (the conversations
 * with their messages, notes, assignments, consents and requests; the outbox's
 * rows of those chats; the inbound ledger's rows emptied (number, name, text); the documents' rows, their
 * files named in `erased_files`; the erased matters' notes, history and PDF
 * jobs), the FTS5 triggers take the indexed text out, and what stays is
 * stripped: the client keeps only its name (the conflict record), an erased
 * matter only its reference, dates, area, status and other party.
 * Returns the content hashes of files no document row names any more.
 */
export function executeErasure(store: Store, plan: ErasurePlan, now: string): string[] {
  const convs = json(plan.conversationIds);
  const chats = json(plan.chatIds);
  const erase = json(plan.eraseMatterIds);
  const docs = json(plan.documentIds);
  const run = (sql: string, ...params: unknown[]) => store.prepare(sql).run(...params);

  const hashes = (store.prepare(`SELECT DISTINCT sha256 FROM documents WHERE ${IN('id')}`).all(docs) as { sha256: string }[]).map((r) => r.sha256);

  // every reference to what goes, first
  run(`UPDATE matters SET conversation_id = NULL, consent_id = NULL WHERE client_id = ?`, plan.client.id);
  run(`UPDATE documents SET conversation_id = NULL WHERE ${IN('conversation_id')}`, convs);
  run(`UPDATE conversations SET last_intake_matter_id = NULL WHERE ${IN('id')}`, convs);
  run(`DELETE FROM pdf_jobs WHERE ${IN('matter_id')} OR ${IN('document_id')}`, erase, docs);
  // imported messages stay known as imported (a later import adds them back no more), without what the import kept of them
  run(IMPORTED_MESSAGES_EMPTIED, convs);
  run(`DELETE FROM conversation_messages WHERE ${IN('conversation_id')}`, convs);
  run(`UPDATE conversation_messages SET document_id = NULL WHERE ${IN('document_id')}`, docs);
  run(`DELETE FROM document_blob_moves WHERE ${IN('document_id')}`, docs);
  run(`DELETE FROM documents WHERE ${IN('id')}`, docs);
  run(`DELETE FROM conversation_notes WHERE ${IN('conversation_id')}`, convs);
  run(`DELETE FROM conversation_assignments WHERE ${IN('conversation_id')}`, convs);
  run(`DELETE FROM consents WHERE ${IN('conversation_id')} OR client_id = ? OR whatsapp = ?`, convs, plan.client.id, plan.client.whatsapp);
  run(`DELETE FROM data_requests WHERE ${IN('conversation_id')} OR client_id = ? OR whatsapp = ?`, convs, plan.client.id, plan.client.whatsapp);
  // the ledger's rows stay, emptied: their sequence numbers must never be reused (each consumer's progress is one)
  run(LEDGER_EMPTIED, chats);
  run(`DELETE FROM whatsapp_outbox WHERE ${IN('chat_id')}`, chats);
  run(`DELETE FROM conversations WHERE ${IN('id')}`, convs);

  // the erased matters keep what the conflict check and the office's numbering need
  run(`DELETE FROM matter_notes WHERE ${IN('matter_id')}`, erase);
  run(`DELETE FROM matter_history WHERE ${IN('matter_id')}`, erase);
  run(`UPDATE conflict_hits SET cleared_note = NULL WHERE ${IN('matter_id')}`, erase);
  run(`UPDATE matters SET description = '', next_step = NULL, deadline = NULL, deadline_date = NULL, erased_at = ?, updated_at = ? WHERE ${IN('id')}`, now, now, erase);
  for (const matterId of plan.eraseMatterIds) {
    run(
      `INSERT INTO matter_history (matter_id, at, actor_type, action) VALUES (?, ?, 'system', 'The client''s personal data was erased; this record stays for conflict checks.')`,
      matterId,
      now,
    );
  }

  // the client: its name and the date it was erased, nothing to reach it by
  run(`UPDATE clients SET whatsapp = ?, push_name = NULL, language = NULL, erased_at = ?, updated_at = ? WHERE id = ?`, `erased-${plan.client.id}`, now, now, plan.client.id);
  run(`UPDATE import_records SET extra = NULL WHERE kind = 'client' AND local_id = ?`, String(plan.client.id));

  // a file named by a document that stays is kept
  const orphaned = hashes.filter((sha) => !store.prepare('SELECT 1 FROM documents WHERE sha256 = ? LIMIT 1').get(sha));
  for (const sha of orphaned) run('INSERT OR IGNORE INTO erased_files (sha256) VALUES (?)', sha);
  return orphaned;
}

/**
 * Deletes a conversation that belongs to no client (a non-client's chat, a
 * declined consent), with everything in it, inside the caller's transaction.
 * Returns the orphaned file hashes, as `executeErasure` does.
 */
export function eraseConversations(store: Store, conversationIds: number[]): { messages: number; orphaned: string[] } {
  if (conversationIds.length === 0) return { messages: 0, orphaned: [] };
  const convs = json(conversationIds);
  const chats = (store.prepare(`SELECT chat_id FROM conversations WHERE ${IN('id')}`).all(convs) as { chat_id: string }[]).map((r) => r.chat_id);
  const docs = (store.prepare(`SELECT id FROM documents WHERE ${IN('conversation_id')} AND matter_id IS NULL AND client_id IS NULL`).all(convs) as { id: number }[]).map(
    (d) => d.id,
  );
  const messages = count(store, `SELECT COUNT(*) AS n FROM conversation_messages WHERE ${IN('conversation_id')}`, convs);
  const plan: ErasurePlan = {
    client: { id: 0, name: '', whatsapp: '', pushName: null, erasedAt: null },
    blockedBy: null,
    conversationIds,
    chatIds: chats,
    eraseMatterIds: [],
    keepMatterIds: [],
    documentIds: docs,
    counts: { conversations: conversationIds.length, messages, documents: docs.length, intakeAnswers: 0, notes: 0 },
    contactDetails: [],
    stays: [],
  };
  return { messages, orphaned: executeConversationsOnly(store, plan) };
}

function executeConversationsOnly(store: Store, plan: ErasurePlan): string[] {
  const convs = json(plan.conversationIds);
  const chats = json(plan.chatIds);
  const docs = json(plan.documentIds);
  const run = (sql: string, ...params: unknown[]) => store.prepare(sql).run(...params);
  const hashes = (store.prepare(`SELECT DISTINCT sha256 FROM documents WHERE ${IN('id')}`).all(docs) as { sha256: string }[]).map((r) => r.sha256);
  run(`UPDATE matters SET conversation_id = NULL WHERE ${IN('conversation_id')}`, convs);
  run(`UPDATE documents SET conversation_id = NULL WHERE ${IN('conversation_id')}`, convs);
  run(`DELETE FROM pdf_jobs WHERE ${IN('document_id')}`, docs);
  // imported messages stay known as imported (a later import adds them back no more), without what the import kept of them
  run(IMPORTED_MESSAGES_EMPTIED, convs);
  run(`DELETE FROM conversation_messages WHERE ${IN('conversation_id')}`, convs);
  run(`UPDATE conversation_messages SET document_id = NULL WHERE ${IN('document_id')}`, docs);
  run(`DELETE FROM document_blob_moves WHERE ${IN('document_id')}`, docs);
  run(`DELETE FROM documents WHERE ${IN('id')}`, docs);
  run(`DELETE FROM conversation_notes WHERE ${IN('conversation_id')}`, convs);
  run(`DELETE FROM conversation_assignments WHERE ${IN('conversation_id')}`, convs);
  run(`UPDATE matters SET consent_id = NULL WHERE consent_id IN (SELECT id FROM consents WHERE ${IN('conversation_id')})`, convs);
  run(`DELETE FROM consents WHERE ${IN('conversation_id')}`, convs);
  run(`DELETE FROM data_requests WHERE ${IN('conversation_id')}`, convs);
  // the ledger's rows stay, emptied: their sequence numbers must never be reused (each consumer's progress is one)
  run(LEDGER_EMPTIED, chats);
  run(`DELETE FROM whatsapp_outbox WHERE ${IN('chat_id')}`, chats);
  run(`DELETE FROM conversations WHERE ${IN('id')}`, convs);
  const orphaned = hashes.filter((sha) => !store.prepare('SELECT 1 FROM documents WHERE sha256 = ? LIMIT 1').get(sha));
  for (const sha of orphaned) run('INSERT OR IGNORE INTO erased_files (sha256) VALUES (?)', sha);
  return orphaned;
}

/** The counts for the audit trail: numbers only, never a name or a text. */
export function auditCounts(counts: ErasureCounts, kept: KeptItem[]): Record<string, number> {
  return {
    ...counts,
    keptHeld: kept.filter((k) => k.kind === 'legal_hold').length,
    keptRetention: kept.filter((k) => k.kind === 'retention').length,
  };
}

export const MS_PER_DAY = DAY_MS;
