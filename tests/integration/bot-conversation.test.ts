import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ManualClock } from '../../main/core/clock.js';
import type { MatterDetail } from '../../shared/contract/bot.js';
import { attachTestLink, type TestLink } from '../support/bot-link.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { tempDir } from '../support/server.js';

/**
 * The whole conversation, scripted, against the bot's engine and a real SQLite
 * database. The link stands in for WhatsApp with the same contract (outbox rows
 * in the same transaction as the step).
 */

// Monday 5 January 2026, 10:00 in Lisbon: the office is open.
const OPEN = '2026-01-05T10:00:00Z';

let dataDir: string;
let clock: ManualClock;
let core: TestCore;
let link: TestLink;

async function boot(): Promise<void> {
  core = await startTestCore({ dataDir, deps: { clock } });
  link = await attachTestLink(core);
}

beforeEach(async () => {
  dataDir = tempDir();
  clock = new ManualClock(OPEN);
  await boot();
  const bot = core.services.bot.settings;
  bot.set('profile', { ...bot.get().profile, name: 'Silva & Partners', phone: '+351 21 000 0000' }, null);
  bot.set('hours', { ...bot.get().hours, timeZone: 'Europe/Lisbon' }, null);
});

afterEach(async () => {
  await core.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A client on WhatsApp: `say` sends a message and returns what the office sent back. */
function client(number: string) {
  let seen = link.sentTo(number).length;
  return {
    number,
    async say(text: string): Promise<string> {
      clock.advance(30_000);
      await link.deliver(number, text);
      const sent = link.sentTo(number);
      const fresh = sent.slice(seen).map((m) => m.text ?? m.fileName ?? '');
      seen = sent.length;
      return fresh.join('\n---\n');
    },
    /** what arrived since the last `say` (PDFs made in the background) */
    received() {
      const sent = link.sentTo(number);
      const fresh = sent.slice(seen);
      seen = sent.length;
      return fresh;
    },
  };
}

async function intake(
  who: ReturnType<typeof client>,
  answers: { name: string; area: string; description: string; opposing: string; deadline: string },
): Promise<string> {
  await who.say('hello');
  await who.say('1');
  await who.say('yes');
  await who.say(answers.name);
  await who.say(answers.area);
  await who.say(answers.description);
  await who.say(answers.opposing);
  await who.say(answers.deadline);
  const confirmation = await who.say('yes');
  const reference = /\*(\d{4}-\d{4})\*/.exec(confirmation)?.[1];
  expect(reference, confirmation).toBeDefined();
  return reference!;
}

function matterByReference(reference: string) {
  return core.services.store.prepare('SELECT * FROM matters WHERE reference = ?').get(reference) as
    | { id: number; client_id: number; conflict_state: string; status: string }
    | undefined;
}

describe('the legal bot, scripted', () => {
  test('consent "no" ends politely and stores nothing personal', async () => {
    const ana = client('351910000001');
    expect(await ana.say('Hi')).toMatch(/Silva & Partners[\s\S]*1\. New matter[\s\S]*not legal advice/);
    expect(await ana.say('1')).toMatch(/Do you agree\? Reply YES or NO/);
    expect(await ana.say('No')).toMatch(/We will not keep your details: this conversation is erased within 24 hours/);
    const store = core.services.store;
    expect(store.prepare('SELECT COUNT(*) AS n FROM consents').get()).toEqual({ n: 0 });
    expect(store.prepare('SELECT COUNT(*) AS n FROM clients').get()).toEqual({ n: 0 });
  });

  test('intake with consent and a correction creates the client, the matter, the consent record and sends the PDF', async () => {
    const jose = client('5511987654321');
    await jose.say('Olá');
    expect(await jose.say('new matter')).toMatch(/Privacy notice version 1/);
    expect(await jose.say('YES')).toMatch(/full name/);
    expect(await jose.say('Jose Nunez')).toMatch(/1\. Family/);
    expect(await jose.say('2')).toMatch(/what happened/);
    expect(await jose.say('My employer has not paid me for three months.')).toMatch(/other party/);
    expect(await jose.say('Construtora Horizonte Ltda')).toMatch(/deadline/);
    const summary = await jose.say('none');
    expect(summary).toContain('1. Name: Jose Nunez');
    expect(summary).toContain('5. Deadline: none');
    expect(await jose.say('1')).toMatch(/full name/);
    const corrected = await jose.say('José Núñez García');
    expect(corrected).toContain('1. Name: José Núñez García');
    expect(corrected).toContain('2. Area: Employment');
    const confirmation = await jose.say('yes');
    expect(confirmation).toMatch(/registered with reference \*2026-0001\*/);

    const store = core.services.store;
    const clientRow = store.prepare('SELECT * FROM clients WHERE whatsapp = ?').get('5511987654321') as { id: number; name: string };
    expect(clientRow.name).toBe('José Núñez García');
    const matter = matterByReference('2026-0001')!;
    expect(matter).toMatchObject({ client_id: clientRow.id, status: 'intake', conflict_state: 'none' });
    const consent = store.prepare('SELECT * FROM consents').get() as { notice_version: string; at: string; client_id: number };
    expect(consent).toMatchObject({ notice_version: '1', client_id: clientRow.id });
    expect(Date.parse(consent.at)).toBeGreaterThan(Date.parse(OPEN));

    await core.services.bot.drained();
    const pdf = jose.received();
    expect(pdf).toHaveLength(1);
    expect(pdf[0]).toMatchObject({ kind: 'document', fileName: 'intake-2026-0001.pdf' });
    expect((await link.bytesOf(pdf[0]!.documentId!)).subarray(0, 5).toString()).toBe('%PDF-');

    // the staff inbox shows the new intake
    const assistant = doorAs(core, 'assistant');
    const inbox = await assistant.ok<{ items: { displayName: string; lastIntake: { reference: string } | null }[] }>('inbox.list', {});
    expect(inbox.items[0]).toMatchObject({ displayName: 'José Núñez García', lastIntake: { reference: '2026-0001' } });
  });

  test('the conflict check flags accent and word-order variants, misses other names, and never tells the client', async () => {
    const jose = client('5511987654321');
    const first = await intake(jose, {
      name: 'José Núñez García',
      area: 'Employment',
      description: 'Unpaid wages for three months.',
      opposing: 'Construtora Horizonte Ltda',
      deadline: 'none',
    });
    expect(matterByReference(first)!.conflict_state).toBe('none');

    // the company José is suing writes in: its name matches an opposing party on record
    const company = client('551130000000');
    const second = await intake(company, {
      name: 'CONSTRUTORA HORIZONTE S.A.',
      area: 'Business and contracts',
      description: 'A former employee claims wages.',
      opposing: 'Garcia, Jose Nunez',
      deadline: '20/02/2026',
    });
    // nothing the company receives names the other client, their matter, or a conflict
    await core.services.bot.drained();
    const toCompany = link.sentTo(company.number).map((m) => m.text ?? '').join('\n');
    expect(toCompany).toMatch(/reference \*2026-0002\*/);
    expect(toCompany).not.toMatch(/José Núñez García|Construtora Horizonte Ltda|2026-0001|possible conflict/i);
    const hits = core.services.store
      .prepare('SELECT direction, matched_name, score FROM conflict_hits WHERE matter_id = ? ORDER BY direction')
      .all(matterByReference(second)!.id) as { direction: string; matched_name: string; score: number }[];
    expect(hits).toEqual([
      { direction: 'client_is_opposing', matched_name: 'Construtora Horizonte Ltda', score: 1 },
      { direction: 'opposing_is_client', matched_name: 'José Núñez García', score: 1 },
    ]);
    expect(matterByReference(second)!.conflict_state).toBe('possible');

    // a typo in the other party's name is still a near match
    const typo = client('351910000004');
    const third = await intake(typo, {
      name: 'Rita Lopes',
      area: 'Consumer',
      description: 'A defective washing machine.',
      opposing: 'Jose Nunes Garcia',
      deadline: 'none',
    });
    const near = core.services.store.prepare('SELECT matched_name, score FROM conflict_hits WHERE matter_id = ?').all(matterByReference(third)!.id) as {
      matched_name: string;
      score: number;
    }[];
    expect(near.map((h) => h.matched_name)).toEqual(['José Núñez García']);
    expect(near[0]!.score).toBeGreaterThan(0.75);
    expect(near[0]!.score).toBeLessThan(1);

    // different people are no conflict
    const other = client('351910000005');
    const fourth = await intake(other, {
      name: 'Joana Nunes',
      area: 'Family',
      description: 'Divorce by mutual consent.',
      opposing: 'Pedro Fernandes',
      deadline: 'none',
    });
    expect(matterByReference(fourth)!.conflict_state).toBe('none');

    // a lawyer sees the hit and clears it; an assistant may not
    const lawyer = doorAs(core, 'lawyer', { principal: { displayName: 'Dr. Helena Costa' } });
    const detail = await lawyer.ok<MatterDetail>('matters.get', { matterId: matterByReference(second)!.id });
    expect(detail.conflicts).toHaveLength(2);
    const assistantTry = await doorAs(core, 'assistant').call('conflicts.clear', { hitId: detail.conflicts[0]!.id });
    expect(assistantTry).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await lawyer.ok('conflicts.clear', { hitId: detail.conflicts[0]!.id, note: 'Same company, we act for it in another matter.' });
    const after = await lawyer.ok<MatterDetail>('conflicts.clear', { hitId: detail.conflicts[1]!.id });
    expect(after.conflictState).toBe('cleared');
    expect(after.conflicts.every((h) => h.cleared?.byName === 'Dr. Helena Costa')).toBe(true);
  });

  test('status answers a client with its own matters only, and offers intake to another number', async () => {
    const jose = client('5511987654321');
    const reference = await intake(jose, {
      name: 'José Núñez',
      area: '2',
      description: 'Unpaid wages.',
      opposing: 'none',
      deadline: 'none',
    });
    const lawyer = doorAs(core, 'lawyer');
    await lawyer.ok('matters.update', { matterId: matterByReference(reference)!.id, status: 'active', nextStep: 'Hearing on 3 March at 10:00' });

    const status = await jose.say('2');
    expect(status).toContain(`*${reference}* (Employment): in progress.`);
    expect(status).toContain('Next step: Hearing on 3 March at 10:00');

    const stranger = client('447700900123');
    await stranger.say('hi');
    const refused = await stranger.say('status of my matter');
    expect(refused).toMatch(/no matter registered for this number/);
    expect(refused).not.toContain(reference);
    expect(refused).not.toContain('Hearing');
  });

  test('hand-off: the bot stays silent until staff hand the conversation back', async () => {
    const ana = client('351910000001');
    await ana.say('hi');
    expect(await ana.say('3')).toMatch(/member of our team will reply here shortly/);
    expect(await ana.say('hello?')).toBe('');
    expect(await ana.say('menu')).toBe('');

    const assistant = doorAs(core, 'assistant', { principal: { displayName: 'Marta' } });
    const waiting = await assistant.ok<{ items: { id: number; mode: string }[] }>('inbox.list', { filter: 'waiting' });
    expect(waiting.items).toHaveLength(1);
    const conversationId = waiting.items[0]!.id;
    await assistant.ok('inbox.takeOver', { conversationId });
    await assistant.ok('inbox.reply', { conversationId, text: 'Good morning Ana, how can I help?' });
    expect(ana.received().map((m) => m.text)).toEqual(['Good morning Ana, how can I help?\n\n— Marta, Silva & Partners']);
    expect(await ana.say('I need to change my appointment')).toBe('');

    await assistant.ok('inbox.handBack', { conversationId });
    expect(ana.received()[0]!.text).toMatch(/automated assistant again/);
    expect(await ana.say('4')).toMatch(/Opening hours: Mon–Fri 09:00–18:00/);
  });

  test('three misunderstandings hand the conversation to staff', async () => {
    const ana = client('351910000001');
    await ana.say('hi');
    await ana.say('banana');
    await ana.say('pineapple');
    expect(await ana.say('mango')).toMatch(/passing you to a person/);
    expect(await ana.say('1')).toBe('');
  });

  test('out of hours the bot says so once, and still takes the intake', async () => {
    clock.set('2026-01-05T21:30:00Z');
    const ana = client('351910000001');
    const first = await ana.say('hi');
    expect(first).toMatch(/closed right now\. Opening hours: Mon–Fri 09:00–18:00/);
    const second = await ana.say('1');
    expect(second).not.toMatch(/closed/);
    expect(second).toMatch(/Do you agree/);
    expect(await ana.say('yes')).toMatch(/full name/);
  });

  test('"menu" returns to the menu from every step of the intake', async () => {
    const ana = client('351910000001');
    await ana.say('hi');
    const replies = ['1', 'yes', 'Ana Souza', '1', 'Custody of my son', 'none', 'none'];
    for (let depth = 0; depth <= replies.length; depth++) {
      for (const r of replies.slice(0, depth)) await ana.say(r);
      expect(await ana.say('Menu'), `after ${depth} answers`).toMatch(/^How can we help\?/);
    }
  });

  test('"delete my data" is recorded as a request for staff', async () => {
    const ana = client('351910000001');
    await ana.say('hi');
    expect(await ana.say('Delete my data')).toMatch(/recorded your request to delete your data/);
    const requests = await doorAs(core, 'assistant').ok<{ items: { kind: string; whatsapp: string }[] }>('dataRequests.list', {});
    expect(requests.items).toEqual([expect.objectContaining({ kind: 'erase', whatsapp: '351910000001' })]);
  });

  test('a restart in the middle of the intake continues where it was', async () => {
    const ana = client('351910000001');
    await ana.say('hi');
    await ana.say('1');
    await ana.say('yes');
    await ana.say('Ana Souza');
    expect(await ana.say('family')).toMatch(/what happened/);

    await core.stop();
    await boot();

    const again = client('351910000001');
    expect(await again.say('We are separating and need to agree on custody.')).toMatch(/other party/);
    await again.say('Bruno Souza');
    const summary = await again.say('none');
    expect(summary).toContain('1. Name: Ana Souza');
    expect(summary).toContain('2. Area: Family');
    expect(await again.say('yes')).toMatch(/reference \*2026-0001\*/);
  });

  test('an intake PDF not yet made when LexDesk stops is made and sent once after the restart', async () => {
    const pending = (store: typeof core.services.store) =>
      (store.prepare("SELECT COUNT(*) AS n FROM pdf_jobs WHERE status = 'pending'").get() as { n: number }).n;
    // the PDF queue stops first, as if the process died right after the intake's commit
    await core.services.bot.pdfs.stop();
    const ana = client('351910000001');
    await intake(ana, { name: 'Ana Souza', area: '1', description: 'Custody of my son.', opposing: 'none', deadline: 'none' });
    expect(pending(core.services.store)).toBe(1);
    expect(link.sentTo('351910000001').filter((m) => m.kind === 'document')).toEqual([]);
    await core.stop();

    await boot();
    await core.services.bot.drained();
    expect(pending(core.services.store)).toBe(0);
    const documents = link.sentTo('351910000001').filter((m) => m.kind === 'document');
    expect(documents.map((d) => d.fileName)).toEqual(['intake-2026-0001.pdf']);
  });
});
