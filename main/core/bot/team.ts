import { sql } from 'kysely';
import { roleAllows, ROLES, type Role } from '../../../shared/permissions.js';
import type { OutputOf, ParsedInputOf } from '../../../shared/contract/index.js';
import type { Store } from '../db/store.js';
import { AppError, invalidInput, notFound } from '../errors.js';
import { conversationById, type ConversationRow, type Staff } from './records.js';

/**
 * The inbox as a team uses it: who may be given a conversation, giving it to
 * them (with a note, in the conversation's history), closing it, notes with
 * mentions, and the counts the sidebar and the window title show. Each function
 * joins the caller's transaction.
 */

/** Roles whose members can be given a conversation. */
const CAN_HANDLE: Role[] = ROLES.filter((role) => roleAllows(role, 'conversations'));

function mustConversation(store: Store, id: number): ConversationRow {
  const row = conversationById(store, id);
  if (!row) throw notFound('That conversation does not exist.');
  return row;
}

export function members(store: Store): OutputOf<'inbox.members'> {
  const rows = store.all(
    store.db
      .selectFrom('users')
      .select(['id', 'display_name', 'username', 'role'])
      .where('disabled', '=', 0)
      .where('role', 'in', CAN_HANDLE)
      .orderBy('display_name'),
  );
  return { items: rows.map((r) => ({ id: r.id, name: r.display_name || r.username, username: r.username, role: r.role })) };
}

/** Gives the conversation to a member (or nobody), recording who gave it to whom. Returns the member it went to. */
export function assign(store: Store, input: ParsedInputOf<'inbox.assign'>, by: Staff, at: string): Staff | null {
  const conversation = mustConversation(store, input.conversationId);
  let to: Staff | null = null;
  if (input.userId !== null) {
    const user = store.get(store.db.selectFrom('users').select(['id', 'display_name', 'username', 'role', 'disabled']).where('id', '=', input.userId));
    if (!user) throw invalidInput('There is no such member of staff.', { issues: [{ path: 'userId', message: 'no such user' }] });
    const name = user.display_name || user.username;
    if (user.disabled) throw invalidInput(`${name}'s account is disabled, so the conversation cannot go to them.`, { issues: [{ path: 'userId', message: 'disabled' }] });
    if (!roleAllows(user.role, 'conversations')) {
      throw invalidInput(`${name} is an ${user.role} and cannot see conversations.`, { issues: [{ path: 'userId', message: 'role cannot see conversations' }] });
    }
    to = { id: user.id, name };
  }
  if ((conversation.assigned_to_id ?? null) === (to?.id ?? null) && !input.note) {
    return to;
  }
  store.run(
    store.db
      .updateTable('conversations')
      .set({
        assigned_to_id: to?.id ?? null,
        assigned_to_name: to?.name ?? null,
        // someone has it now: the bot goes quiet; nobody: it waits for staff
        ...(to && conversation.mode === 'bot' ? { mode: 'staff' as const, handoff_reason: 'staff' } : {}),
        ...(!to && conversation.mode === 'staff' ? { mode: 'waiting' as const, waiting_since: at } : {}),
        closed_at: null,
        closed_by: null,
      })
      .where('id', '=', conversation.id),
  );
  store.run(
    store.db.insertInto('conversation_assignments').values({
      conversation_id: conversation.id,
      from_id: conversation.assigned_to_id,
      from_name: conversation.assigned_to_name,
      to_id: to?.id ?? null,
      to_name: to?.name ?? null,
      note: input.note || null,
      by_id: by.id,
      by_name: by.name,
      at,
    }),
  );
  return to;
}

/** Resolved: the bot has it again, nobody is assigned, nobody waits; the client's next message reopens it. */
export function close(store: Store, conversationId: number, by: Staff, at: string): void {
  const conversation = mustConversation(store, conversationId);
  if (conversation.closed_at) throw new AppError('conflict', 'This conversation is already resolved.');
  store.run(
    store.db
      .updateTable('conversations')
      .set({
        closed_at: at,
        closed_by: by.name,
        mode: 'bot',
        assigned_to_id: null,
        assigned_to_name: null,
        handoff_reason: null,
        waiting_since: null,
        unread: 0,
      })
      .where('id', '=', conversationId),
  );
}

const MENTION = /(^|[^\p{L}\p{N}_])@([\p{L}\p{N}._-]{2,64})/gu;

/** Usernames written as @name in a note, folded as usernames are. */
export function mentionsIn(text: string): string[] {
  return [...new Set([...text.matchAll(MENTION)].map((m) => m[2]!.normalize('NFKC').toLowerCase().replace(/[.]+$/, '')))];
}

/** An internal note; the members it mentions (who may see conversations) are returned to be told. */
export function addNote(store: Store, input: ParsedInputOf<'inbox.addNote'>, by: Staff, at: string): { noteId: number; mentioned: Staff[] } {
  mustConversation(store, input.conversationId);
  const names = mentionsIn(input.text);
  const mentioned =
    names.length === 0
      ? []
      : store
          .all(
            store.db
              .selectFrom('users')
              .select(['id', 'display_name', 'username', 'role'])
              .where('username_key', 'in', names)
              .where('disabled', '=', 0),
          )
          .filter((u) => roleAllows(u.role, 'conversations') && u.id !== by.id)
          .map((u) => ({ id: u.id, name: u.display_name || u.username }));
  const result = store.run(
    store.db.insertInto('conversation_notes').values({
      conversation_id: input.conversationId,
      author_id: by.id,
      author_name: by.name,
      text: input.text,
      mentions: JSON.stringify(mentioned.map((m) => m.id)),
      at,
    }),
  );
  store.run(store.db.updateTable('conversations').set({ last_activity_at: at }).where('id', '=', input.conversationId));
  return { noteId: Number(result.lastInsertRowid), mentioned };
}

/** The thread's notes and assignment history, oldest first. */
export function notesAndAssignments(store: Store, conversationId: number) {
  const notes = store.all(
    store.db
      .selectFrom('conversation_notes')
      .select(['id', 'author_id as authorId', 'author_name as authorName', 'text', 'at'])
      .where('conversation_id', '=', conversationId)
      .orderBy('id'),
  );
  const assignments = store.all(
    store.db
      .selectFrom('conversation_assignments')
      .select(['id', 'at', 'by_name as byName', 'to_name as toName', 'from_name as fromName', 'note'])
      .where('conversation_id', '=', conversationId)
      .orderBy('id'),
  );
  return { notes, assignments };
}

export function counts(store: Store, userId: string): OutputOf<'inbox.counts'> {
  const row = store.get(
    store.db
      .selectFrom('conversations')
      .select((eb) => [
        sql<number>`COALESCE(SUM(mode = 'waiting'), 0)`.as('waiting'),
        sql<number>`COALESCE(SUM(unread > 0), 0)`.as('unread'),
        sql<number>`COALESCE(SUM(mode = 'waiting' OR unread > 0), 0)`.as('attention'),
        sql<number>`COALESCE(SUM(assigned_to_id = ${userId}), 0)`.as('mine'),
        sql<number>`COALESCE(SUM(mode != 'bot' AND assigned_to_id IS NULL), 0)`.as('unassigned'),
        sql<string | null>`MIN(CASE WHEN mode = 'waiting' THEN waiting_since END)`.as('oldest'),
      ]),
  )!;
  return { waiting: row.waiting, unread: row.unread, attention: row.attention, mine: row.mine, unassigned: row.unassigned, oldestWaitingSince: row.oldest ?? null };
}

/** For monitoring: how many clients wait for staff, and who has waited longest (the "waiting too long" alert). */
export function waitingClients(store: Store, now: Date): { waiting: number; longestWaitMinutes: number; longestWaiting: string | null } {
  const row = store.get(
    store.db
      .selectFrom('conversations as c')
      .leftJoin('clients as cl', 'cl.id', 'c.client_id')
      .select(['c.waiting_since', 'cl.name', 'c.push_name', 'c.whatsapp'])
      .select(sql<number>`COUNT(*) OVER ()`.as('n'))
      .where('c.mode', '=', 'waiting')
      .where('c.waiting_since', 'is not', null)
      .orderBy('c.waiting_since')
      .limit(1),
  );
  if (!row?.waiting_since) return { waiting: 0, longestWaitMinutes: 0, longestWaiting: null };
  return {
    waiting: row.n,
    longestWaitMinutes: Math.max(0, (now.getTime() - Date.parse(row.waiting_since)) / 60_000),
    longestWaiting: row.name ?? row.push_name ?? `+${row.whatsapp}`,
  };
}
