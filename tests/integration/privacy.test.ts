import { readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Clock } from '../../main/core/clock.js';
import type { ErasurePreview, RetentionPreview } from '../../shared/contract/privacy.js';
import { signedInAs, type SignedIn } from '../support/auth.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { FAST_SENDS, OPEN_ALL_WEEK } from '../support/office.js';
import { tempDir } from '../support/server.js';

/**
 * Clients' rights, end to end on a real core: the WhatsApp simulator stores what
 * a client writes in the inbound ledger, the bot takes the intake, staff reply and
 * take notes; then erasure, legal holds, retention and a declined consent are
 * checked on the bytes of the database file, its write-ahead log and the
 * document store's folder.
 */

const PHRASE = 'zebra-quokka-7731';
const DAY = 86_400_000;

/** The wall clock moved by the test (retention periods pass); the monotonic clock stays real, so sends and timers run. */
class ShiftedClock implements Clock {
  offset = 0;
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  monotonic(): number {
    return performance.now();
  }
}

let dataDir: string;
let core: TestCore;
let clock: ShiftedClock;
let admin: SignedIn;

beforeEach(async () => {
  dataDir = tempDir();
  clock = new ShiftedClock();
  core = await startTestCore({ dataDir, env: FAST_SENDS, deps: { clock } });
  for (let i = 0; i < 500 && core.services.whatsapp.status().state !== 'ready'; i++) await sleep(10);
  const door = doorAs(core, 'admin');
  const s = core.services.bot.settings.get();
  await door.ok('botSettings.update', { section: 'profile', value: { ...s.profile, name: 'Silva & Partners' } });
  await door.ok('botSettings.update', { section: 'hours', value: { timeZone: 'Europe/Lisbon', week: OPEN_ALL_WEEK, closedDates: [] } });
  admin = await signedInAs(core, 'admin', { username: 'maria', displayName: 'Maria' });
});

afterEach(async () => {
  await core.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

async function settled(): Promise<void> {
  for (let i = 0; i < 400; i++) {
    await core.services.bot.drained();
    if (core.services.whatsapp.outbox.depth() === 0) return;
    await sleep(10);
  }
  throw new Error('the outbox did not empty');
}

async function say(from: string, text: string, name = 'Client'): Promise<void> {
  await doorAs(core, 'admin').ok('simulator.clientSend', { from, name, text });
  await settled();
}

async function intake(from: string, name: string, description: string, opposing = 'none'): Promise<number> {
  for (const text of ['hello', '1', 'yes', name, '1', description, opposing, 'none', 'yes']) await say(from, text, name.split(' ')[0]);
  const row = core.services.store.prepare('SELECT m.id FROM matters m JOIN clients c ON c.id = m.client_id WHERE c.whatsapp = ? ORDER BY m.id DESC').get(from) as
    | { id: number }
    | undefined;
  if (!row) {
    const said = (await doorAs(core, 'admin').ok<{ messages: { text: string | null }[] }>('simulator.clientInbox', { from })).messages;
    throw new Error(`no intake for ${name}: ${said.map((m) => m.text).join('\n---\n').slice(-1500)}`);
  }
  return row.id;
}

const one = <T>(sql: string, ...params: unknown[]) => core.services.store.prepare(sql).get(...params) as T;
const clientIdOf = (whatsapp: string) => one<{ id: number }>('SELECT id FROM clients WHERE whatsapp = ?', whatsapp).id;
const conversationOf = (whatsapp: string) => one<{ id: number } | undefined>('SELECT id FROM conversations WHERE whatsapp = ?', whatsapp)?.id;

/** The tables (besides the audit trail, which no one may rewrite) with a value containing `text`. */
function tablesContaining(text: string): string[] {
  const { sqlite } = core.services.store;
  const tables = (sqlite.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'audit_log'").all() as { name: string }[]).map((t) => t.name);
  return tables.filter((table) => {
    const columns = (sqlite.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[]).map((c) => c.name);
    if (columns.length === 0) return false;
    const where = columns.map((c) => `instr(CAST("${c}" AS TEXT), ?) > 0`).join(' OR ');
    return sqlite.prepare(`SELECT 1 FROM "${table}" WHERE ${where} LIMIT 1`).get(...columns.map(() => text)) !== undefined;
  });
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The files (of the database, its log, the document store) whose raw bytes contain `text`. */
function filesContaining(text: string): string[] {
  const db = core.services.store.file;
  const candidates = [db, `${db}-wal`, `${db}-journal`, ...filesUnder(core.config.documents.dir)];
  const needle = Buffer.from(text, 'utf8');
  return candidates.filter((file) => existsSync(file) && readFileSync(file).includes(needle));
}

describe('erasing a client', () => {
  test('leaves no trace of what they wrote in the database file, its log, the FTS indexes or the document store, while the conflict check still finds them', async () => {
    const number = '351910000001';
    const matterId = await intake(number, 'Zoltan Marsh', `My neighbour calls me ${PHRASE} every day.`);
    await say(number, `One more thing: ${PHRASE} again.`, 'Zoltan');
    // a file the client sends (stored encrypted, named by its hash)
    await doorAs(core, 'admin').ok('simulator.clientSend', {
      from: number,
      name: 'Zoltan',
      text: '',
      media: { fileName: 'letter.txt', mimetype: 'text/plain', base64: Buffer.from(`Letter about ${PHRASE}`).toString('base64') },
    });
    await settled();
    const conversationId = conversationOf(number)!;
    await admin.ok('inbox.reply', { conversationId, text: `We noted ${PHRASE}.` });
    await admin.ok('inbox.addNote', { conversationId, text: `Internal: ${PHRASE}` });
    await admin.ok('matters.addNote', { matterId, text: `Matter note ${PHRASE}` });
    await settled();
    const clientId = clientIdOf(number);
    const documentFiles = filesUnder(core.config.documents.dir).filter((f) => !f.includes('.partial'));
    expect(documentFiles.length).toBeGreaterThan(0);

    // the phrase is there before (this test can fail), and the search index finds it
    expect(filesContaining(PHRASE).length).toBeGreaterThan(0);
    const indexed = (table: string) => one<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${table} MATCH 'quokka'`).n;
    expect(indexed('messages_fts') + indexed('notes_fts')).toBeGreaterThan(0);

    const preview = await admin.ok<ErasurePreview>('clients.erasePreview', { clientId });
    expect(preview.goes).toMatchObject({ conversations: 1, intakeAnswers: 1 });
    expect(preview.goes.messages).toBeGreaterThanOrEqual(12);
    expect(preview.goes.documents).toBeGreaterThanOrEqual(2); // the client's file and the intake PDF
    expect(preview.goes.contactDetails[0]).toBe(`WhatsApp number +${number}`);
    expect(preview.stays[0]).toMatchObject({ kind: 'conflict_record' });
    expect(preview.stays[0]!.what).toContain('Zoltan Marsh');
    expect(preview.irreversible).toMatch(/cannot be undone[\s\S]*backups are kept 30 days, so after \d{4}-\d\d-\d\d no backup holds it/);
    expect(preview.backupsHoldUntil).toBe(new Date(clock.now().getTime() + 30 * DAY).toISOString().slice(0, 10));

    const wrong = await admin.call('clients.erase', { clientId, reason: 'The client asked on WhatsApp.', password: 'not my password' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid_input', details: { reason: 'wrong_password' } } });
    expect(one<{ erased_at: string | null }>('SELECT erased_at FROM clients WHERE id = ?', clientId).erased_at).toBeNull();

    const done = await admin.ok<{ erased: { messages: number; documents: number } }>('clients.erase', {
      clientId,
      reason: 'The client asked on WhatsApp.',
      password: admin.user.password,
    });
    expect(done.erased.messages).toBe(preview.goes.messages);

    // nothing of it in the bytes of any file, nor in the WAL; the document files are gone
    expect(filesContaining(PHRASE)).toEqual([]);
    expect(filesContaining('quokka')).toEqual([]);
    // the number: in no table (the audit trail records the simulator's calls, as it records every call)
    expect(tablesContaining(number)).toEqual([]);
    // the name: only in the conflict record (the client row and its search indexes)
    expect(tablesContaining('Zoltan').sort()).toEqual(['clients', 'directory_fts', 'directory_fts_content']);
    for (const file of documentFiles) expect(existsSync(file), file).toBe(false);
    expect(statSync(`${core.services.store.file}-wal`).size).toBe(0);
    expect(indexed('messages_fts') + indexed('notes_fts')).toBe(0);
    expect(conversationOf(number)).toBeUndefined();
    expect(one<{ n: number }>('SELECT COUNT(*) AS n FROM documents').n).toBe(0);

    // the audit says so, with counts and no content
    const audit = one<{ actor_name: string; details: string }>("SELECT actor_name, details FROM audit_log WHERE action = 'clients.erase' AND outcome = 'ok'");
    expect(audit.actor_name).toBe('maria');
    expect(JSON.parse(audit.details)).toMatchObject({ erased: { messages: done.erased.messages, documents: done.erased.documents } });
    expect(audit.details).not.toContain('Zoltan');

    // a new client whose other party is the former client: the conflict check still finds them by name
    const other = await intake('351910000002', 'Paula Reis', 'A dispute over a fence.', 'Zoltan Marsh');
    const hit = one<{ matched_name: string; matched_client_id: number }>('SELECT matched_name, matched_client_id FROM conflict_hits WHERE matter_id = ?', other);
    expect(hit).toMatchObject({ matched_name: 'Zoltan Marsh', matched_client_id: clientId });
    expect(one<{ reference: string; description: string }>('SELECT reference, description FROM matters WHERE id = ?', matterId).description).toBe('');
  }, 60_000);

  test('a legal hold on a matter keeps it whole and says so; a hold on the client stops the erasure', async () => {
    const number = '351910000003';
    const kept = await intake(number, 'Helena Costa', `First matter ${PHRASE}.`);
    const lawyer = await signedInAs(core, 'lawyer', { displayName: 'Rui' });
    // a lawyer holds only their own matters
    expect(await lawyer.call('holds.set', { matterId: kept, reason: 'Litigation expected' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await admin.ok('inbox.assign', { conversationId: conversationOf(number)!, userId: lawyer.user.id });
    const hold = await lawyer.ok<{ id: number; setBy: string }>('holds.set', { matterId: kept, reason: 'Litigation expected' });
    expect(hold.setBy).toBe('Rui');
    expect(await lawyer.call('holds.set', { matterId: kept, reason: 'Again' })).toMatchObject({ ok: false, error: { code: 'conflict', details: { reason: 'already_held' } } });

    const clientId = clientIdOf(number);
    const preview = await admin.ok<ErasurePreview>('clients.erasePreview', { clientId });
    expect(preview.goes.intakeAnswers).toBe(0);
    expect(preview.stays).toContainEqual(expect.objectContaining({ kind: 'legal_hold', matterId: kept, why: expect.stringContaining('Litigation expected') }));
    await admin.ok('clients.erase', { clientId, reason: 'Asked by the client.', password: admin.user.password });
    expect(one<{ description: string }>('SELECT description FROM matters WHERE id = ?', kept).description).toContain(PHRASE);

    // a hold on the whole client: nothing is erased
    const second = '351910000004';
    await intake(second, 'Igor Lima', 'Something private.');
    const igor = clientIdOf(second);
    await admin.ok('holds.set', { clientId: igor, reason: 'Court order 12/2026' });
    const refused = await admin.call('clients.erase', { clientId: igor, reason: 'Asked by the client.', password: admin.user.password });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict', details: { reason: 'legal_hold' } } });
    expect(conversationOf(second)).toBeDefined();

    // released: who and when stay on record
    const released = await lawyer.ok<{ releasedBy: string; releasedAt: string }>('holds.release', { holdId: hold.id });
    expect(released.releasedBy).toBe('Rui');
    const { items } = await admin.ok<{ items: { releasedAt: string | null }[] }>('holds.list', { matterId: kept });
    expect(items).toHaveLength(1);
    expect(items[0]!.releasedAt).not.toBeNull();
    expect(await doorAs(core, 'assistant').call('holds.set', { matterId: kept, reason: 'x y z' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  }, 60_000);
});

describe('a declined consent', () => {
  test('keeps no name and no text, only an anonymous entry, and is gone after the hours', async () => {
    const number = '351910000009';
    await say(number, `Hello, I am Beatriz Whitlock, about ${PHRASE}`, 'Beatriz');
    await say(number, '1', 'Beatriz');
    await say(number, 'no', 'Beatriz');
    const inbox = (await doorAs(core, 'admin').ok<{ messages: { text: string | null }[] }>('simulator.clientInbox', { from: number })).messages;
    expect(inbox.at(-1)!.text).toMatch(/We will not keep your details: this conversation is erased within 24 hours/);

    const conversation = one<{ id: number; push_name: string | null; declined_at: string | null; last_preview: string }>(
      'SELECT id, push_name, declined_at, last_preview FROM conversations WHERE whatsapp = ?',
      number,
    );
    expect(conversation).toMatchObject({ push_name: null, last_preview: 'Declined consent: nothing kept' });
    expect(conversation.declined_at).not.toBeNull();
    expect(one<{ n: number }>('SELECT COUNT(*) AS n FROM conversation_messages WHERE conversation_id = ?', conversation.id).n).toBe(0);
    const ledger = core.services.store.prepare('SELECT body, push_name FROM whatsapp_inbound WHERE chat_id LIKE ?').all(`${number}%`) as { body: string; push_name: string | null }[];
    expect(ledger.length).toBe(3);
    expect(ledger.every((r) => r.body === '' && r.push_name === null)).toBe(true);
    expect(one<{ n: number }>('SELECT COUNT(*) AS n FROM clients').n).toBe(0);

    // 23 hours later it is still there; after 24 the nightly run erases it
    const door = doorAs(core, 'admin');
    clock.offset = 23 * 3_600_000;
    expect((await door.ok<RetentionPreview>('retention.preview', {})).counts.declinedConsents).toBe(0);
    clock.offset = 25 * 3_600_000;
    const preview = await door.ok<RetentionPreview>('retention.preview', {});
    expect(preview.sentence).toBe('Next run will erase: 1 declined consent.');
    await core.services.privacy.runRetention();
    expect(conversationOf(number)).toBeUndefined();
    expect(filesContaining('Whitlock')).toEqual([]);
    expect(filesContaining(PHRASE)).toEqual([]);
  }, 60_000);
});

describe('retention', () => {
  test('erases what is past its period in the nightly run, respects legal holds and audits the counts', async () => {
    await say('351920000001', `Just asking a question about ${PHRASE}`, 'Visitor');
    const old = await intake('351920000002', 'Olga Prado', 'An old intake never taken on.');
    const held = await intake('351920000003', 'Hugo Held', 'An intake under hold.');
    await admin.ok('holds.set', { matterId: held, reason: 'Pending complaint' });
    const active = await intake('351920000004', 'Alice Active', 'An ongoing matter.');
    await admin.ok('matters.update', { matterId: active, status: 'active' });

    const state = await admin.ok<{ rules: { unconvertedIntakeDays: number }; preview: RetentionPreview }>('retention.get', {});
    expect(state.rules).toEqual({ unconvertedIntakeDays: 180, closedMatterYears: 10, nonClientConversationDays: 365, declinedConsentHours: 24 });
    expect(state.preview.sentence).toBe('Next run will erase nothing: no record is past its retention period.');

    const door = doorAs(core, 'admin');
    clock.offset = 200 * DAY;
    expect((await door.ok<RetentionPreview>('retention.preview', {})).sentence).toBe(
      'Next run will erase: 1 intake never taken on. 1 matter is kept by a legal hold.',
    );
    clock.offset = 400 * DAY;
    const preview = await door.ok<RetentionPreview>('retention.preview', {});
    expect(preview.counts).toEqual({ conversations: 1, declinedConsents: 0, intakes: 1, closedMatters: 0, held: 1 });
    expect(preview.sentence).toBe('Next run will erase: 1 conversation of a non-client, 1 intake never taken on. 1 matter is kept by a legal hold.');

    // a longer period, edited by the admin, changes the preview
    const longer = await door.ok<RetentionPreview>('retention.preview', {
      rules: { unconvertedIntakeDays: 500, closedMatterYears: 10, nonClientConversationDays: 365, declinedConsentHours: 24 },
    });
    expect(longer.counts.intakes).toBe(0);
    expect(await doorAs(core, 'lawyer').call('retention.update', { rules: state.rules })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const counts = await core.services.privacy.runRetention();
    expect(counts).toMatchObject({ conversations: 1, intakes: 1, held: 1 });
    expect(conversationOf('351920000001')).toBeUndefined();
    expect(one<{ erased_at: string | null }>('SELECT erased_at FROM clients WHERE whatsapp = ?', 'erased-' + String(one<{ client_id: number }>('SELECT client_id FROM matters WHERE id = ?', old).client_id)).erased_at).not.toBeNull();
    expect(one<{ description: string }>('SELECT description FROM matters WHERE id = ?', held).description).toBe('An intake under hold.');
    expect(one<{ description: string }>('SELECT description FROM matters WHERE id = ?', active).description).toBe('An ongoing matter.');
    expect(filesContaining(PHRASE)).toEqual([]);
    const audit = one<{ details: string; actor_name: string }>("SELECT details, actor_name FROM audit_log WHERE action = 'retention.run' ORDER BY id DESC");
    expect(JSON.parse(audit.details)).toMatchObject({ conversations: 1, intakes: 1, held: 1 });
    expect(audit.actor_name).toBe('retention');
    expect((await door.ok<{ lastRun: { counts: { intakes: number } } }>('retention.get', {})).lastRun.counts.intakes).toBe(1);
  }, 60_000);

  test('a closed matter keeps its content for ten years, and the erasure preview says until when', async () => {
    const number = '351930000001';
    const matterId = await intake(number, 'Clara Fechada', 'A matter that was closed.');
    await admin.ok('matters.update', { matterId, status: 'active' });
    await admin.ok('matters.update', { matterId, status: 'closed' });
    const clientId = clientIdOf(number);
    const preview = await admin.ok<ErasurePreview>('clients.erasePreview', { clientId });
    const closedOn = clock.now().toISOString().slice(0, 10);
    const until = `${Number(closedOn.slice(0, 4)) + 10}${closedOn.slice(4)}`;
    expect(preview.stays).toContainEqual(expect.objectContaining({ kind: 'retention', matterId, until }));
    expect(preview.stays.find((s) => s.kind === 'retention')!.why).toContain('keeps closed matters 10 years');

    clock.offset = 11 * 365 * DAY;
    const later = await doorAs(core, 'admin').ok<RetentionPreview>('retention.preview', {});
    expect(later.counts.closedMatters).toBe(1);
    await core.services.privacy.runRetention();
    expect(one<{ description: string; erased_at: string | null }>('SELECT description, erased_at FROM matters WHERE id = ?', matterId)).toMatchObject({ description: '' });
  }, 60_000);
});
