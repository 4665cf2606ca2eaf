import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { tempDir } from '../support/server.js';
import { FAST_SENDS, OPEN_ALL_WEEK } from '../support/office.js';

/**
 * The whole conversation, scripted through the WhatsApp simulator: each client
 * message goes in with `simulator.clientSend` (stored in the inbound ledger like a
 * real one), the bot consumes the ledger, and its replies go out through the
 * durable outbox and its sender to the simulated phone, read back with
 * `simulator.clientInbox`.
 */

const CLOSED_ALL_WEEK = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };

let dataDir: string;
let core: TestCore;

async function boot(): Promise<void> {
  core = await startTestCore({ dataDir, env: FAST_SENDS });
  // the simulated phone is linked; wait for the link to be ready, as a client's message would
  for (let i = 0; i < 500 && core.services.whatsapp.status().state !== 'ready'; i++) await sleep(10);
  expect(core.services.whatsapp.status().state).toBe('ready');
}

beforeEach(async () => {
  dataDir = tempDir();
  await boot();
  const admin = doorAs(core, 'admin');
  const s = core.services.bot.settings.get();
  await admin.ok('botSettings.update', { section: 'profile', value: { ...s.profile, name: 'Silva & Partners' } });
  await admin.ok('botSettings.update', { section: 'hours', value: { timeZone: 'Europe/Lisbon', week: OPEN_ALL_WEEK, closedDates: [] } });
});

afterEach(async () => {
  await core.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Waits until the bot has read every stored message and the outbox has sent everything. */
async function settled(): Promise<void> {
  for (let i = 0; i < 400; i++) {
    await core.services.bot.drained();
    if (core.services.whatsapp.outbox.depth() === 0) return;
    await sleep(10);
  }
  throw new Error('the outbox did not empty');
}

/** A client on the simulated phone: `say` sends a message and returns what the office sent back. */
function client(number: string, name = 'Client') {
  const admin = doorAs(core, 'admin');
  let seen = 0;
  const inbox = async () =>
    (await admin.ok<{ messages: { text: string | null; fileName: string | null }[] }>('simulator.clientInbox', { from: number })).messages;
  return {
    number,
    async start() {
      seen = (await inbox()).length;
    },
    async say(text: string): Promise<string> {
      await admin.ok('simulator.clientSend', { from: number, name, text });
      await settled();
      const all = await inbox();
      const fresh = all.slice(seen).map((m) => (m.fileName ? `[${m.fileName}] ${m.text ?? ''}` : (m.text ?? '')));
      seen = all.length;
      return fresh.join('\n---\n');
    },
    async received(): Promise<{ text: string | null; fileName: string | null }[]> {
      await settled();
      const all = await inbox();
      const fresh = all.slice(seen);
      seen = all.length;
      return fresh;
    },
  };
}

async function intake(
  who: ReturnType<typeof client>,
  answers: { name: string; area: string; description: string; opposing: string; deadline: string },
): Promise<string> {
  for (const text of ['hello', '1', 'yes', answers.name, answers.area, answers.description, answers.opposing, answers.deadline]) await who.say(text);
  const confirmation = await who.say('yes');
  const reference = /\*(\d{4}-\d{4,})\*/.exec(confirmation)?.[1];
  expect(reference, confirmation).toBeDefined();
  return reference!;
}

const matter = (reference: string) =>
  core.services.store.prepare('SELECT id, conflict_state FROM matters WHERE reference = ?').get(reference) as { id: number; conflict_state: string };

describe('the legal bot through the WhatsApp simulator', () => {
  test('consent "no" ends politely and stores nothing personal', async () => {
    const ana = client('351910000001', 'Ana');
    expect(await ana.say('Hi')).toMatch(/Silva & Partners[\s\S]*1\. New matter[\s\S]*not legal advice/);
    expect(await ana.say('1')).toMatch(/Do you agree\? Reply YES or NO/);
    expect(await ana.say('No')).toMatch(/We will not keep your details: this conversation is erased within 24 hours/);
    const count = (table: string) => (core.services.store.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect(count('consents')).toBe(0);
    expect(count('clients')).toBe(0);
  });

  test('intake with a correction: client, matter, consent record, and the PDF on the phone', async () => {
    const jose = client('5511987654321', 'José');
    await jose.say('Olá');
    expect(await jose.say('new matter')).toMatch(/Privacy notice version 1/);
    expect(await jose.say('YES')).toMatch(/full name/);
    expect(await jose.say('Jose Nunez')).toMatch(/1\. Family/);
    expect(await jose.say('2')).toMatch(/what happened/);
    expect(await jose.say('My employer has not paid me for three months.')).toMatch(/other party/);
    expect(await jose.say('Construtora Horizonte Ltda')).toMatch(/deadline/);
    expect(await jose.say('none')).toContain('1. Name: Jose Nunez');
    expect(await jose.say('1')).toMatch(/full name/);
    expect(await jose.say('José Núñez García')).toContain('1. Name: José Núñez García');
    // the confirmation, then the intake PDF drawn in the background, both on the phone
    const confirmation = await jose.say('yes');
    const reference = /registered with reference \*(\d{4}-0001)\*/.exec(confirmation)?.[1];
    expect(reference, confirmation).toBeDefined();
    expect(confirmation.split('\n---\n').at(-1)).toBe(`[intake-${reference}.pdf] Intake summary ${reference}`);
    const consent = core.services.store.prepare('SELECT notice_version, client_id FROM consents').get() as { notice_version: string; client_id: number };
    expect(consent.notice_version).toBe('1');
    expect(consent.client_id).toBeGreaterThan(0);
  });

  test('the conflict check: accent and word-order variants are hits, other names are not, and the client is never told', async () => {
    const jose = client('5511987654321', 'José');
    const first = await intake(jose, { name: 'José Núñez García', area: '2', description: 'Unpaid wages.', opposing: 'Construtora Horizonte Ltda', deadline: 'none' });
    expect(matter(first).conflict_state).toBe('none');
    const company = client('551130000000', 'Horizonte');
    const second = await intake(company, {
      name: 'CONSTRUTORA HORIZONTE S.A.',
      area: '5',
      description: 'A former employee claims wages.',
      opposing: 'Garcia, Jose Nunez',
      deadline: 'none',
    });
    expect(matter(second).conflict_state).toBe('possible');
    const hits = core.services.store.prepare('SELECT direction, matched_name FROM conflict_hits WHERE matter_id = ? ORDER BY direction').all(matter(second).id);
    expect(hits).toEqual([
      { direction: 'client_is_opposing', matched_name: 'Construtora Horizonte Ltda' },
      { direction: 'opposing_is_client', matched_name: 'José Núñez García' },
    ]);
    await company.received();
    const everything = (await doorAs(core, 'admin').ok<{ messages: { text: string | null }[] }>('simulator.clientInbox', { from: company.number })).messages
      .map((m) => m.text ?? '')
      .join('\n');
    expect(everything).not.toMatch(/José Núñez García|Construtora Horizonte Ltda|possible conflict/i);

    const other = client('351910000005', 'Joana');
    const third = await intake(other, { name: 'Joana Nunes', area: '1', description: 'Divorce by mutual consent.', opposing: 'Pedro Fernandes', deadline: 'none' });
    expect(matter(third).conflict_state).toBe('none');
  });

  test('status for the right client, and nothing for another number', async () => {
    const jose = client('5511987654321', 'José');
    const reference = await intake(jose, { name: 'José Núñez', area: '2', description: 'Unpaid wages.', opposing: 'none', deadline: 'none' });
    await doorAs(core, 'lawyer').ok('matters.update', { matterId: matter(reference).id, status: 'active', nextStep: 'Hearing on 3 March at 10:00' });
    const status = await jose.say('2');
    expect(status).toContain(`*${reference}* (Employment): in progress.`);
    expect(status).toContain('Next step: Hearing on 3 March at 10:00');
    const stranger = client('447700900123', 'Stranger');
    await stranger.say('hi');
    const refused = await stranger.say('status of my matter');
    expect(refused).toMatch(/no matter registered for this number/);
    expect(refused).not.toContain(reference);
  });

  test('hand-off: silence until staff hand the conversation back; the staff reply reaches the phone', async () => {
    const ana = client('351910000001', 'Ana');
    await ana.say('hi');
    expect(await ana.say('3')).toMatch(/member of our team will reply here shortly/);
    expect(await ana.say('hello?')).toBe('');
    expect(await ana.say('menu')).toBe('');
    const assistant = doorAs(core, 'assistant', { principal: { displayName: 'Marta' } });
    const [waiting] = (await assistant.ok<{ items: { id: number }[] }>('inbox.list', { filter: 'waiting' })).items;
    await assistant.ok('inbox.takeOver', { conversationId: waiting!.id });
    await assistant.ok('inbox.reply', { conversationId: waiting!.id, text: 'Good morning Ana, how can I help?' });
    expect((await ana.received()).map((m) => m.text)).toEqual(['Good morning Ana, how can I help?\n\n— Marta, Silva & Partners']);
    // the thread shows the reply as read: the client's phone got it and the client looked at the chat
    const thread = await assistant.ok<{ messages: { author: string; delivery: string }[] }>('inbox.thread', { conversationId: waiting!.id });
    expect(thread.messages.filter((m) => m.author === 'staff').map((m) => m.delivery)).toEqual(['read']);
    expect(await ana.say('I need to change my appointment')).toBe('');
    await assistant.ok('inbox.handBack', { conversationId: waiting!.id });
    expect((await ana.received())[0]!.text).toMatch(/automated assistant again/);
    expect(await ana.say('4')).toMatch(/Opening hours: Mon–Sun 00:00–23:59/);
  });

  test('a reply WhatsApp refused shows as not sent, and an assistant sends it again from the thread', async () => {
    const ana = client('351910000001', 'Ana');
    await ana.say('hi');
    await ana.say('3');
    const assistant = doorAs(core, 'assistant', { principal: { displayName: 'Marta' } });
    const [waiting] = (await assistant.ok<{ items: { id: number }[] }>('inbox.list', { filter: 'waiting' })).items;
    const { messageId } = await assistant.ok<{ messageId: number }>('inbox.reply', { conversationId: waiting!.id, text: 'Good morning Ana.' });
    await ana.received();
    // WhatsApp refused it after its last try (as the outbox records a refusal)
    const store = core.services.store;
    const { outbox_id } = store.prepare('SELECT outbox_id FROM conversation_messages WHERE id = ?').get(messageId) as { outbox_id: number };
    store.prepare("UPDATE whatsapp_outbox SET status = 'failed', last_error = 'The number is not on WhatsApp.', failed_at = 1 WHERE id = ?").run(outbox_id);
    const failed = await assistant.ok<{ messages: { id: number; delivery: string; error: string | null }[] }>('inbox.thread', { conversationId: waiting!.id });
    expect(failed.messages.find((m) => m.id === messageId)).toMatchObject({ delivery: 'failed', error: 'The number is not on WhatsApp.' });
    await assistant.ok('inbox.retry', { conversationId: waiting!.id, messageId });
    expect((await ana.received()).map((m) => m.text)).toEqual(['Good morning Ana.\n\n— Marta, Silva & Partners']);
    const again = await assistant.call('inbox.retry', { conversationId: waiting!.id, messageId });
    expect(!again.ok && again.error.message).toBe('That message was not refused, so there is nothing to send again.');
    const inbound = failed.messages[0]!.id;
    const notOurs = await assistant.call('inbox.retry', { conversationId: waiting!.id, messageId: inbound });
    expect(!notOurs.ok && notOurs.error.code).toBe('not_found');
  });

  test('the send limits IT configured show in Settings, and the admin’s replace them in the link', async () => {
    const admin = doorAs(core, 'admin');
    const before = await admin.ok<{ settings: { sendLimits: { perMinute: number; perChatSeconds: number } } }>('botSettings.get', {});
    expect(before.settings.sendLimits).toEqual({ perMinute: 60000, perChatSeconds: 0 });
    const applied: unknown[] = [];
    const whatsapp = core.services.whatsapp;
    const original = whatsapp.setSendLimits.bind(whatsapp);
    whatsapp.setSendLimits = (limits) => {
      applied.push(limits);
      original(limits);
    };
    await admin.ok('botSettings.update', { section: 'sendLimits', value: { perMinute: 12, perChatSeconds: 2.5 } });
    expect(applied).toEqual([{ perMinute: 12, chatSpacingMs: 2500 }]);
    const after = await admin.ok<{ settings: { sendLimits: unknown } }>('botSettings.get', {});
    expect(after.settings.sendLimits).toEqual({ perMinute: 12, perChatSeconds: 2.5 });
  });

  test('out of hours the bot says so once, and still takes the intake', async () => {
    await doorAs(core, 'admin').ok('botSettings.update', { section: 'hours', value: { timeZone: 'Europe/Lisbon', week: CLOSED_ALL_WEEK, closedDates: [] } });
    const ana = client('351910000001', 'Ana');
    expect(await ana.say('hi')).toMatch(/closed right now\. Opening hours: by appointment/);
    const second = await ana.say('1');
    expect(second).not.toMatch(/closed/);
    expect(second).toMatch(/Do you agree/);
    expect(await ana.say('yes')).toMatch(/full name/);
  });

  test('"menu" returns to the menu from every step of the intake', async () => {
    const ana = client('351910000001', 'Ana');
    await ana.say('hi');
    const replies = ['1', 'yes', 'Ana Souza', '1', 'Custody of my son', 'none', 'none'];
    for (let depth = 0; depth <= replies.length; depth++) {
      for (const r of replies.slice(0, depth)) await ana.say(r);
      expect(await ana.say('Menu'), `after ${depth} answers`).toMatch(/^How can we help\?/);
    }
  });

  test('a restart in the middle of the intake continues where it was', async () => {
    const ana = client('351910000001', 'Ana');
    for (const text of ['hi', '1', 'yes', 'Ana Souza']) await ana.say(text);
    expect(await ana.say('family')).toMatch(/what happened/);
    await core.stop();
    await boot();
    const again = client('351910000001', 'Ana');
    await again.start();
    expect(await again.say('We are separating and need to agree on custody.')).toMatch(/other party/);
    await again.say('Bruno Souza');
    const summary = await again.say('none');
    expect(summary).toContain('1. Name: Ana Souza');
    expect(summary).toContain('2. Area: Family');
    expect(await again.say('yes')).toMatch(/registered with reference/);
  });
});
