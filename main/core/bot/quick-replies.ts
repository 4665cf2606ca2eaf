import type { Selectable } from 'kysely';
import { QUICK_REPLY_VARIABLES, type QuickReply } from '../../../shared/contract/inbox.js';
import type { ParsedInputOf } from '../../../shared/contract/index.js';
import { languageInEnglish } from '../../../shared/bot.js';
import type { Store } from '../db/store.js';
import type { QuickRepliesTable } from '../db/tables.js';
import { AppError, invalidInput, notFound } from '../errors.js';
import { describeHours } from './hours.js';
import { conversationById, type Staff } from './records.js';
import type { BotSettingsStore } from './settings.js';

/**
 * The office's quick replies: a title and a text per bot language, with
 * variables such as {client.name} filled in for the conversation they are used
 * in. Admins and lawyers write them; everyone who answers clients uses them.
 */

const KNOWN = new Set<string>(QUICK_REPLY_VARIABLES.map((v) => v.name));
const VARIABLE = /\{([a-zA-Z][a-zA-Z0-9_.]*)\}/g;

const titleKey = (title: string) => title.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();

function toQuickReply(row: Selectable<QuickRepliesTable>): QuickReply {
  let texts: Record<string, string> = {};
  try {
    texts = JSON.parse(row.texts) as Record<string, string>;
  } catch {
    // an unreadable row shows with no text rather than breaking the list
  }
  return { id: row.id, title: row.title, texts, updatedAt: row.updated_at, updatedBy: row.updated_by };
}

/** Refuses texts in languages the bot has no catalog for, and variables LexDesk does not know, in words. */
function check(texts: Record<string, string>, settings: BotSettingsStore): Record<string, string> {
  const known = new Set(settings.languages().map((l) => l.code));
  const kept: Record<string, string> = {};
  for (const [language, text] of Object.entries(texts)) {
    if (!known.has(language)) {
      throw invalidInput(`LexDesk has no ${language} language, so the quick reply cannot have a text in it.`, {
        issues: [{ path: `texts.${language}`, message: 'no such language' }],
      });
    }
    if (text.trim() === '') continue;
    for (const [, name] of text.matchAll(VARIABLE)) {
      if (!KNOWN.has(name!)) {
        throw invalidInput(
          `The ${languageInEnglish(language)} text uses {${name}}, which LexDesk does not know. It can use ${QUICK_REPLY_VARIABLES.map((v) => `{${v.name}}`).join(', ')}.`,
          { issues: [{ path: `texts.${language}`, message: `unknown variable {${name}}` }] },
        );
      }
    }
    kept[language] = text;
  }
  return kept;
}

export function listQuickReplies(store: Store): QuickReply[] {
  return store.all(store.db.selectFrom('quick_replies').selectAll().orderBy('title_key')).map(toQuickReply);
}

function mustQuickReply(store: Store, id: number): Selectable<QuickRepliesTable> {
  const row = store.get(store.db.selectFrom('quick_replies').selectAll().where('id', '=', id));
  if (!row) throw notFound('That quick reply does not exist.');
  return row;
}

function refuseDuplicate(store: Store, title: string, except: number | null): void {
  let query = store.db.selectFrom('quick_replies').select('id').where('title_key', '=', titleKey(title));
  if (except !== null) query = query.where('id', '!=', except);
  if (store.get(query)) throw new AppError('conflict', `There is already a quick reply called “${title}”.`);
}

export function createQuickReply(store: Store, settings: BotSettingsStore, input: ParsedInputOf<'quickReplies.create'>, by: Staff, at: string): QuickReply {
  const texts = check(input.texts, settings);
  refuseDuplicate(store, input.title, null);
  const row = store.get(
    store.db
      .insertInto('quick_replies')
      .values({ title: input.title, title_key: titleKey(input.title), texts: JSON.stringify(texts), created_at: at, created_by: by.name, updated_at: at, updated_by: by.name })
      .returningAll(),
  )!;
  return toQuickReply(row);
}

export function updateQuickReply(store: Store, settings: BotSettingsStore, input: ParsedInputOf<'quickReplies.update'>, by: Staff, at: string): QuickReply {
  mustQuickReply(store, input.id);
  const texts = check(input.texts, settings);
  refuseDuplicate(store, input.title, input.id);
  store.run(
    store.db
      .updateTable('quick_replies')
      .set({ title: input.title, title_key: titleKey(input.title), texts: JSON.stringify(texts), updated_at: at, updated_by: by.name })
      .where('id', '=', input.id),
  );
  return toQuickReply(mustQuickReply(store, input.id));
}

export function deleteQuickReply(store: Store, id: number): void {
  mustQuickReply(store, id);
  store.run(store.db.deleteFrom('quick_replies').where('id', '=', id));
}

/** The quick reply in the conversation's language (else the office default, else any), its variables filled in. */
export function renderQuickReply(
  store: Store,
  settings: BotSettingsStore,
  input: ParsedInputOf<'quickReplies.render'>,
  staff: Staff,
): { text: string; language: string } {
  const reply = toQuickReply(mustQuickReply(store, input.id));
  const conversation = conversationById(store, input.conversationId);
  if (!conversation) throw notFound('That conversation does not exist.');
  const office = settings.get();
  const client = conversation.client_id
    ? store.get(store.db.selectFrom('clients').select(['name', 'language']).where('id', '=', conversation.client_id))
    : undefined;
  const wanted = conversation.language ?? client?.language ?? office.behaviour.language;
  const language = [wanted, office.behaviour.language, ...Object.keys(reply.texts)].find((l) => reply.texts[l]?.trim())!;
  const matter = conversation.client_id
    ? store.get(store.db.selectFrom('matters').select('reference').where('client_id', '=', conversation.client_id).orderBy('id', 'desc').limit(1))
    : undefined;
  const texts = settings.textsFor(language);
  const fullName = client?.name ?? conversation.push_name ?? '';
  const values: Record<string, string> = {
    'client.name': fullName.split(' ')[0] ?? '',
    'client.fullName': fullName,
    'matter.reference': matter?.reference ?? '',
    'office.name': office.profile.name,
    'office.hours': describeHours(office.hours, texts.t('hours.closed_all_week'), language),
    'office.address': office.profile.address,
    'office.phone': office.profile.phone,
    'staff.name': staff.name,
  };
  const text = reply.texts[language]!.replace(VARIABLE, (whole, name: string) => values[name] ?? whole).replace(/[ \t]+([,.!?])/g, '$1');
  return { text, language };
}
