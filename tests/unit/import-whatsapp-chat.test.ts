import { describe, expect, it } from 'vitest';
import { ChatExportError, parseChatExport } from '../../main/core/imports/whatsapp-chat.js';

const LRM = '\u200e';
const NNBSP = '\u202f';

// as the phones write them: Android in Brazilian Portuguese, with the encryption notice, a two-line message and a photo
const ANDROID_PT = [
  '31/10/2024 09:15 - As mensagens e as ligações são protegidas com a criptografia de ponta a ponta e ficam somente entre você e os participantes desta conversa. Nem mesmo o WhatsApp pode ler ou ouvi-las. Toque para saber mais.',
  '31/10/2024 09:15 - Ana Souza: Bom dia, doutor. Recebi a notificação do banco',
  'e queria saber o prazo.',
  '31/10/2024 09:17 - Dr. Rui Lima: Bom dia, Ana! Pode me mandar uma foto?',
  '31/10/2024 09:20 - Ana Souza: IMG-20241031-WA0003.jpg (arquivo anexado)',
  '31/10/2024 09:21 - Ana Souza: <Mídia oculta>',
  '01/11/2024 14:02 - Dr. Rui Lima: O prazo é 15/11: até lá respondemos.',
].join('\n');

// iPhone in US English: brackets, seconds, AM/PM after a narrow no-break space, left-to-right marks before media
const IOS_EN = [
  `[3/4/24, 9:41:05${NNBSP}AM] Ana Souza: ${LRM}Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.`,
  `[3/4/24, 9:41:30${NNBSP}AM] Ana Souza: Hi, I got a letter from the landlord`,
  `[3/4/24, 12:02:11${NNBSP}PM] Rui Lima: Please send it over`,
  `${LRM}[3/4/24, 12:05:00${NNBSP}PM] Ana Souza: ${LRM}<attached: 00000012-PHOTO-2024-03-04-12-05-00.jpg>`,
  `[3/4/24, 12:06:00${NNBSP}PM] Ana Souza: ${LRM}image omitted`,
].join('\r\n');

// Android in Spanish (Spain): two-digit years, a comma, and "p. m."
const ANDROID_ES = [
  '4/3/24, 9:41 p. m. - Lucía Núñez: Hola, buenas noches',
  '4/3/24, 9:42 p. m. - Lucía Núñez: documento.pdf (archivo adjunto)',
  'el contrato firmado',
  '5/3/24, 12:05 a. m. - Rui Lima: <Multimedia omitido>',
].join('\n');

// iPhone in Spanish, 24-hour clock
const IOS_ES = ['[13/03/2024, 21:41:05] Lucía Núñez: ¿Ya tienen la fecha?', '[13/03/2024, 21:45:00] Rui Lima: Sí: el 2 de abril.'].join('\n');

describe('a WhatsApp "Export chat" file', () => {
  it('reads an Android export in Portuguese: day first, multi-line messages, notices, attachments and omitted media', () => {
    const chat = parseChatExport(ANDROID_PT, { language: 'pt-BR' });
    expect(chat.layout).toBe('android');
    expect(chat.dateOrder).toBe('dmy');
    expect(chat.authors).toEqual(['Ana Souza', 'Dr. Rui Lima']);
    expect(chat.messages.map((m) => [m.local, m.author, m.text, m.attachment])).toEqual([
      ['2024-10-31T09:15:00', null, expect.stringMatching(/^As mensagens e as ligações/), null],
      ['2024-10-31T09:15:00', 'Ana Souza', 'Bom dia, doutor. Recebi a notificação do banco\ne queria saber o prazo.', null],
      ['2024-10-31T09:17:00', 'Dr. Rui Lima', 'Bom dia, Ana! Pode me mandar uma foto?', null],
      ['2024-10-31T09:20:00', 'Ana Souza', '', 'IMG-20241031-WA0003.jpg'],
      ['2024-10-31T09:21:00', 'Ana Souza', '', ''],
      ['2024-11-01T14:02:00', 'Dr. Rui Lima', 'O prazo é 15/11: até lá respondemos.', null],
    ]);
    expect(chat.messages[1]!.line).toBe(2);
    expect(chat.messages[2]!.line).toBe(4);
  });

  it('reads an iPhone export in US English: month first by the AM/PM clock, seconds, invisible marks removed', () => {
    const chat = parseChatExport(IOS_EN, { language: 'en' });
    expect(chat.layout).toBe('ios');
    expect(chat.dateOrder).toBe('mdy');
    expect(chat.messages.map((m) => [m.local, m.author, m.text, m.attachment])).toEqual([
      ['2024-03-04T09:41:05', 'Ana Souza', expect.stringMatching(/^Messages and calls are end-to-end encrypted/), null],
      ['2024-03-04T09:41:30', 'Ana Souza', 'Hi, I got a letter from the landlord', null],
      ['2024-03-04T12:02:11', 'Rui Lima', 'Please send it over', null],
      ['2024-03-04T12:05:00', 'Ana Souza', '', '00000012-PHOTO-2024-03-04-12-05-00.jpg'],
      ['2024-03-04T12:06:00', 'Ana Souza', '', ''],
    ]);
  });

  it('reads Spanish exports from both phones: "p. m." and "a. m.", an attachment with a caption, a date only one way round', () => {
    const android = parseChatExport(ANDROID_ES, { language: 'es' });
    expect(android.layout).toBe('android');
    expect(android.dateOrder).toBe('dmy');
    expect(android.messages.map((m) => [m.local, m.text, m.attachment])).toEqual([
      ['2024-03-04T21:41:00', 'Hola, buenas noches', null],
      ['2024-03-04T21:42:00', 'el contrato firmado', 'documento.pdf'],
      ['2024-03-05T00:05:00', '', ''],
    ]);
    // 13/03 can only be the 13th of March, whatever the language says
    const ios = parseChatExport(IOS_ES, { language: 'en' });
    expect(ios.dateOrder).toBe('dmy');
    expect(ios.messages.map((m) => [m.local, m.author, m.text])).toEqual([
      ['2024-03-13T21:41:05', 'Lucía Núñez', '¿Ya tienen la fecha?'],
      ['2024-03-13T21:45:00', 'Rui Lima', 'Sí: el 2 de abril.'],
    ]);
  });

  it('decides day or month first once for the whole file, from any date that can only be read one way', () => {
    const chat = parseChatExport(['01/02/24, 10:00 - Ana: first', '12/25/24, 10:00 - Ana: christmas'].join('\n'), { language: 'pt-BR' });
    expect(chat.dateOrder).toBe('mdy');
    expect(chat.messages.map((m) => m.local)).toEqual(['2024-01-02T10:00:00', '2024-12-25T10:00:00']);
  });

  it('refuses a file that is not a chat export, and a date that does not exist, with a stable code', () => {
    expect(() => parseChatExport('name,role\nAna,client\n')).toThrow(ChatExportError);
    try {
      parseChatExport('hello');
    } catch (err) {
      expect((err as ChatExportError).problem.code).toBe('not_a_chat_export');
    }
    try {
      parseChatExport('31/02/2024 10:00 - Ana: never', { language: 'pt-BR' });
      expect.unreachable();
    } catch (err) {
      expect((err as ChatExportError).problem).toMatchObject({ code: 'bad_date', line: 1 });
    }
  });
});
