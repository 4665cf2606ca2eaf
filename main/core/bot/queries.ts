import { sql, type Expression, type InferResult, type SqlBool } from 'kysely';
import type { ConversationSummary, MatterDetail, MatterSummary, OutputOf, ParsedInputOf } from '../../../shared/contract/index.js';
import type { Store } from '../db/store.js';
import { toItem } from '../documents/service.js';
import { notFound } from '../errors.js';
import type { BotOutbox } from './link.js';
import { foldName } from './names.js';

/**
 * What the staff screens read of the bot's tables: the inbox and its threads,
 * clients, matters with their notes, conflicts, documents and history, and the
 * clients' data requests. Row types come from db/tables.ts through the queries.
 */

/** `column LIKE %text%`, where the text's own `%`, `_` and `\` match themselves. */
function contains(column: string, text: string): Expression<SqlBool> {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`${sql.ref(column)} LIKE ${pattern} ESCAPE '\\'`;
}

/** A search for a number matches its digits ("+55 11 9…" finds 55119…). */
function digitsOf(search: string): string {
  return search.replace(/\D/g, '') || search;
}

/* ------------------------------------------------------------ conversations */

function conversations(store: Store) {
  return store.db
    .selectFrom('conversations as c')
    .leftJoin('clients as cl', 'cl.id', 'c.client_id')
    .leftJoin('matters as m', 'm.id', 'c.last_intake_matter_id');
}

function withSummary(query: ReturnType<typeof conversations>) {
  return query.selectAll('c').select(['cl.name as client_name', 'cl.language as client_language', 'm.reference as intake_reference']);
}

function toSummary(row: InferResult<ReturnType<typeof withSummary>>[number]): ConversationSummary {
  return {
    id: row.id,
    whatsapp: row.whatsapp,
    displayName: row.client_name ?? row.push_name ?? `+${row.whatsapp}`,
    clientId: row.client_id,
    mode: row.mode,
    assignedTo: row.assigned_to_id ? { id: row.assigned_to_id, name: row.assigned_to_name ?? row.assigned_to_id } : null,
    unread: row.unread,
    lastPreview: row.last_preview,
    lastActivityAt: row.last_activity_at,
    waitingSince: row.waiting_since,
    handoffReason: row.handoff_reason,
    lastIntake:
      row.last_intake_matter_id && row.intake_reference
        ? { matterId: row.last_intake_matter_id, reference: row.intake_reference }
        : null,
    language: row.language ?? row.client_language,
    closedAt: row.closed_at,
  };
}

/**
 * The inbox. Conversations waiting for staff come first, the longest wait first;
 * then the rest, newest activity first. `waiting` lists only those waiting,
 * `mine` those given to `userId`, `unassigned` those with staff and nobody's.
 */
export function conversationPage(store: Store, input: ParsedInputOf<'inbox.list'>, userId: string): OutputOf<'inbox.list'> {
  let query = conversations(store);
  if (input.filter === 'waiting' || input.filter === 'bot') query = query.where('c.mode', '=', input.filter);
  if (input.filter === 'mine') query = query.where('c.assigned_to_id', '=', userId);
  if (input.filter === 'unassigned') query = query.where('c.mode', '!=', 'bot').where('c.assigned_to_id', 'is', null);
  if (input.filter === 'unread') query = query.where('c.unread', '>', 0);
  const search = input.search;
  if (search) {
    query = query.where((eb) =>
      eb.or([contains('c.whatsapp', digitsOf(search)), contains('cl.name', search), contains('c.push_name', search), contains('m.reference', search)]),
    );
  }
  const rows = store.all(
    withSummary(query)
      .orderBy(sql`c.mode = 'waiting'`, 'desc')
      .orderBy(sql`CASE WHEN c.mode = 'waiting' THEN c.waiting_since END`, 'asc')
      .orderBy('c.last_activity_at', 'desc')
      .orderBy('c.id', 'desc')
      .limit(input.limit)
      .offset(input.offset),
  );
  const total = store.get(query.select((eb) => eb.fn.countAll<number>().as('n')))!.n;
  return { items: rows.map(toSummary), total };
}

export function conversationSummary(store: Store, id: number): ConversationSummary {
  const row = store.get(withSummary(conversations(store)).where('c.id', '=', id));
  if (!row) throw notFound('That conversation does not exist.');
  return toSummary(row);
}

/**
 * One conversation: its newest `limit` messages, oldest first, each out-going one
 * with its delivery state from the outbox (queued while there is no outbox), and
 * the intakes of the conversation or of its client.
 */
export function conversationThread(
  store: Store,
  input: ParsedInputOf<'inbox.thread'>,
  outbox: BotOutbox | null,
): Omit<OutputOf<'inbox.thread'>, 'languages' | 'notes' | 'assignments' | 'presence'> {
  const conversation = conversationSummary(store, input.conversationId);
  const rows = store
    .all(
      store.db
        .selectFrom('conversation_messages')
        .select(['id', 'direction', 'author', 'author_name', 'text', 'file_name', 'document_id', 'media_error', 'outbox_id', 'at'])
        .where('conversation_id', '=', input.conversationId)
        .orderBy('id', 'desc')
        .limit(input.limit),
    )
    .reverse();
  const outboxIds = rows.flatMap((r) => (r.outbox_id === null ? [] : [r.outbox_id]));
  const documentIds = rows.flatMap((r) => (r.document_id === null ? [] : [r.document_id]));
  const documents = new Map(
    (documentIds.length ? store.all(store.db.selectFrom('documents').selectAll().where('id', 'in', documentIds)) : []).map((d) => [d.id, toItem(d)]),
  );
  const delivery = outbox && outboxIds.length ? outbox.delivery(outboxIds) : new Map();
  const messages = rows.map((r) => {
    const d = r.outbox_id !== null ? delivery.get(r.outbox_id) : undefined;
    return {
      id: r.id,
      direction: r.direction,
      author: r.author,
      authorName: r.author_name,
      text: r.text,
      fileName: r.file_name,
      documentId: r.document_id,
      document: r.document_id !== null ? (documents.get(r.document_id) ?? null) : null,
      mediaError: r.media_error,
      at: r.at,
      delivery: r.direction === 'in' ? ('received' as const) : (d?.state ?? 'queued'),
      error: d?.error ?? null,
    };
  });
  const clientId = conversation.clientId;
  const intakes = store.all(
    store.db
      .selectFrom('matters as m')
      .select(['m.id as matterId', 'm.reference', 'm.practice_area as area', 'm.status', 'm.created_at as createdAt'])
      .select((eb) =>
        eb
          .selectFrom('documents as d')
          .select('d.id')
          .whereRef('d.matter_id', '=', 'm.id')
          .where('d.source', '=', 'intake')
          .orderBy('d.id', 'desc')
          .limit(1)
          .as('pdfDocumentId'),
      )
      .where((eb) => eb.or([eb('m.conversation_id', '=', input.conversationId), ...(clientId === null ? [] : [eb('m.client_id', '=', clientId)])]))
      .orderBy('m.id', 'desc'),
  );
  return { conversation, messages, intakes };
}

/** The chat a client's documents go to: its most recent conversation, else its number's chat. */
export function chatOfClient(store: Store, clientId: number): string {
  const row = store.get(
    store.db
      .selectFrom('clients as c')
      .leftJoin('conversations as cv', 'cv.whatsapp', 'c.whatsapp')
      .select(['cv.chat_id', 'c.whatsapp'])
      .where('c.id', '=', clientId)
      .orderBy('cv.last_activity_at', 'desc')
      .limit(1),
  );
  if (!row) throw notFound('That client does not exist.');
  return row.chat_id ?? `${row.whatsapp}@c.us`;
}

/* ------------------------------------------------------- clients and matters */

export function clientPage(store: Store, input: ParsedInputOf<'clients.list'>): OutputOf<'clients.list'> {
  let query = store.db.selectFrom('clients as c');
  const search = input.search;
  if (search) {
    query = query.where((eb) =>
      eb.or([contains('c.name', search), contains('c.whatsapp', digitsOf(search)), contains('c.name_key', foldName(search))]),
    );
  }
  const items = store.all(
    query
      .select(['c.id', 'c.name', 'c.whatsapp', 'c.created_at as createdAt'])
      .select((eb) =>
        eb
          .selectFrom('matters as m')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .whereRef('m.client_id', '=', 'c.id')
          .$asScalar()
          .as('matters'),
      )
      .orderBy('c.id', 'desc')
      .limit(input.limit)
      .offset(input.offset),
  );
  const total = store.get(query.select((eb) => eb.fn.countAll<number>().as('n')))!.n;
  return { items, total };
}

function matters(store: Store) {
  return store.db.selectFrom('matters as m').innerJoin('clients as c', 'c.id', 'm.client_id');
}

function withMatterSummary(query: ReturnType<typeof matters>) {
  return query
    .selectAll('m')
    .select(['c.name as client_name', 'c.whatsapp'])
    .select((eb) =>
      eb
        .selectFrom('conflict_hits as h')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .whereRef('h.matter_id', '=', 'm.id')
        .where('h.cleared_at', 'is', null)
        .$asScalar()
        .as('open_conflicts'),
    );
}

function toMatterSummary(row: InferResult<ReturnType<typeof withMatterSummary>>[number]): MatterSummary {
  return {
    id: row.id,
    reference: row.reference,
    clientId: row.client_id,
    clientName: row.client_name,
    whatsapp: row.whatsapp,
    area: row.practice_area,
    status: row.status,
    nextStep: row.next_step,
    conflictState: row.conflict_state,
    openConflicts: row.open_conflicts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Matters, newest activity first: by reference, client (name or number) or other party; by status, open conflicts, client. */
export function matterPage(store: Store, input: ParsedInputOf<'matters.list'>): OutputOf<'matters.list'> {
  let query = matters(store);
  const search = input.search;
  if (search) {
    query = query.where((eb) =>
      eb.or([
        contains('m.reference', search),
        contains('c.name', search),
        contains('c.name_key', foldName(search)),
        contains('c.whatsapp', digitsOf(search)),
        contains('m.opposing_party', search),
      ]),
    );
  }
  if (input.status) query = query.where('m.status', '=', input.status);
  if (input.conflicts) query = query.where('m.conflict_state', '=', 'possible');
  if (input.clientId) query = query.where('m.client_id', '=', input.clientId);
  const rows = store.all(
    withMatterSummary(query).orderBy('m.updated_at', 'desc').orderBy('m.id', 'desc').limit(input.limit).offset(input.offset),
  );
  const total = store.get(query.select((eb) => eb.fn.countAll<number>().as('n')))!.n;
  return { items: rows.map(toMatterSummary), total };
}

/** A matter with its consent, notes, conflict hits (open ones first), documents and its latest 200 history entries. */
export function matterDetail(store: Store, id: number): MatterDetail {
  const row = store.get(
    withMatterSummary(matters(store))
      .leftJoin('consents as k', 'k.id', 'm.consent_id')
      .select(['k.notice_version as consent_version', 'k.at as consent_at', 'c.language as client_language'])
      .where('m.id', '=', id),
  );
  if (!row) throw notFound('That matter does not exist.');
  const notes = store.all(
    store.db
      .selectFrom('matter_notes')
      .select(['id', 'author_name as authorName', 'text', 'at'])
      .where('matter_id', '=', id)
      .orderBy('id', 'desc'),
  );
  const hits = store.all(
    store.db
      .selectFrom('conflict_hits as h')
      .leftJoin('clients as c', 'c.id', 'h.matched_client_id')
      .leftJoin('matters as m', 'm.id', 'h.matched_matter_id')
      .selectAll('h')
      .select(['c.name as client_name', 'm.reference as matter_reference'])
      .where('h.matter_id', '=', id)
      .orderBy((eb) => eb('h.cleared_at', 'is not', null))
      .orderBy('h.score', 'desc')
      .orderBy('h.id'),
  );
  const documents = store
    .all(store.db.selectFrom('documents').selectAll().where('matter_id', '=', id).orderBy('id', 'desc'))
    .map(toItem);
  const history = store.all(
    store.db
      .selectFrom('matter_history')
      .select(['id', 'at', 'actor_type', 'actor_name', 'action', 'field', 'old_value as oldValue', 'new_value as newValue'])
      .where('matter_id', '=', id)
      .orderBy('id', 'desc')
      .limit(200),
  );
  return {
    ...toMatterSummary(row),
    description: row.description,
    opposingParty: row.opposing_party,
    deadline: row.deadline,
    deadlineDate: row.deadline_date,
    language: row.client_language ?? row.language,
    conversationId: row.conversation_id,
    consent: row.consent_version && row.consent_at ? { version: row.consent_version, at: row.consent_at } : null,
    notes,
    conflicts: hits.map((h) => ({
      id: h.id,
      direction: h.direction,
      checkedName: h.checked_name,
      matchedName: h.matched_name,
      matchedClient: h.matched_client_id && h.client_name ? { id: h.matched_client_id, name: h.client_name } : null,
      matchedMatter: h.matched_matter_id && h.matter_reference ? { id: h.matched_matter_id, reference: h.matter_reference } : null,
      matchedParty: h.matched_party_id && h.matched_role ? { id: h.matched_party_id, role: h.matched_role, matterReference: h.matched_reference } : null,
      score: Math.round(h.score * 100) / 100,
      createdAt: h.created_at,
      cleared: h.cleared_at ? { at: h.cleared_at, byName: h.cleared_by_name ?? '?', note: h.cleared_note } : null,
    })),
    documents,
    history: history.map(({ actor_type, actor_name, ...h }) => ({
      ...h,
      actor: actor_type === 'bot' ? 'LexDesk bot' : (actor_name ?? actor_type),
    })),
  };
}

/* ------------------------------------------------------------ data requests */

export function dataRequestList(store: Store, status: ParsedInputOf<'dataRequests.list'>['status']): OutputOf<'dataRequests.list'> {
  let query = store.db
    .selectFrom('data_requests as r')
    .leftJoin('clients as c', 'c.whatsapp', 'r.whatsapp')
    .select([
      'r.id',
      'r.conversation_id as conversationId',
      'r.whatsapp',
      'c.id as clientId',
      'c.name as clientName',
      'r.kind',
      'r.status',
      'r.created_at as createdAt',
      'r.resolved_at as resolvedAt',
      'r.resolved_by as resolvedBy',
      'r.resolution',
    ]);
  if (status !== 'all') query = query.where('r.status', '=', status);
  return { items: store.all(query.orderBy('r.id', 'desc').limit(500)) };
}
