import fc from 'fast-check';
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ManualClock } from '../../main/core/clock.js';
import { visibleTo } from '../../main/core/events.js';
import { doorAuditor } from '../../main/core/audit/trail.js';
import { backfillStep, indexingState } from '../../main/core/bot/search.js';
import type { ServerEvent } from '../../shared/events.js';
import { createUser } from '../support/auth.js';
import { attachTestLink, type TestLink } from '../support/bot-link.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { tempDir } from '../support/server.js';

/**
 * The inbox as a team uses it, against a real core and SQLite file with a
 * controllable clock: waiting order and wait times, giving conversations to
 * people, notes and mentions, closing and reopening, quick replies, the
 * "someone else is replying" warning, and the search (folding, escaping).
 */

// Monday 5 January 2026, 10:00 in Lisbon: the office is open.
const OPEN = '2026-01-05T10:00:00Z';
const MINUTE = 60_000;

let dataDir: string;
let clock: ManualClock;
let core: TestCore;
let link: TestLink;
let events: ServerEvent[];

beforeEach(async () => {
  dataDir = tempDir();
  clock = new ManualClock(OPEN);
  core = await startTestCore({ dataDir, deps: { clock } });
  link = await attachTestLink(core);
  const bot = core.services.bot.settings;
  bot.set('profile', { ...bot.get().profile, name: 'Silva & Partners', address: 'Rua Augusta 10, Lisboa' }, null);
  bot.set('hours', { ...bot.get().hours, timeZone: 'Europe/Lisbon' }, null);
  events = [];
  core.services.events.subscribe((e) => events.push(e));
});

afterEach(async () => {
  await core.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

async function say(number: string, text: string, pushName?: string): Promise<void> {
  clock.advance(30_000);
  await link.deliver(number, text, { pushName });
}

async function waitingClient(number: string, name: string): Promise<number> {
  await say(number, 'hello', name);
  await say(number, 'I need to talk to a person');
  return (core.services.store.prepare('SELECT id FROM conversations WHERE whatsapp = ?').get(number) as { id: number }).id;
}

interface Item {
  id: number;
  displayName: string;
  mode: string;
  waitingSince: string | null;
  assignedTo: { id: string; name: string } | null;
  unread: number;
}

describe('the team inbox', () => {
  test('waiting conversations come first, the longest wait first; then the bot’s, newest first', async () => {
    const assistant = doorAs(core, 'assistant');
    await say('351910000001', 'hi', 'Bot One');
    const first = await waitingClient('351910000002', 'Ana');
    clock.advance(10 * MINUTE);
    const second = await waitingClient('351910000003', 'Bruno');
    await say('351910000004', 'hi', 'Bot Two');
    // Ana writes again: she is still the longest wait, not the newest
    await say('351910000002', 'hello? anyone?');

    const all = await assistant.ok<{ items: Item[] }>('inbox.list', {});
    expect(all.items.map((i) => i.displayName)).toEqual(['Ana', 'Bruno', 'Bot Two', 'Bot One']);
    const waiting = await assistant.ok<{ items: Item[] }>('inbox.list', { filter: 'waiting' });
    expect(waiting.items.map((i) => i.id)).toEqual([first, second]);
    const since = waiting.items.map((i) => Date.parse(i.waitingSince!));
    expect(Date.parse(clock.now().toISOString()) - since[0]!).toBeGreaterThan(10 * MINUTE);
    const counts = await assistant.ok<{ waiting: number; unread: number; unassigned: number; oldestWaitingSince: string }>('inbox.counts', {});
    expect(counts).toMatchObject({ waiting: 2, unread: 4, unassigned: 2, oldestWaitingSince: waiting.items[0]!.waitingSince });

    // the hand-off and the client writing again reach staff as events
    expect(events.filter((e) => e.type === 'inbox.handedOff').map((e) => (e.data as { displayName: string }).displayName)).toEqual(['Ana', 'Bruno']);
    expect(events.filter((e) => e.type === 'inbox.waiting').map((e) => (e.data as { conversationId: number }).conversationId)).toEqual([first]);
  });

  test('a conversation goes to a colleague with a note, is audited, and shows under Mine and Unassigned', async () => {
    const ana = await createUser(core, { role: 'assistant', username: 'ana', displayName: 'Ana Reis' });
    const bruno = await createUser(core, { role: 'lawyer', username: 'bruno', displayName: 'Bruno Lima' });
    const id = await waitingClient('351910000002', 'Carla');
    const auditor = doorAuditor(core.services.audit);
    const asAna = doorAs(core, 'assistant', { principal: { userId: ana.id, displayName: 'Ana Reis' }, auditor });
    const asBruno = doorAs(core, 'lawyer', { principal: { userId: bruno.id, displayName: 'Bruno Lima' }, auditor });

    expect((await asAna.ok<{ items: Item[] }>('inbox.list', { filter: 'unassigned' })).items.map((i) => i.id)).toEqual([id]);
    await asAna.ok('inbox.assign', { conversationId: id, userId: ana.id });
    expect((await asAna.ok<{ items: Item[] }>('inbox.list', { filter: 'mine' })).items.map((i) => i.id)).toEqual([id]);
    const moved = await asAna.ok<Item>('inbox.assign', { conversationId: id, userId: bruno.id, note: 'She asks about the lease; you know the landlord.' });
    expect(moved.assignedTo).toEqual({ id: bruno.id, name: 'Bruno Lima' });
    expect((await asAna.ok<{ items: Item[] }>('inbox.list', { filter: 'mine' })).items).toEqual([]);
    expect((await asBruno.ok<{ items: Item[] }>('inbox.list', { filter: 'mine' })).items.map((i) => i.id)).toEqual([id]);
    const thread = await asBruno.ok<{ assignments: { byName: string; toName: string; fromName: string | null; note: string | null }[] }>('inbox.thread', { conversationId: id });
    expect(thread.assignments.map((a) => [a.fromName, a.toName, a.note])).toEqual([
      [null, 'Ana Reis'],
      ['Ana Reis', 'Bruno Lima', 'She asks about the lease; you know the landlord.'],
    ].map(([from, to, note]) => [from, to, note ?? null]));
    const audited = core.services.store
      .prepare("SELECT details FROM audit_log WHERE action = 'inbox.assign' ORDER BY id")
      .all() as { details: string }[];
    expect(audited.map((r) => JSON.parse(r.details) as { to: string })).toMatchObject([{ to: 'Ana Reis' }, { from: 'Ana Reis', to: 'Bruno Lima' }]);
    const assigned = events.filter((e) => e.type === 'inbox.assigned').at(-1)!;
    expect(assigned.data).toMatchObject({ to: { id: bruno.id }, byName: 'Ana Reis' });

    // nobody: the conversation waits for staff again
    const released = await asBruno.ok<Item>('inbox.assign', { conversationId: id, userId: null });
    expect(released).toMatchObject({ assignedTo: null, mode: 'waiting' });
  });

  test('a conversation cannot go to a disabled member or to a role that cannot see conversations', async () => {
    const id = await waitingClient('351910000002', 'Carla');
    const gone = await createUser(core, { role: 'assistant', username: 'gone', displayName: 'Gone Away' });
    core.services.store.prepare('UPDATE users SET disabled = 1 WHERE id = ?').run(gone.id);
    const assistant = doorAs(core, 'assistant');
    const disabled = await assistant.call('inbox.assign', { conversationId: id, userId: gone.id });
    expect(!disabled.ok && disabled.error.message).toBe("Gone Away's account is disabled, so the conversation cannot go to them.");
    const nobody = await assistant.call('inbox.assign', { conversationId: id, userId: 'no-such-user' });
    expect(!nobody.ok && nobody.error.message).toBe('There is no such member of staff.');
    const members = await assistant.ok<{ items: { id: string }[] }>('inbox.members', {});
    expect(members.items.map((m) => m.id)).not.toContain(gone.id);
  });

  test('notes stay inside the office; @mentions reach only the member named', async () => {
    const ana = await createUser(core, { role: 'assistant', username: 'ana', displayName: 'Ana Reis' });
    const bruno = await createUser(core, { role: 'lawyer', username: 'bruno', displayName: 'Bruno Lima' });
    const id = await waitingClient('351910000002', 'Carla');
    const asAna = doorAs(core, 'assistant', { principal: { userId: ana.id, displayName: 'Ana Reis' } });
    const sentBefore = link.sentTo('351910000002').length;
    const note = await asAna.ok<{ mentioned: string[] }>('inbox.addNote', { conversationId: id, text: 'Conflict? @bruno please check the Horizonte file. @nobody' });
    expect(note.mentioned).toEqual(['Bruno Lima']);
    expect(link.sentTo('351910000002')).toHaveLength(sentBefore);
    const thread = await asAna.ok<{ notes: { text: string; authorName: string }[] }>('inbox.thread', { conversationId: id });
    expect(thread.notes).toMatchObject([{ authorName: 'Ana Reis', text: 'Conflict? @bruno please check the Horizonte file. @nobody' }]);

    const mention = events.find((e) => e.type === 'inbox.mention')!;
    const viewer = (userId: string, role: 'lawyer' | 'assistant') => ({ userId, username: userId, displayName: userId, role, sessionId: `s-${userId}` });
    expect(visibleTo(viewer(bruno.id, 'lawyer'), mention)).toBe(true);
    expect(visibleTo(viewer(ana.id, 'assistant'), mention)).toBe(false);
    expect(visibleTo(viewer('someone-else', 'lawyer'), mention)).toBe(false);

    const empty = await asAna.call('inbox.addNote', { conversationId: id, text: '   ' });
    expect(!empty.ok && empty.error.message).toBe('The note is empty.');
    const long = await asAna.call('inbox.addNote', { conversationId: id, text: 'x'.repeat(20_001) });
    expect(!long.ok && long.error.message).toBe('The note is too long: at most 20,000 characters.');
  });

  test('replying into a colleague’s conversation, or while they write, asks first', async () => {
    const ana = await createUser(core, { role: 'assistant', username: 'ana', displayName: 'Ana Reis' });
    const bruno = await createUser(core, { role: 'assistant', username: 'bruno', displayName: 'Bruno Lima' });
    const id = await waitingClient('351910000002', 'Carla');
    const asAna = doorAs(core, 'assistant', { principal: { userId: ana.id, displayName: 'Ana Reis' } });
    const asBruno = doorAs(core, 'assistant', { principal: { userId: bruno.id, displayName: 'Bruno Lima' } });

    expect((await asAna.ok<{ others: unknown[] }>('inbox.presence', { conversationId: id, typing: true })).others).toEqual([]);
    expect(events.filter((e) => e.type === 'inbox.presence').map((e) => e.data)).toMatchObject([{ userId: ana.id, typing: true }]);
    const thread = await asBruno.ok<{ presence: { name: string }[] }>('inbox.thread', { conversationId: id });
    expect(thread.presence).toEqual([{ userId: ana.id, name: 'Ana Reis' }]);
    const refused = await asBruno.call('inbox.reply', { conversationId: id, text: 'Hello Carla' });
    expect(!refused.ok && refused.error).toMatchObject({ code: 'conflict', message: 'Ana Reis is replying. Send your reply anyway?' });
    // Ana's "replying" lasts 30 s without a keystroke
    clock.advance(31_000);
    expect((await asBruno.ok<{ presence: unknown[] }>('inbox.thread', { conversationId: id })).presence).toEqual([]);

    await asAna.ok('inbox.reply', { conversationId: id, text: 'Hello Carla, this is Ana.' });
    const owned = await asBruno.call('inbox.reply', { conversationId: id, text: 'Hello Carla' });
    expect(!owned.ok && owned.error.message).toBe('Ana Reis has this conversation. Send your reply anyway?');
    await asBruno.ok('inbox.reply', { conversationId: id, text: 'Hello Carla, Bruno here too.', confirmed: true });
    expect(link.sentTo('351910000002').map((m) => m.text).slice(-2)).toEqual([
      'Hello Carla, this is Ana.\n\n— Ana Reis, Silva & Partners',
      'Hello Carla, Bruno here too.\n\n— Bruno Lima, Silva & Partners',
    ]);
  });

  test('a resolved conversation reopens with the bot, or straight with staff when the office says so', async () => {
    const assistant = doorAs(core, 'assistant');
    const id = await waitingClient('351910000002', 'Carla');
    const closed = await assistant.ok<Item & { closedAt: string | null }>('inbox.close', { conversationId: id });
    expect(closed).toMatchObject({ mode: 'bot', assignedTo: null, waitingSince: null });
    expect(closed.closedAt).not.toBeNull();
    expect((await assistant.call('inbox.close', { conversationId: id })).ok).toBe(false);
    await say('351910000002', '4');
    expect(link.sentTo('351910000002').at(-1)!.text).toMatch(/Rua Augusta 10/);
    expect((await assistant.ok<Item & { closedAt: string | null }>('inbox.thread', { conversationId: id }).then((t) => (t as unknown as { conversation: { closedAt: string | null } }).conversation.closedAt))).toBeNull();

    const bot = core.services.bot.settings;
    bot.set('behaviour', { ...bot.get().behaviour, reopenTo: 'staff' }, null);
    await assistant.ok('inbox.close', { conversationId: id });
    const sent = link.sentTo('351910000002').length;
    events.length = 0;
    await say('351910000002', 'One more question about my lease');
    expect(link.sentTo('351910000002')).toHaveLength(sent);
    const summary = (await assistant.ok<{ items: (Item & { handoffReason: string })[] }>('inbox.list', { filter: 'waiting' })).items[0]!;
    expect(summary).toMatchObject({ id, mode: 'waiting', handoffReason: 'reopened' });
    expect(events.filter((e) => e.type === 'inbox.handedOff').map((e) => (e.data as { reason: string }).reason)).toEqual(['reopened']);
  });

  test('quick replies: variables filled in the client’s language; unknown variables refused in words', async () => {
    const lawyer = doorAs(core, 'lawyer', { principal: { displayName: 'Bruno Lima' } });
    const assistant = doorAs(core, 'assistant', { principal: { displayName: 'Ana Reis' } });
    const bot = core.services.bot.settings;
    bot.set('behaviour', { ...bot.get().behaviour, languages: ['pt-BR'] }, null);
    for (const text of ['Olá, quero abrir um caso', 'sim', 'Carla Souza Pinto', '3', 'Meu senhorio não devolve a caução.', 'Imobiliária Central', 'nenhum', 'sim'])
      await say('5511987654321', text);
    const id = (core.services.store.prepare('SELECT id FROM conversations WHERE whatsapp = ?').get('5511987654321') as { id: number }).id;

    const typo = await lawyer.call('quickReplies.create', { title: 'Documents', texts: { en: 'Hello {client.nme}' } });
    expect(!typo.ok && typo.error.message).toMatch(/^The English text uses \{client\.nme\}, which LexDesk does not know\. It can use \{client\.name\}/);
    const created = await lawyer.ok<{ id: number }>('quickReplies.create', {
      title: 'Documents needed',
      texts: {
        en: 'Hello {client.name}, please send the lease for {matter.reference}. We are open {office.hours}.',
        'pt-BR': 'Olá {client.name}, envie o contrato de locação do caso {matter.reference}. Atendemos {office.hours}.',
      },
    });
    const duplicate = await lawyer.call('quickReplies.create', { title: 'documents  NEEDED', texts: { en: 'x' } });
    expect(!duplicate.ok && duplicate.error.message).toBe('There is already a quick reply called “documents  NEEDED”.');
    // assistants use them, and may not write them
    expect((await assistant.call('quickReplies.create', { title: 'Mine', texts: { en: 'x' } })).ok).toBe(false);
    const rendered = await assistant.ok<{ text: string; language: string }>('quickReplies.render', { id: created.id, conversationId: id });
    const reference = (core.services.store.prepare('SELECT reference FROM matters').get() as { reference: string }).reference;
    expect(rendered).toEqual({ language: 'pt-BR', text: `Olá Carla, envie o contrato de locação do caso ${reference}. Atendemos seg.–sex. 09:00–18:00.` });
    const none = await lawyer.call('quickReplies.create', { title: 'Empty', texts: { en: '  ' } });
    expect(!none.ok && none.error.message).toBe('Write the quick reply in at least one language.');
  });

  test('search: accents folded, prefixes, newest first, marks, notes and matters; any string is a safe query', async () => {
    const assistant = doorAs(core, 'assistant');
    const lawyer = doorAs(core, 'lawyer');
    await say('351910000002', 'hi', 'Zoë');
    await say('351910000002', 'My employer refused the severance payment');
    await say('351910000003', 'hi', 'José');
    await say('351910000003', 'Pergunta sobre indemnização e a severance');
    const id = (core.services.store.prepare('SELECT id FROM conversations WHERE whatsapp = ?').get('351910000002') as { id: number }).id;
    clock.advance(30_000);
    await assistant.ok('inbox.addNote', { conversationId: id, text: 'Zoë called about the sevérance again' });

    const found = await assistant.ok<{ items: { kind: string; title: string; snippet: string }[]; indexing: { done: boolean } }>('inbox.search', { query: 'severance' });
    expect(found.items.map((i) => i.kind)).toEqual(['note', 'message', 'message']);
    expect(found.items[1]!.snippet).toContain('\u0002severance\u0003');
    expect(found.items[1]!.title).toBe('José');
    expect(found.indexing.done).toBe(true);
    expect((await assistant.ok<{ items: unknown[] }>('inbox.search', { query: 'indemnizacao' })).items).toHaveLength(1);
    expect((await assistant.ok<{ items: unknown[] }>('inbox.search', { query: 'sever' })).items).toHaveLength(3);
    expect((await assistant.ok<{ items: unknown[] }>('inbox.search', { query: 'zoe called' })).items).toHaveLength(1);

    // a lawyer also finds clients and matters by name, number and reference
    for (const text of ['1', 'yes', 'Zoë Almeida', '2', 'Unpaid severance.', 'Construtora Horizonte', 'none', 'yes']) await say('351910000002', text);
    const matters = await lawyer.ok<{ items: { kind: string; title: string }[] }>('inbox.search', { query: 'zoe almeida' });
    expect(matters.items.map((i) => i.kind)).toContain('client');
    expect((await assistant.ok<{ items: { kind: string }[] }>('inbox.search', { query: 'horizonte' })).items.map((i) => i.kind)).not.toContain('matter');
    expect((await lawyer.ok<{ items: { kind: string }[] }>('inbox.search', { query: 'horizonte' })).items.map((i) => i.kind)).toContain('matter');

    const empty = await assistant.call('inbox.search', { query: '  ' });
    expect(!empty.ok && empty.error.message).toBe('The search is empty.');
    const huge = await assistant.call('inbox.search', { query: 'a'.repeat(100_000) });
    expect(!huge.ok && huge.error.message).toBe('The search is too long: at most 200 characters.');

    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('"', '*', 'NEAR(a b)', '-x', 'a OR b', 'col:x', '^', '"unterminated', '(', ')', 'AND', '{}')), async (query) => {
        const result = await assistant.call('inbox.search', { query });
        if (!result.ok) expect(result.error.code).toBe('invalid_input');
      }),
      { numRuns: 150 },
    );
  });

  test('messages stored before the search existed are indexed in steps, and the search says so meanwhile', async () => {
    await say('351910000002', 'hi', 'Ana');
    await say('351910000002', 'A question about the alimony');
    const store = core.services.store;
    // as a database from before the search: the index empty, every message still to index
    store.sqlite.exec(`INSERT INTO messages_fts (messages_fts) VALUES ('delete-all')`);
    const max = (store.prepare('SELECT MAX(id) AS n FROM conversation_messages').get() as { n: number }).n;
    store.prepare("UPDATE search_backfill SET upto = ?, indexed_to = 0 WHERE source = 'messages'").run(max);
    const assistant = doorAs(core, 'assistant');
    const before = await assistant.ok<{ items: unknown[]; indexing: { done: boolean; fraction: number } }>('inbox.search', { query: 'alimony' });
    expect(before).toMatchObject({ items: [], indexing: { done: false, fraction: 0 } });
    expect(indexingState(store).done).toBe(false);
    while (backfillStep(store, 1));
    const after = await assistant.ok<{ items: unknown[]; indexing: { done: boolean } }>('inbox.search', { query: 'alimony' });
    expect(after.items).toHaveLength(1);
    expect(after.indexing.done).toBe(true);
  });
});
