import type { Selectable } from 'kysely';
import type { ParsedInputOf } from '../../../shared/contract/index.js';
import type { Store } from '../db/store.js';
import type { ConflictHitsTable } from '../db/tables.js';
import { AppError, notFound } from '../errors.js';
import type { TextKey } from './catalog/en.js';
import type { BotOutbox } from './link.js';
import { chatOfClient } from './queries.js';
import { addHistory, appendMessage, queuePdf, type Staff } from './records.js';
import type { BotSettingsStore } from './settings.js';

/**
 * What staff do to a matter: change its status or next step, add a note, clear a
 * possible conflict, ask for its intake PDF again; and how they record handling
 * a client's request to stop messages or delete data. Each function joins the
 * caller's transaction; every change to a matter is written to its history.
 */

const asActor = (staff: Staff) => ({ type: 'user' as const, ...staff });

function touch(store: Store, matterId: number, at: string): void {
  store.run(store.db.updateTable('matters').set({ updated_at: at }).where('id', '=', matterId));
}

/** How a staff change reaches the client: the bot's outbox and texts (only when "tell the client" is ticked). */
export interface ClientNotice {
  outbox: () => BotOutbox;
  settings: BotSettingsStore;
  requestId: string;
}

/**
 * A new status and/or next step (what the bot tells the client when asked); each
 * change in the history. With `tellClient`, the client is sent the catalog's
 * "status changed" text in their language, in the same transaction.
 */
export function updateMatter(
  store: Store,
  input: ParsedInputOf<'matters.update'>,
  staff: Staff,
  at: string,
  notify?: ClientNotice,
): { told: boolean } {
  const current = store.get(
    store.db
      .selectFrom('matters as m')
      .innerJoin('clients as c', 'c.id', 'm.client_id')
      .select(['m.status', 'm.next_step', 'm.reference', 'm.practice_area', 'm.client_id', 'm.language', 'c.language as client_language'])
      .where('m.id', '=', input.matterId),
  );
  if (!current) throw notFound('That matter does not exist.');
  const nextStep = input.nextStep === undefined ? current.next_step : input.nextStep || null;
  const status = input.status ?? current.status;
  const change = { matterId: input.matterId, at, actor: asActor(staff), action: 'updated' };
  if (status !== current.status) addHistory(store, { ...change, field: 'status', oldValue: current.status, newValue: status });
  if (nextStep !== current.next_step) addHistory(store, { ...change, field: 'next_step', oldValue: current.next_step, newValue: nextStep });
  store.run(
    store.db.updateTable('matters').set({ status, next_step: nextStep, updated_at: at }).where('id', '=', input.matterId),
  );
  if (!input.tellClient || !notify) return { told: false };

  const chatId = chatOfClient(store, current.client_id);
  const conversation = store.get(store.db.selectFrom('conversations').select(['id', 'language']).where('chat_id', '=', chatId));
  const texts = notify.settings.textsFor(conversation?.language ?? current.client_language ?? current.language);
  const text =
    status === 'declined'
      ? texts.t('status.declined_item', { reference: current.reference, area: current.practice_area })
      : texts.t('status.changed', {
          reference: current.reference,
          area: current.practice_area,
          status: texts.t(`status.${status}` as TextKey),
          nextStep: nextStep?.trim() || texts.t('status.no_next_step'),
        });
  const outboxId = notify.outbox().enqueueText({ chatId, text, dedupeKey: `status:${notify.requestId}` });
  if (conversation) {
    appendMessage(store, { conversationId: conversation.id, direction: 'out', author: 'staff', authorId: staff.id, authorName: staff.name, text, outboxId, at });
    store.run(store.db.updateTable('conversations').set({ last_activity_at: at }).where('id', '=', conversation.id));
  }
  addHistory(store, { matterId: input.matterId, at, actor: asActor(staff), action: 'client_told', newValue: status });
  return { told: true };
}

/** An internal note (never shown to the client). */
export function addNote(store: Store, input: ParsedInputOf<'matters.addNote'>, staff: Staff, at: string): void {
  if (!store.get(store.db.selectFrom('matters').select('id').where('id', '=', input.matterId))) {
    throw notFound('That matter does not exist.');
  }
  store.run(
    store.db
      .insertInto('matter_notes')
      .values({ matter_id: input.matterId, author_id: staff.id, author_name: staff.name, text: input.text, at }),
  );
  addHistory(store, { matterId: input.matterId, at, actor: asActor(staff), action: 'note' });
  touch(store, input.matterId, at);
}

/** Queues the intake PDF again, made from the matter as it is now; sent to the client's chat when asked. */
export function requestPdf(store: Store, input: ParsedInputOf<'matters.regeneratePdf'>, staff: Staff, at: string): void {
  const matter = store.get(store.db.selectFrom('matters').select('client_id').where('id', '=', input.matterId));
  if (!matter) throw notFound('That matter does not exist.');
  queuePdf(store, {
    matterId: input.matterId,
    sendToChat: input.sendToClient ? chatOfClient(store, matter.client_id) : null,
    now: at,
  });
  addHistory(store, {
    matterId: input.matterId,
    at,
    actor: asActor(staff),
    action: 'pdf_requested',
    newValue: input.sendToClient ? 'sent to client' : null,
  });
}

export type ConflictHitRow = Pick<Selectable<ConflictHitsTable>, 'id' | 'matter_id' | 'cleared_at' | 'matched_name'>;

export function conflictHit(store: Store, hitId: number): ConflictHitRow {
  const hit = store.get(
    store.db.selectFrom('conflict_hits').select(['id', 'matter_id', 'cleared_at', 'matched_name']).where('id', '=', hitId),
  );
  if (!hit) throw notFound('That conflict hit does not exist.');
  return hit;
}

/**
 * A lawyer clears a possible conflict after checking it; their name and note stay
 * on the hit. The matter's conflict state is "cleared" once no hit is open.
 */
export function clearConflict(store: Store, hit: ConflictHitRow, note: string | undefined, staff: Staff, at: string): void {
  if (hit.cleared_at) throw new AppError('conflict', 'That possible conflict was already cleared.');
  store.run(
    store.db
      .updateTable('conflict_hits')
      .set({ cleared_at: at, cleared_by_id: staff.id, cleared_by_name: staff.name, cleared_note: note ?? null })
      .where('id', '=', hit.id),
  );
  addHistory(store, {
    matterId: hit.matter_id,
    at,
    actor: asActor(staff),
    action: 'conflict_cleared',
    newValue: note ? `${hit.matched_name}: ${note}` : hit.matched_name,
  });
  const open = store.get(
    store.db
      .selectFrom('conflict_hits')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('matter_id', '=', hit.matter_id)
      .where('cleared_at', 'is', null),
  )!;
  store.run(
    store.db
      .updateTable('matters')
      .set({ conflict_state: open.n === 0 ? 'cleared' : 'possible', updated_at: at })
      .where('id', '=', hit.matter_id),
  );
}

/** Records how staff handled a client's request to stop messages or delete their data; once. */
export function resolveDataRequest(store: Store, input: ParsedInputOf<'dataRequests.resolve'>, staff: Staff, at: string): void {
  const row = store.get(store.db.selectFrom('data_requests').select('status').where('id', '=', input.id));
  if (!row) throw notFound('That request does not exist.');
  if (row.status === 'done') throw new AppError('conflict', 'That request was already resolved.');
  store.run(
    store.db
      .updateTable('data_requests')
      .set({ status: 'done', resolved_at: at, resolved_by: staff.name, resolution: input.resolution })
      .where('id', '=', input.id),
  );
}
