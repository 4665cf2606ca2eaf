/**
 * What each of the bot's texts is, in words an office manager understands: the
 * labels and groups of the texts form in Settings, and the names the core uses
 * when it refuses a text ("The privacy notice in Spanish is empty").
 */

export interface TextGroup {
  title: string;
  keys: string[];
}

export const TEXT_GROUPS: TextGroup[] = [
  { title: 'Language', keys: ['language.name', 'language.code', 'language.offer', 'language.ask', 'language.changed', 'language.not_offered'] },
  {
    title: 'Greeting and menu',
    keys: ['greeting', 'greeting.back', 'menu', 'menu.hint', 'help.unrecognised', 'help.which', 'footer', 'out_of_hours', 'info'],
  },
  {
    title: 'Clarifying questions',
    keys: ['intent.menu.new', 'intent.menu.status', 'intent.menu.person', 'intent.menu.info', 'intent.menu', 'intent.stop', 'intent.erase'],
  },
  { title: 'Opening hours', keys: ['hours.closed_all_week', 'hours.today', 'hours.tomorrow', 'hours.on_day'] },
  { title: 'Privacy and consent', keys: ['consent.ask', 'privacy.notice', 'consent.recorded', 'consent.declined', 'consent.unclear'] },
  {
    title: 'Intake questions',
    keys: [
      'intake.ask_name', 'intake.ask_area', 'intake.area_unclear', 'intake.confirm_area', 'intake.ask_description', 'intake.ask_opposing',
      'intake.ask_deadline', 'intake.deadline_impossible', 'intake.deadline_past', 'intake.deadline_unclear', 'intake.deadline_shown',
      'intake.too_long', 'intake.too_short', 'intake.summary', 'intake.confirm_unclear', 'intake.none', 'intake.confirmed',
      'intake.pdf_caption', 'intake.continue',
    ],
  },
  {
    title: 'Matter status',
    keys: [
      'status.none', 'status.header', 'status.item', 'status.no_next_step', 'status.intake', 'status.review', 'status.active',
      'status.waiting_client', 'status.closed', 'status.declined', 'status.declined_item', 'status.changed',
    ],
  },
  {
    title: 'Hand-off, requests and files',
    keys: ['handoff.open', 'handoff.closed', 'handoff.misunderstood', 'handback', 'data_request.stop', 'data_request.erase', 'media.received', 'media.failed', 'media.unnamed', 'staff.signature'],
  },
  {
    title: 'Intake PDF',
    keys: [
      'pdf.title', 'pdf.reference', 'pdf.date', 'pdf.client', 'pdf.name', 'pdf.whatsapp', 'pdf.matter', 'pdf.area', 'pdf.description',
      'pdf.opposing', 'pdf.deadline', 'pdf.consent', 'pdf.consent_text', 'pdf.consent_missing', 'pdf.next_steps', 'pdf.next_steps_text', 'pdf.page',
    ],
  },
  {
    title: "A client's copy of their data",
    keys: [
      'copy.title', 'copy.intro', 'copy.profile', 'copy.language', 'copy.since', 'copy.consents', 'copy.consent_line', 'copy.matters', 'copy.status',
      'copy.opened', 'copy.updated', 'copy.next_step', 'copy.messages', 'copy.you', 'copy.office', 'copy.documents', 'copy.none', 'copy.caption',
    ],
  },
  {
    title: 'What clients may type',
    keys: ['menu.new.words', 'menu.status.words', 'menu.person.words', 'menu.info.words', 'menu.words', 'yes.words', 'no.words', 'none.words', 'stop.words', 'erase.words'],
  },
];

export const TEXT_LABELS: Record<string, string> = {
  'language.name': 'Name of the language',
  'language.code': 'Code clients reply to choose it',
  'language.offer': 'Offer of this language to a new client',
  'language.ask': 'Question: which language',
  'language.changed': 'Language changed',
  'language.not_offered': 'Language not offered',
  greeting: 'Greeting',
  'greeting.back': 'Greeting for a returning client',
  menu: 'Menu',
  'menu.hint': 'Menu hint',
  'help.unrecognised': 'Not understood',
  'help.which': 'Question: which of two meanings',
  footer: 'Not-legal-advice footer',
  out_of_hours: 'Office closed notice',
  info: 'Office information',
  'intent.menu.new': 'Meaning: a new matter',
  'intent.menu.status': 'Meaning: status of a matter',
  'intent.menu.person': 'Meaning: talk to a person',
  'intent.menu.info': 'Meaning: office information',
  'intent.menu': 'Meaning: the menu',
  'intent.stop': 'Meaning: stop messages',
  'intent.erase': 'Meaning: delete my data',
  'hours.closed_all_week': 'Hours when no day has hours',
  'hours.today': 'Opens today at',
  'hours.tomorrow': 'Opens tomorrow at',
  'hours.on_day': 'Opens on a day at',
  'consent.ask': 'Consent question',
  'privacy.notice': 'Privacy notice (built-in wording)',
  'consent.recorded': 'Consent recorded',
  'consent.declined': 'Consent declined',
  'consent.unclear': 'Consent answer not understood',
  'intake.ask_name': 'Question: full name',
  'intake.ask_area': 'Question: practice area',
  'intake.area_unclear': 'Practice area not understood',
  'intake.confirm_area': 'Question: is it this practice area',
  'intake.ask_description': 'Question: what happened',
  'intake.ask_opposing': 'Question: other party',
  'intake.ask_deadline': 'Question: deadline',
  'intake.deadline_impossible': 'Deadline: a date that does not exist',
  'intake.deadline_past': 'Deadline: a date that has passed',
  'intake.deadline_unclear': 'Deadline: not a date',
  'intake.deadline_shown': 'Deadline as shown in the summary',
  'intake.too_long': 'Answer too long',
  'intake.too_short': 'Answer too short',
  'intake.summary': 'Intake summary',
  'intake.confirm_unclear': 'Summary answer not understood',
  'intake.none': 'Word for "none"',
  'intake.confirmed': 'Intake registered',
  'intake.pdf_caption': 'Caption of the intake PDF',
  'intake.continue': 'Intake resumed',
  'status.none': 'Status: no matter',
  'status.header': 'Status: heading',
  'status.item': 'Status: one matter',
  'status.no_next_step': 'Status: no next step yet',
  'status.intake': 'Status name: new intake',
  'status.review': 'Status name: in review',
  'status.active': 'Status name: active',
  'status.waiting_client': 'Status name: waiting for the client',
  'status.closed': 'Status name: closed',
  'status.declined': 'Status name: declined',
  'status.declined_item': 'Status: a declined matter',
  'status.changed': 'Status change told to the client',
  'handoff.open': 'Hand-off while open',
  'handoff.closed': 'Hand-off while closed',
  'handoff.misunderstood': 'Hand-off after misunderstandings',
  handback: 'Back to the assistant',
  'data_request.stop': 'Request to stop messages recorded',
  'data_request.erase': 'Request to delete data recorded',
  'media.received': 'File received',
  'media.failed': 'File could not be fetched',
  'media.unnamed': 'Word for a file without a name',
  'staff.signature': 'Staff signature',
  'pdf.title': 'PDF: title',
  'pdf.reference': 'PDF: reference',
  'pdf.date': 'PDF: date',
  'pdf.client': 'PDF: client heading',
  'pdf.name': 'PDF: name',
  'pdf.whatsapp': 'PDF: WhatsApp',
  'pdf.matter': 'PDF: matter heading',
  'pdf.area': 'PDF: practice area',
  'pdf.description': 'PDF: description',
  'pdf.opposing': 'PDF: other party',
  'pdf.deadline': 'PDF: deadline',
  'pdf.consent': 'PDF: consent heading',
  'pdf.consent_text': 'PDF: consent record',
  'pdf.consent_missing': 'PDF: no consent record',
  'pdf.next_steps': 'PDF: next steps heading',
  'pdf.next_steps_text': 'PDF: next steps',
  'pdf.page': 'PDF: page numbers',
  'copy.title': 'Copy: title',
  'copy.intro': 'Copy: introduction',
  'copy.profile': 'Copy: details heading',
  'copy.language': 'Copy: language',
  'copy.since': 'Copy: client since',
  'copy.consents': 'Copy: consents heading',
  'copy.consent_line': 'Copy: one consent',
  'copy.matters': 'Copy: matters heading',
  'copy.status': 'Copy: status',
  'copy.opened': 'Copy: opened',
  'copy.updated': 'Copy: last change',
  'copy.next_step': 'Copy: next step',
  'copy.messages': 'Copy: messages heading',
  'copy.you': 'Copy: the client (as sender)',
  'copy.office': 'Copy: the office (as sender)',
  'copy.documents': 'Copy: documents heading',
  'copy.none': 'Copy: empty section',
  'copy.caption': 'Copy: WhatsApp caption',
  'menu.new.words': 'Words for a new matter',
  'menu.status.words': 'Words for the status',
  'menu.person.words': 'Words for a person',
  'menu.info.words': 'Words for office information',
  'menu.words': 'Words for the menu',
  'yes.words': 'Words for yes',
  'no.words': 'Words for no',
  'none.words': 'Words for none',
  'stop.words': 'Words to stop messages',
  'erase.words': 'Words to delete data',
};

/** A text's label, for a key the labels do not know yet its own name. */
export function textLabel(key: string): string {
  return TEXT_LABELS[key] ?? key;
}

/** Placeholders a text uses: "{office}" → ["office"]. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(/\{([a-zA-Z][a-zA-Z0-9_]*)\}/g)].map((m) => m[1]!))];
}

/** Texts longer than this are refused. */
export const MAX_TEXT_LENGTH = 4000;

/**
 * What is wrong with one text an office wrote, in words, or null: an empty
 * text, one too long, a placeholder the English text does not have (a typo such
 * as {ofice} would reach the client as it is), a `.words` list with no phrase.
 */
export function textProblem(key: string, value: string, english: string): string | null {
  if (value.trim() === '') return 'is empty';
  if (value.length > MAX_TEXT_LENGTH) return `is longer than ${MAX_TEXT_LENGTH.toLocaleString('en')} characters`;
  if (key.endsWith('.words')) {
    return value.split('|').some((w) => w.trim() !== '') ? null : 'lists no words (separate them with |)';
  }
  const known = new Set(placeholdersOf(english));
  // {office} is filled in everywhere
  known.add('office');
  const unknown = placeholdersOf(value).filter((p) => !known.has(p));
  if (unknown.length > 0) return `uses {${unknown[0]}}, which LexDesk does not fill in here (it can use ${[...known].map((k) => `{${k}}`).join(', ')})`;
  return null;
}
