import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { tempDir } from '../support/server.js';
import { FAST_SENDS, OPEN_ALL_WEEK } from '../support/office.js';

/**
 * Whole conversations in Portuguese and Spanish through the WhatsApp simulator,
 * from the first message to the intake PDF in the client's language (read back
 * with pdftotext); the language chosen from the message, the number, a request;
 * a change of language mid-conversation by the client and by staff.
 */

const TZ = 'America/Sao_Paulo';

let dataDir: string;
let core: TestCore;

async function office(behaviour: { language: string; languages: string[] }, practiceAreas: string[]): Promise<void> {
  const admin = doorAs(core, 'admin');
  const s = core.services.bot.settings.get();
  await admin.ok('botSettings.update', { section: 'profile', value: { ...s.profile, name: 'Araújo & Peña Advogados' } });
  await admin.ok('botSettings.update', { section: 'hours', value: { timeZone: TZ, week: OPEN_ALL_WEEK, closedDates: [] } });
  await admin.ok('botSettings.update', { section: 'practiceAreas', value: practiceAreas });
  await admin.ok('botSettings.update', { section: 'behaviour', value: { ...s.behaviour, ...behaviour } });
}

beforeEach(async () => {
  dataDir = tempDir();
  core = await startTestCore({ dataDir, env: FAST_SENDS });
  for (let i = 0; i < 500 && core.services.whatsapp.status().state !== 'ready'; i++) await sleep(10);
  expect(core.services.whatsapp.status().state).toBe('ready');
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

/** A client on the simulated phone: `say` sends a message and returns what the office sent back. */
function client(number: string, name: string) {
  const admin = doorAs(core, 'admin');
  let seen = 0;
  const inbox = async () =>
    (await admin.ok<{ messages: { text: string | null; fileName: string | null }[] }>('simulator.clientInbox', { from: number })).messages;
  return {
    number,
    async say(text: string): Promise<string> {
      await admin.ok('simulator.clientSend', { from: number, name, text });
      await settled();
      const all = await inbox();
      const fresh = all.slice(seen).map((m) => (m.fileName ? `[${m.fileName}] ${m.text ?? ''}` : (m.text ?? '')));
      seen = all.length;
      return fresh.join('\n---\n');
    },
    /** what arrived since the last `say` (PDFs made in the background, staff messages) */
    async received(): Promise<string> {
      for (let i = 0; i < 300; i++) {
        await settled();
        const all = await inbox();
        if (all.length > seen) {
          const fresh = all.slice(seen).map((m) => (m.fileName ? `[${m.fileName}] ${m.text ?? ''}` : (m.text ?? '')));
          seen = all.length;
          return fresh.join('\n---\n');
        }
        await sleep(20);
      }
      return '';
    },
  };
}

/** The calendar date `days` from today in the office's time zone, as YYYY-MM-DD. */
function officeDay(days: number): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const [y, m, d] = parts.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

const inWords = (date: string, locale: string) =>
  new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${date}T12:00:00Z`));

const matterOf = (reference: string) =>
  core.services.store.prepare('SELECT id, language, deadline, deadline_date, practice_area FROM matters WHERE reference = ?').get(reference) as {
    id: number;
    language: string;
    deadline: string;
    deadline_date: string | null;
    practice_area: string;
  };

/** The text of the matter's intake PDF, as pdftotext reads it. */
async function pdfText(matterId: number): Promise<string> {
  const lawyer = doorAs(core, 'lawyer');
  for (let i = 0; i < 300; i++) {
    const detail = await lawyer.ok<{ documents: { id: number; source: string }[] }>('matters.get', { matterId });
    const pdf = detail.documents.find((d) => d.source === 'intake');
    if (pdf) {
      const { data } = await core.services.documents.store.readAll(pdf.id);
      const path = join(dataDir, `intake-${matterId}.pdf`);
      writeFileSync(path, data);
      return execFileSync('pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8' });
    }
    await sleep(20);
  }
  throw new Error('no intake PDF');
}

const reference = (text: string) => {
  const found = /\*(\d{4}-\d{4,})\*/.exec(text)?.[1];
  expect(found, text).toBeDefined();
  return found!;
};

describe('the bot in the client’s language', () => {
  test('Portuguese, the office default: a whole intake from "preciso de ajuda com um divórcio" to the PDF', async () => {
    await office({ language: 'pt-BR', languages: ['en', 'es'] }, ['Família', 'Trabalhista', 'Consumidor', 'Criminal', 'Outros']);
    const jose = client('5511987654321', 'José');

    const first = await jose.say('Olá… preciso de ajuda com um divórcio');
    expect(first).toContain('assistente virtual de Araújo & Peña Advogados');
    // the area named starts the intake: the privacy notice in Portuguese comes first
    expect(first).toContain('Antes de pedirmos seus dados');
    expect(first).toMatch(/Você concorda\? Responda SIM ou NÃO/);
    // a new client is told once how to choose the office's other languages
    expect(first).toContain('For English, reply EN.');
    expect(first).toContain('Para español, responda ES.');
    expect(first).not.toMatch(/Sorry|didn't understand/);

    expect(await jose.say('sim')).toMatch(/Seu consentimento foi registrado[\s\S]*Qual é o seu nome completo\?/);
    // the area named at first is offered for confirmation
    expect(await jose.say('José da Silva Araújo')).toMatch(/seu caso é da área de \*Família\*\. Está correto\?/);
    expect(await jose.say('isso mesmo')).toMatch(/conte o que aconteceu/);
    expect(await jose.say('Meu marido saiu de casa, quero o divórcio e a guarda das crianças.')).toMatch(/parte contrária/);
    expect(await jose.say('Carlos Araújo')).toMatch(/prazo ou audiência/);
    // an impossible date is refused with a question, a past one too
    expect(await jose.say('31/02')).toBe('A data 31/02 não existe. Qual dia você quis dizer?');
    expect(await jose.say('01/01/2020')).toMatch(/Essa data \(1 de janeiro de 2020\) já passou/);
    const tomorrow = officeDay(1);
    const summary = await jose.say('amanhã');
    expect(summary).toContain('1. Nome: José da Silva Araújo');
    expect(summary).toContain('2. Área: Família');
    expect(summary).toContain(`5. Prazo ou audiência: ${inWords(tomorrow, 'pt-BR')} (amanhã)`);

    const confirmed = await jose.say('sim, está tudo certo');
    expect(confirmed).toContain('Seu caso foi registrado com a referência');
    const ref = reference(confirmed);
    const matter = matterOf(ref);
    expect(matter).toMatchObject({ language: 'pt-BR', deadline: 'amanhã', deadline_date: tomorrow, practice_area: 'Família' });
    const pdf = confirmed.includes('.pdf') ? confirmed : await jose.received();
    expect(pdf).toContain(`[intake-${ref}.pdf] Resumo do atendimento ${ref}`);

    const text = await pdfText(matter.id);
    expect(text).toContain('Resumo do atendimento');
    expect(text).toContain('Prazo ou audiência');
    expect(text).toContain('José da Silva Araújo');
    expect(text).toContain('guarda das crianças');
    expect(text).toContain(inWords(tomorrow, 'pt-BR'));
    expect(text).not.toMatch(/Intake summary|Deadline or hearing/);

    // staff see the client's language
    const [item] = (await doorAs(core, 'assistant').ok<{ items: { language: string | null }[] }>('inbox.list', {})).items;
    expect(item!.language).toBe('pt-BR');
  });

  test('Spanish from the country code when the first message says too little; the PDF in Spanish', async () => {
    await office({ language: 'en', languages: ['es'] }, ['Family', 'Employment', 'Housing', 'Other']);
    const maria = client('34612345678', 'María');
    const first = await maria.say('Hola');
    expect(first).toContain('Le atiende el asistente de WhatsApp de Araújo & Peña Advogados');
    expect(first).toContain('For English, reply EN.');
    expect(await maria.say('quiero abrir un caso nuevo')).toMatch(/¿Está de acuerdo\? Responda SÍ o NO/);
    expect(await maria.say('sí, de acuerdo')).toMatch(/nombre completo/);
    expect(await maria.say('María Núñez Peña')).toMatch(/¿De qué área es su caso\?|área/);
    expect(await maria.say('2')).toMatch(/qué ha pasado|qué pasó|cuéntenos/i);
    expect(await maria.say('Me despidieron sin pagarme las horas extra de seis meses.')).toMatch(/parte contraria/);
    expect(await maria.say('Transportes Peña S.L.')).toMatch(/plazo/);
    const inTwoWeeks = officeDay(14);
    const summary = await maria.say('en dos semanas');
    expect(summary).toContain(`5. Plazo o audiencia: ${inWords(inTwoWeeks, 'es')} (en dos semanas)`);
    const confirmed = await maria.say('sí');
    expect(confirmed).toContain('registrado con la referencia');
    const matter = matterOf(reference(confirmed));
    expect(matter).toMatchObject({ language: 'es', deadline_date: inTwoWeeks });
    const text = await pdfText(matter.id);
    expect(text).toContain('Resumen de la consulta');
    expect(text).toContain('Parte contraria');
    expect(text).toContain('María Núñez Peña');
    expect(text).toContain('Transportes Peña S.L.');
  });

  test('the client changes language mid-intake; one not offered is answered with those that are', async () => {
    await office({ language: 'en', languages: ['es'] }, ['Family', 'Employment', 'Housing', 'Other']);
    const sam = client('447700900123', 'Sam');
    expect(await sam.say('Hi there')).toContain('1. New matter');
    expect(await sam.say('1')).toMatch(/Do you agree\?/);
    expect(await sam.say('yes')).toMatch(/full name/);
    // the question it was waiting on comes again in the new language
    const switched = await sam.say('español, por favor');
    expect(switched).toContain('De acuerdo, continuamos en español.');
    expect(switched).toContain('¿Cuál es su nombre completo?');
    expect(await sam.say('Samuel Ortega')).toMatch(/área/);
    const notOffered = await sam.say('PT');
    expect(notOffered).toContain('Lo sentimos, solo podemos atenderle en estos idiomas');
    expect(notOffered).toContain('EN · English');
    expect(notOffered).toContain('ES · Español');
    const back = await sam.say('EN');
    expect(back).toContain('Certainly, we will continue in English.');
    expect(back).toMatch(/Which area is your matter about\?/);
    const conversation = core.services.store.prepare('SELECT id, language FROM conversations WHERE whatsapp = ?').get('447700900123') as {
      id: number;
      language: string;
    };
    expect(conversation.language).toBe('en');

    // staff change it: the next bot message is in Spanish, and the change is audited
    const assistant = doorAs(core, 'assistant');
    const summary = await assistant.ok<{ language: string }>('inbox.setLanguage', { conversationId: conversation.id, language: 'es' });
    expect(summary.language).toBe('es');
    expect(await sam.say('menu')).toContain('¿En qué podemos ayudarle? Responda con un número');
    expect(await sam.say('4')).toMatch(/Horario/);
    const refused = await assistant.call('inbox.setLanguage', { conversationId: conversation.id, language: 'pt-BR' });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error.message).toMatch(/does not offer pt-BR/);
  });

  test('a declined matter is said to be closed without being taken on; "tell the client" sends the change in their language', async () => {
    await office({ language: 'en', languages: ['pt-BR'] }, ['Família', 'Trabalhista', 'Outros']);
    const ana = client('5521999990000', 'Ana');
    for (const text of ['Oi, quero abrir um caso', 'sim', 'Ana Beatriz Lima', '2', 'Não recebi minhas férias.', 'Loja Central', 'nenhum']) await ana.say(text);
    const confirmed = await ana.say('sim');
    const ref = reference(confirmed);
    const matter = matterOf(ref);
    expect(matter.language).toBe('pt-BR');
    // the intake PDF, before what staff send
    if (!confirmed.includes('.pdf')) expect(await ana.received()).toContain('.pdf');

    const lawyer = doorAs(core, 'lawyer');
    await lawyer.ok('matters.update', { matterId: matter.id, status: 'active', nextStep: 'Audiência em 3 de março', tellClient: true });
    expect(await ana.received()).toBe(`Atualização do seu caso *${ref}* (Trabalhista): ${statusPt('active')}.\nPróximo passo: Audiência em 3 de março`);
    // without the box ticked the client hears nothing
    await lawyer.ok('matters.update', { matterId: matter.id, nextStep: 'Aguardando documentos' });
    expect(await ana.say('2')).toContain('Aguardando documentos');
    await lawyer.ok('matters.update', { matterId: matter.id, status: 'declined' });
    const status = await ana.say('2');
    expect(status).toContain(`Seu caso *${ref}* (Trabalhista) foi encerrado sem ser assumido pelo escritório.`);
    expect(status).not.toMatch(/Não temos nenhum caso/);
  });

  test('the admin’s mistakes in languages and texts are refused in words', async () => {
    const admin = doorAs(core, 'admin');
    const s = core.services.bot.settings.get();
    const unknown = await admin.call('botSettings.update', { section: 'behaviour', value: { ...s.behaviour, languages: ['fr'] } });
    expect(!unknown.ok && unknown.error.message).toBe('There is no fr catalog. Add the language first.');
    const typo = await admin.call('botSettings.update', { section: 'texts', value: { es: { greeting: '¡Hola! Somos {ofice}.' } } });
    expect(!typo.ok && typo.error.message).toMatch(/^The text “Greeting” in Spanish uses \{ofice\}, which LexDesk does not fill in/);
    const empty = await admin.call('botSettings.update', { section: 'texts', value: { 'pt-BR': { menu: '   ' } } });
    expect(!empty.ok && empty.error.message).toBe('The text “Menu” in Brazilian Portuguese is empty.');
    const long = await admin.call('botSettings.update', { section: 'texts', value: { en: { footer: 'x'.repeat(4001) } } });
    expect(!long.ok && long.error.message).toBe('The text “Not-legal-advice footer” in English is longer than 4,000 characters.');
    const notice = await admin.call('botSettings.publishNotice', { text: 'We keep what you send us to handle your matter.', translations: { es: '' } });
    expect(!notice.ok && notice.error.message).toBe('The privacy notice in Spanish is empty.');
    // what is accepted is used: the notice in Spanish reaches a Spanish-speaking client
    await admin.ok('botSettings.update', { section: 'behaviour', value: { ...s.behaviour, languages: ['es'] } });
    await admin.ok('botSettings.publishNotice', {
      text: 'We keep what you send us only to handle your matter.',
      translations: { es: 'Guardamos lo que nos envía solo para llevar su caso.' },
    });
    const luis = client('5215512345678', 'Luis');
    await luis.say('Buenas tardes, necesito abrir un caso nuevo por favor');
    const log = (await doorAs(core, 'admin').ok<{ messages: { text: string | null }[] }>('simulator.clientInbox', { from: luis.number })).messages;
    expect(log.map((m) => m.text).join('\n')).toContain('Guardamos lo que nos envía solo para llevar su caso.');
  });
});

function statusPt(status: string): string {
  const texts = core.services.bot.settings.texts('pt-BR');
  return texts.t(`status.${status}` as never);
}
