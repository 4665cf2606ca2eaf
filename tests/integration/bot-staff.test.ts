import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { doorAuditor } from '../../main/core/audit/trail.js';
import { ManualClock } from '../../main/core/clock.js';
import type { ConversationSummary, MatterDetail } from '../../shared/contract/bot.js';
import { attachTestLink, type TestLink } from '../support/bot-link.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';

let core: TestCore;
let link: TestLink;
const clock = new ManualClock('2026-01-05T10:00:00Z');

beforeEach(async () => {
  core = await startTestCore({ deps: { clock } });
  link = await attachTestLink(core);
  const s = core.services.bot.settings;
  s.set('profile', { ...s.get().profile, name: 'Silva & Partners' }, null);
  s.set('hours', { ...s.get().hours, timeZone: 'Europe/Lisbon' }, null);
});
afterEach(async () => core.dispose());

async function play(number: string, texts: string[]): Promise<void> {
  for (const text of texts) {
    clock.advance(10_000);
    await link.deliver(number, text);
  }
}

async function fullIntake(number: string, name: string, opposing = 'none'): Promise<void> {
  await play(number, ['hi', '1', 'yes', name, '1', 'A family matter to discuss.', opposing, 'none', 'yes']);
  await core.services.bot.drained();
}

const lastText = (number: string) => link.sentTo(number).filter((m) => m.kind === 'text').at(-1)?.text ?? '';

describe('staff operations on the bot', () => {
  test('each role reaches what its permissions allow, and no more', async () => {
    await fullIntake('351910000001', 'Ana Souza');
    const assistant = doorAs(core, 'assistant');
    const lawyer = doorAs(core, 'lawyer');
    const admin = doorAs(core, 'admin');
    expect((await assistant.call('inbox.list', {})).ok).toBe(true);
    expect(await assistant.call('matters.list', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await assistant.call('botSettings.get', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await lawyer.call('matters.list', {})).ok).toBe(true);
    expect(await lawyer.call('botSettings.update', { section: 'practiceAreas', value: ['Tax'] })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect((await admin.call('botSettings.get', {})).ok).toBe(true);
  });

  test('the inbox filters by waiting, bot active, mine and unread; waiting first, then newest activity first', async () => {
    await play('351910000001', ['hi']);
    await play('351910000002', ['hi', '3']);
    await play('351910000003', ['hi']);
    const assistant = doorAs(core, 'assistant', { principal: { userId: 'u-marta', displayName: 'Marta' } });
    const all = await assistant.ok<{ items: ConversationSummary[] }>('inbox.list', {});
    // the client waiting for staff comes first, then the rest by newest activity
    expect(all.items.map((c) => c.whatsapp)).toEqual(['351910000002', '351910000003', '351910000001']);
    const waiting = await assistant.ok<{ items: ConversationSummary[] }>('inbox.list', { filter: 'waiting' });
    expect(waiting.items.map((c) => c.whatsapp)).toEqual(['351910000002']);
    const bot = await assistant.ok<{ items: ConversationSummary[] }>('inbox.list', { filter: 'bot' });
    expect(bot.items.map((c) => c.whatsapp)).toEqual(['351910000003', '351910000001']);

    await assistant.ok('inbox.takeOver', { conversationId: waiting.items[0]!.id });
    const mine = await assistant.ok<{ items: ConversationSummary[] }>('inbox.list', { filter: 'mine' });
    expect(mine.items).toEqual([expect.objectContaining({ whatsapp: '351910000002', mode: 'staff', assignedTo: { id: 'u-marta', name: 'Marta' } })]);
    const notMine = await doorAs(core, 'assistant').ok<{ items: ConversationSummary[] }>('inbox.list', { filter: 'mine' });
    expect(notMine.items).toEqual([]);

    await assistant.ok('inbox.markRead', { conversationId: all.items[2]!.id });
    const unread = await assistant.ok<{ items: ConversationSummary[] }>('inbox.list', { filter: 'unread' });
    expect(unread.items.map((c) => c.whatsapp)).toEqual(['351910000003', '351910000002']);
  });

  test('the thread shows messages in and out with their delivery state', async () => {
    await play('351910000001', ['hi', '4']);
    const assistant = doorAs(core, 'assistant');
    const [conv] = (await assistant.ok<{ items: ConversationSummary[] }>('inbox.list', {})).items;
    core.services.store.sqlite.exec("UPDATE test_outbox SET status = 'sent' WHERE id = 1");
    const thread = await assistant.ok<{ messages: { direction: string; author: string; text: string; delivery: string }[] }>('inbox.thread', {
      conversationId: conv!.id,
    });
    expect(thread.messages.map((m) => [m.direction, m.author, m.delivery])).toEqual([
      ['in', 'client', 'received'],
      ['out', 'bot', 'sent'],
      ['in', 'client', 'received'],
      ['out', 'bot', 'queued'],
    ]);
    expect(thread.messages[2]!.text).toBe('4');
  });

  test("a staff reply is signed, goes through the outbox, and its text stays out of the audit trail", async () => {
    await play('351910000001', ['hi', '3']);
    const assistant = doorAs(core, 'assistant', {
      principal: { displayName: 'Marta Reis' },
      auditor: doorAuditor(core.services.audit),
    });
    const [conv] = (await assistant.ok<{ items: ConversationSummary[] }>('inbox.list', {})).items;
    await assistant.ok('inbox.reply', { conversationId: conv!.id, text: 'Your hearing is on Tuesday.' });
    expect(lastText('351910000001')).toBe('Your hearing is on Tuesday.\n\n— Marta Reis, Silva & Partners');
    const audit = core.services.store
      .prepare("SELECT details, target_type, target_id FROM audit_log WHERE action = 'inbox.reply'")
      .get() as { details: string; target_type: string; target_id: string };
    expect(audit).toMatchObject({ target_type: 'conversation', target_id: String(conv!.id) });
    expect(audit.details).not.toContain('hearing');
    expect(audit.details).toContain('[redacted]');

    // the office can turn the signature off
    const s = core.services.bot.settings;
    await doorAs(core, 'admin').ok('botSettings.update', { section: 'behaviour', value: { ...s.get().behaviour, signStaffReplies: false } });
    await assistant.ok('inbox.reply', { conversationId: conv!.id, text: 'See you then.' });
    expect(lastText('351910000001')).toBe('See you then.');
  });

  test("documents go only to the client they belong to", async () => {
    await fullIntake('351910000001', 'Ana Souza');
    await fullIntake('351910000002', 'Bruno Lima');
    const assistant = doorAs(core, 'assistant');
    const list = (await assistant.ok<{ items: ConversationSummary[] }>('inbox.list', {})).items;
    const ana = list.find((c) => c.whatsapp === '351910000001')!;
    const bruno = list.find((c) => c.whatsapp === '351910000002')!;
    const anaThread = await assistant.ok<{ intakes: { pdfDocumentId: number | null }[] }>('inbox.thread', { conversationId: ana.id });
    const pdfId = anaThread.intakes[0]!.pdfDocumentId!;
    expect(pdfId).toBeGreaterThan(0);

    await assistant.ok('inbox.sendDocument', { conversationId: ana.id, documentId: pdfId });
    expect(link.sentTo('351910000001').filter((m) => m.kind === 'document')).toHaveLength(2);
    expect(await assistant.call('inbox.sendDocument', { conversationId: bruno.id, documentId: pdfId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(link.sentTo('351910000002').filter((m) => m.kind === 'document')).toHaveLength(1);

    // a file staff uploaded for Bruno's conversation goes to Bruno, and to nobody else
    const checklist = await core.services.documents.store.ingest(
      Buffer.from('Bring your ID.'),
      { fileName: 'checklist.txt', declaredType: 'text/plain' },
      { source: 'staff', conversationId: bruno.id },
    );
    await assistant.ok('inbox.sendDocument', { conversationId: bruno.id, documentId: checklist.id, caption: 'What to bring' });
    expect(link.sentTo('351910000002').filter((m) => m.kind === 'document')).toHaveLength(2);
    expect(await assistant.call('inbox.sendDocument', { conversationId: ana.id, documentId: checklist.id })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  test('a matter keeps status, next step, notes and their history; the PDF can be made again', async () => {
    await fullIntake('351910000001', 'Ana Souza');
    const lawyer = doorAs(core, 'lawyer', { principal: { displayName: 'Dr. Helena Costa' } });
    const { items } = await lawyer.ok<{ items: { id: number; reference: string }[] }>('matters.list', { search: 'souza' });
    expect(items).toHaveLength(1);
    const id = items[0]!.id;
    await lawyer.ok('matters.update', { matterId: id, status: 'waiting_client', nextStep: 'Send us the birth certificate.' });
    const detail = await lawyer.ok<MatterDetail>('matters.addNote', { matterId: id, text: 'Client prefers calls after 17:00.' });
    expect(detail).toMatchObject({ status: 'waiting_client', nextStep: 'Send us the birth certificate.' });
    expect(detail.notes[0]).toMatchObject({ authorName: 'Dr. Helena Costa', text: 'Client prefers calls after 17:00.' });
    expect(detail.history.map((h) => [h.action, h.field, h.newValue])).toEqual(
      expect.arrayContaining([
        ['updated', 'status', 'waiting_client'],
        ['updated', 'next_step', 'Send us the birth certificate.'],
        ['note', null, null],
        ['created', null, `intake ${items[0]!.reference}`],
      ]),
    );
    expect(detail.consent).toMatchObject({ version: '1' });

    await lawyer.ok('matters.regeneratePdf', { matterId: id, sendToClient: true });
    await core.services.bot.drained();
    const again = await lawyer.ok<MatterDetail>('matters.get', { matterId: id });
    expect(again.documents.filter((d) => d.source === 'intake')).toHaveLength(2);
    expect(link.sentTo('351910000001').filter((m) => m.kind === 'document')).toHaveLength(2);

    expect(await lawyer.call('matters.update', { matterId: 9999, status: 'closed' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  test('settings: texts can be overridden, a language added, the notice republished; bad values are refused', async () => {
    const admin = doorAs(core, 'admin');
    const current = core.services.bot.settings.get();
    expect(await admin.call('botSettings.update', { section: 'hours', value: { ...current.hours, timeZone: 'Mars/Olympus' } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(await admin.call('botSettings.update', { section: 'texts', value: { en: { gretting: 'Hi' } } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(await admin.call('botSettings.update', { section: 'behaviour', value: { ...current.behaviour, language: 'pt' } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });

    await admin.ok('botSettings.update', { section: 'texts', value: { en: { greeting: 'Welcome to {office}!' } } });
    await play('351910000001', ['hi']);
    expect(lastText('351910000001')).toMatch(/^Welcome to Silva & Partners!/);

    await admin.ok('botSettings.update', {
      section: 'languages',
      value: { pt: { 'language.name': 'Português', menu: 'Como podemos ajudar?\n1. Novo caso', 'menu.words': 'menu|inicio' } },
    });
    await admin.ok('botSettings.update', { section: 'behaviour', value: { ...current.behaviour, language: 'pt' } });
    await play('351910000001', ['inicio']);
    expect(lastText('351910000001')).toBe('Como podemos ajudar?\n1. Novo caso');
    const got = await admin.ok<{ languages: { code: string; name: string }[] }>('botSettings.get', {});
    expect(got.languages).toEqual([
      { code: 'en', name: 'English', builtIn: true },
      { code: 'pt-BR', name: 'Português (Brasil)', builtIn: true },
      { code: 'es', name: 'Español', builtIn: true },
      { code: 'pt', name: 'Português', builtIn: false },
    ]);
    await admin.ok('botSettings.update', { section: 'behaviour', value: { ...current.behaviour, language: 'en' } });

    // a client who consented to version 1 is asked again after version 2 is published
    await fullIntake('351910000002', 'Bruno Lima');
    const notice = await admin.ok<{ version: string }>('botSettings.publishNotice', {
      text: 'New notice: {office} keeps your data for five years.',
    });
    expect(notice.version).toBe('2');
    await play('351910000002', ['menu', '1']);
    expect(lastText('351910000002')).toContain('New notice: Silva & Partners keeps your data for five years.');
    expect(lastText('351910000002')).toContain('version 2');
  });
});
