import { OPERATION_NAMES } from '../../../shared/contract/index.js';
import type { AuditRow } from '../../../shared/contract/audit.js';

/**
 * The audit trail told as sentences for the office ("Ana Souza replied to José
 * Núñez", "Maria restored the backup of 30 Nov"): one phrase per action, built
 * from the row's actor, target and details with the names as they are now, and a
 * plain fallback for an action without one. The row itself stays as recorded;
 * the sentence is only how a screen shows it.
 */

/** What the sentences name: people, clients and matters by their ids (null when gone). */
export interface SentenceNames {
  user(id: string): string | null;
  client(id: string): string | null;
  /** the client or number a conversation is with */
  conversation(id: string): string | null;
  /** a matter's reference */
  matter(id: string): string | null;
  document(id: string): string | null;
}

/** Operations and events that look and change nothing: views, downloads, searches, exports, token renewals. */
const READ_SUFFIX = /\.(list|get|search|thread|counts|status|health|info|computer|doctor|dashboard|series|preview|render|integrity|securitySummary|members|presence|answering|check|clientInbox|clients|chat)$/;
const READ_EXTRA = new Set([
  'documents.open',
  'audit.export',
  'audit.export.delivered',
  'evidence.export',
  'imports.exportAll',
  'auth.refresh',
  'inbox.markRead',
]);

export function isReadAction(action: string): boolean {
  return READ_EXTRA.has(action) || READ_SUFFIX.test(action);
}

/** Every action name the trail records that counts as a read (for the search's "hide reads"). */
export const READ_ACTIONS: readonly string[] = [...new Set([...OPERATION_NAMES.filter(isReadAction), ...READ_EXTRA])].sort();

type Phrase = (s: Subject) => string;

interface Subject {
  who: string;
  row: AuditRow;
  names: SentenceNames;
  /** the target as a name: "José Núñez", "matter 2026-0007", "document 12" */
  about: string;
  detail(path: string): unknown;
}

const shortDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const yearDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** "30 Nov" this year, "30 Nov 2025" otherwise. */
export function dayLabel(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (date.getUTCFullYear() === now.getUTCFullYear() ? shortDate : yearDate).format(date);
}

function backupDate(s: Subject): string | null {
  const at = s.detail('backupCreatedAt');
  if (typeof at === 'string') return dayLabel(at);
  const id = String(s.detail('input.id') ?? s.row.target?.id ?? '');
  const m = /(\d{4})-?(\d{2})-?(\d{2})/.exec(id);
  return m ? dayLabel(`${m[1]}-${m[2]}-${m[3]}T12:00:00Z`) : null;
}

const client = (s: Subject) => s.about;
const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);

const PHRASES: Record<string, Phrase> = {
  'inbox.reply': (s) => `${s.who} replied to ${client(s)}`,
  'inbox.sendDocument': (s) => `${s.who} sent ${str(s.detail('fileName')) ?? 'a document'} to ${client(s)}`,
  'inbox.takeOver': (s) => `${s.who} took over the conversation with ${client(s)}`,
  'inbox.handBack': (s) => `${s.who} handed the conversation with ${client(s)} back to the bot`,
  'inbox.assign': (s) => {
    const to = str(s.detail('input.userId'));
    return to ? `${s.who} gave the conversation with ${client(s)} to ${s.names.user(to) ?? 'a colleague'}` : `${s.who} unassigned the conversation with ${client(s)}`;
  },
  'inbox.close': (s) => `${s.who} marked the conversation with ${client(s)} resolved`,
  'inbox.addNote': (s) => `${s.who} added an internal note to the conversation with ${client(s)}`,
  'inbox.setLanguage': (s) => `${s.who} changed the language of the conversation with ${client(s)}`,
  'inbox.markRead': (s) => `${s.who} read the conversation with ${client(s)}`,
  'inbox.thread': (s) => `${s.who} opened the conversation with ${client(s)}`,
  'simulator.clientSend': (s) => `${s.who} wrote as a client in the WhatsApp simulator`,
  'inbox.list': (s) => `${s.who} looked at the inbox`,
  'inbox.search': (s) => `${s.who} searched the conversations`,
  'clients.list': (s) => `${s.who} looked at the list of clients`,
  'matters.list': (s) => `${s.who} looked at the list of matters`,
  'documents.list': (s) => `${s.who} looked at the documents of ${s.about}`,
  'audit.search': (s) => `${s.who} searched the audit trail`,
  'audit.get': (s) => `${s.who} opened an audit row`,
  'audit.integrity': (s) => `${s.who} looked at the audit trail's integrity`,
  'inbox.retry': (s) => `${s.who} sent a failed message to ${client(s)} again`,
  'matters.get': (s) => `${s.who} viewed ${s.about}`,
  'matters.update': (s) => `${s.who} updated ${s.about}`,
  'matters.addNote': (s) => `${s.who} added an internal note to ${s.about}`,
  'matters.regeneratePdf': (s) => `${s.who} remade the intake summary of ${s.about}`,
  'conflicts.clear': (s) => `${s.who} cleared a possible conflict on ${s.about}`,
  'dataRequests.resolve': (s) => `${s.who} closed a client's data request`,
  'clients.exportData': (s) =>
    s.detail('delivered') === 'whatsapp' ? `${s.who} sent ${s.about} a copy of their data on WhatsApp` : `${s.who} made a copy of the data of ${s.about}`,
  'clients.erase': (s) => `${s.who} erased the data of ${s.about}`,
  'evidence.export': (s) => `${s.who} exported evidence of ${s.row.target?.type === 'conversation' ? `the conversation with ${s.about}` : s.about}`,
  'documents.open': (s) => `${s.who} ${s.detail('disposition') === 'inline' ? 'opened' : 'downloaded'} ${s.about}`,
  'documents.upload': (s) => `${s.who} uploaded a document for ${s.row.target?.type === 'conversation' ? `the conversation with ${s.about}` : s.about}`,
  'documents.attachToMatter': (s) => `${s.who} filed ${s.about} under matter ${str(s.detail('reference')) ?? ''}`.trimEnd(),
  'backup.create': (s) => `${s.who} made a backup`,
  'backup.created': (s) => (s.row.actor.type === 'system' ? 'LexDesk made the scheduled backup' : `${s.who} made a backup`),
  'backup.verify': (s) => `${s.who} checked a backup`,
  'backup.snapshots.verify': (s) => `${s.who} checked a snapshot${backupDate(s) ? ` of ${backupDate(s)}` : ''}`,
  'backup.firstRunRestore': (s) => `This computer was set up from the backup${backupDate(s) ? ` of ${backupDate(s)}` : ''}`,
  'backup.restore': (s) => `${s.who} restored the backup${backupDate(s) ? ` of ${backupDate(s)}` : ''}`,
  'backup.restored': (s) => `${s.who} restored the backup${backupDate(s) ? ` of ${backupDate(s)}` : ''}`,
  'backup.settings.update': (s) => `${s.who} changed the backup settings`,
  'auth.setup': (s) => `${s.who} set up LexDesk`,
  'auth.login': (s) => `${s.who} signed in`,
  'auth.logout': (s) => `${s.who} signed out`,
  'auth.refresh': (s) => `${s.who}'s sign-in was renewed`,
  'auth.changePassword': (s) => `${s.who} changed their password`,
  'auth.sessions.revoke': (s) => `${s.who} signed out one of their devices`,
  'auth.sessions.revokeOthers': (s) => `${s.who} signed out their other devices`,
  'users.create': (s) => `${s.who} created the account of ${s.about}`,
  'users.update': (s) => `${s.who} changed the account of ${s.about}`,
  'users.resetPassword': (s) => `${s.who} reset the password of ${s.about}`,
  'users.unlock': (s) => `${s.who} unlocked the account of ${s.about}`,
  'users.sessions.revoke': (s) => `${s.who} signed out a device of ${s.about}`,
  'security.login.failed': (s) => `A sign-in as "${s.row.actor.name ?? str(s.detail('username')) ?? '?'}" failed`,
  'security.lockout': (s) => `${s.who} was locked out after repeated failed sign-ins`,
  'security.refresh.reuse': (s) => `A sign-in token of ${s.who} was used twice: all its sessions were ended`,
  'security.sessions.ended': (s) => `The sessions of ${s.who} were ended`,
  'security.signin.rate_limited': () => 'Too many sign-in attempts were slowed down',
  'system.started': () => 'LexDesk started',
  'system.stopped': () => 'LexDesk stopped',
  'audit.verify': (s) => `${s.who} checked the audit trail: ${s.detail('intact') === false ? 'it is broken' : 'intact'}`,
  'audit.export': (s) => `${s.who} exported the audit trail`,
  'botSettings.update': (s) => `${s.who} changed the bot settings`,
  'botSettings.publishNotice': (s) => `${s.who} published a new privacy notice`,
  'quickReplies.create': (s) => `${s.who} created a quick reply`,
  'quickReplies.update': (s) => `${s.who} changed a quick reply`,
  'quickReplies.delete': (s) => `${s.who} deleted a quick reply`,
  'whatsapp.logout': (s) => `${s.who} unlinked the office's WhatsApp`,
  'whatsapp.restart': (s) => `${s.who} restarted WhatsApp`,
  'bot.pause': (s) => `${s.who} paused the bot`,
  'bot.resume': (s) => `${s.who} resumed the bot`,
  'imports.run': (s) => `${s.who} imported data`,
  'imports.exportAll': (s) => `${s.who} exported all the office's data`,
  'monitoring.alerts.ack': (s) => `${s.who} acknowledged an alert`,
  'monitoring.rules.update': (s) => `${s.who} changed an alert rule`,
};

const SIGN_IN_ACTIONS = new Set(['auth.login', 'auth.setup', 'auth.refresh', 'security.lockout']);

const OUTCOME_SUFFIX: Record<AuditRow['outcome'], string> = { ok: '', denied: ' (refused)', invalid: ' (refused: invalid input)', error: ' (failed)' };

/** The person or part of LexDesk that acted, by the name the office knows. */
export function actorName(row: AuditRow, names: SentenceNames): string {
  // signing in and setting up happen before there is a session: the account is the row's target
  if (row.actor.type === 'anonymous' && row.target?.type === 'user' && row.target.id && SIGN_IN_ACTIONS.has(row.action)) {
    const name = names.user(row.target.id);
    if (name) return name;
  }
  if (row.actor.type === 'user') return (row.actor.id ? names.user(row.actor.id) : null) ?? row.actor.name ?? 'A staff member';
  if (row.actor.type === 'bot') return 'The WhatsApp bot';
  if (row.actor.type === 'system') return 'LexDesk';
  if (row.actor.type === 'cli') return `IT at the command line${row.actor.name ? ` (${row.actor.name})` : ''}`;
  return 'Someone not signed in';
}

function targetName(row: AuditRow, names: SentenceNames): string {
  const t = row.target;
  if (!t) return 'something';
  const id = t.id ?? '';
  switch (t.type) {
    case 'conversation':
      return names.conversation(id) ?? `conversation ${id}`;
    case 'client':
      return names.client(id) ?? `client ${id}`;
    case 'matter': {
      const ref = names.matter(id);
      return ref ? `matter ${ref}` : `matter ${id}`;
    }
    case 'user':
      return names.user(id) ?? `user ${id}`;
    case 'document': {
      const name = names.document(id);
      return name ? `"${name}"` : `document ${id}`;
    }
    default:
      return `${t.type.replace(/_/g, ' ')} ${id}`.trim();
  }
}

function pick(details: Record<string, unknown>, path: string): unknown {
  let value: unknown = details;
  for (const key of path.split('.')) {
    if (!value || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function auditSentence(row: AuditRow, names: SentenceNames): string {
  const subject: Subject = {
    who: actorName(row, names),
    row,
    names,
    about: targetName(row, names),
    detail: (path) => pick(row.details, path),
  };
  const phrase = PHRASES[row.action];
  let text: string;
  if (phrase) text = phrase(subject);
  else {
    const words = row.action.replace(/\./g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
    text = `${subject.who}: ${words}${row.target ? ` (${subject.about})` : ''}`;
  }
  return `${text}${OUTCOME_SUFFIX[row.outcome]}`;
}
