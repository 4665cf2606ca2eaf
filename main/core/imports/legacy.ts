import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Role } from '../../../shared/permissions.js';
import type { MatterStatus } from '../../../shared/bot.js';
import { LEGACY_BCRYPT, RESET_REQUIRED } from '../auth/password-marks.js';
import { usernameKey } from '../auth/accounts.js';
import { localTime } from '../bot/hours.js';
import { nameKey } from '../bot/names.js';
import { addHistory, nextReference } from '../bot/records.js';
import { BotSettingsStore } from '../bot/settings.js';
import { ManualClock } from '../clock.js';
import { Store } from '../db/store.js';
import type { DocumentStore } from '../documents/store.js';
import { AppError } from '../errors.js';
import { inspectFile, jsonArray, jsonObject, JsonShapeError, type SourceFile } from './source.js';
import { isBcryptHash, readDate, readId, readPhone, readText, ROLE_MAP, STATUS_MAP, type Read } from './values.js';

/**
 * `lexdesk import legacy <folder>`: the old bot's folder of JSON files
 * (docs: README "Bringing in the old bot's data") into LexDesk's database.
 *
 * - The originals are kept: a verified backup is made first, then every file is
 *   copied, checked against its SHA-256, into <data>/imports/<time>/ and made
 *   read-only; the import reads that copy. The source folder is only read.
 * - All or nothing: one transaction on a connection of its own; any problem in any
 *   record rolls all of it back, and the report names file, record and field.
 * - Idempotent: import_records remembers each record's id in the old files; a
 *   record seen before is counted as "already imported" and left alone.
 * - Files are streamed record by record: memory stays flat for any file size.
 */

export const LEGACY_FILES = ['settings.json', 'users.json', 'clients.json', 'cases.json', 'messages.json'] as const;

export interface Problem {
  file: string;
  /** 1 is the first record of the file; null for the file as a whole */
  record: number | null;
  field: string | null;
  message: string;
}

export function problemLine(p: Problem): string {
  return `${p.file}${p.record !== null ? ` #${p.record}` : ''}: ${p.field ? `${p.field} ` : ''}${p.message}`;
}

export interface KindCount {
  imported: number;
  already: number;
  /** matched a record LexDesk already had (same username, same WhatsApp number) and linked to it */
  linked: number;
}

export interface LegacyReport {
  dryRun: boolean;
  /** true when the import landed (or, in a dry run, would land) */
  ok: boolean;
  source: string;
  files: SourceFile[];
  keptIn: string | null;
  backupId: string | null;
  batchId: number | null;
  counts: Record<'users' | 'clients' | 'matters' | 'notes' | 'parties' | 'conversations' | 'messages' | 'documents' | 'settings', KindCount>;
  /** total of "already imported" over every kind */
  alreadyImported: number;
  mapping: {
    roles: Record<string, Role>;
    statuses: Record<string, MatterStatus>;
    areasAdded: string[];
    passwordsKept: number;
    passwordsReset: string[];
  };
  problems: Problem[];
  /** problems beyond the first 1,000, counted only */
  moreProblems: number;
  notes: string[];
}

export interface LegacyImportOptions {
  folder: string;
  dataDir: string;
  databaseFile: string;
  nativeBinding?: string;
  dryRun: boolean;
  /** the office's country code, for numbers typed without one ("55") */
  countryCode: string | null;
  now: Date;
  /** who runs it, for the batch record */
  actor: string;
  /** makes the verified pre-import backup and returns its id (not called in a dry run) */
  backup: () => Promise<string>;
  /** where the messages' files (`media.path`) go; without it a message keeps only its file's name */
  documents?: DocumentStore;
  progress?: (line: string) => void;
}

const MAX_PROBLEMS = 1000;
const KNOWN = {
  users: new Set(['id', 'username', 'password', 'name', 'role', 'active', 'createdAt']),
  clients: new Set(['id', 'name', 'phone', 'createdAt']),
  cases: new Set(['id', 'clientId', 'reference', 'area', 'status', 'description', 'opposingParty', 'deadline', 'notes', 'createdAt', 'updatedAt']),
  messages: new Set(['id', 'chat', 'direction', 'fromMe', 'body', 'timestamp', 'author']),
  settings: new Set(['officeName', 'timezone', 'practiceAreas', 'welcomeMessage']),
};

function emptyCount(): KindCount {
  return { imported: 0, already: 0, linked: 0 };
}

/** The fields of a record LexDesk has no column for, as JSON (null when there are none). */
function extraOf(record: Record<string, unknown>, known: Set<string>): string | null {
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (!known.has(k)) extra[k] = v;
  return Object.keys(extra).length > 0 ? JSON.stringify(extra) : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Every file under `dir`, as paths relative to it. */
async function listFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full, base)));
    else if (entry.isFile()) out.push(relative(base, full).split(sep).join('/'));
  }
  return out.sort();
}

async function sha256Of(path: string): Promise<string> {
  const { createReadStream } = await import('node:fs');
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Copies the folder into `target`, checks every copy against the original's SHA-256 and makes it read-only. */
async function keepOriginals(folder: string, files: string[], target: string, hashes: Map<string, string>): Promise<void> {
  await mkdir(target, { recursive: true, mode: 0o700 });
  const dirs = new Set<string>();
  for (const name of files) {
    const to = join(target, ...name.split('/'));
    const parent = join(to, '..');
    await mkdir(parent, { recursive: true });
    dirs.add(parent);
    await copyFile(join(folder, ...name.split('/')), to);
    const expected = hashes.get(name) ?? (await sha256Of(join(folder, ...name.split('/'))));
    hashes.set(name, expected);
    if ((await sha256Of(to)) !== expected) throw new Error(`the copy of ${name} does not match the original (disk full or failing?)`);
    await chmod(to, 0o444);
  }
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) await chmod(dir, 0o555);
  await chmod(target, 0o555);
}

class ProblemList {
  readonly items: Problem[] = [];
  more = 0;
  add(file: string, record: number | null, field: string | null, message: string): void {
    if (this.items.length < MAX_PROBLEMS) this.items.push({ file, record, field, message });
    else this.more++;
  }
  get count(): number {
    return this.items.length + this.more;
  }
}

/** The stamp of an import folder: 2026-12-01T15-20-31Z. */
function stampOf(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
}

export async function importLegacy(options: LegacyImportOptions): Promise<LegacyReport> {
  const { folder, dryRun } = options;
  const say = options.progress ?? (() => undefined);
  const problems = new ProblemList();
  const notes: string[] = [];
  const report: LegacyReport = {
    dryRun,
    ok: false,
    source: folder,
    files: [],
    keptIn: null,
    backupId: null,
    batchId: null,
    counts: {
      users: emptyCount(),
      clients: emptyCount(),
      matters: emptyCount(),
      notes: emptyCount(),
      parties: emptyCount(),
      conversations: emptyCount(),
      messages: emptyCount(),
      documents: emptyCount(),
      settings: emptyCount(),
    },
    alreadyImported: 0,
    mapping: { roles: { ...ROLE_MAP }, statuses: { ...STATUS_MAP }, areasAdded: [], passwordsKept: 0, passwordsReset: [] },
    problems: problems.items,
    moreProblems: 0,
    notes,
  };
  const finish = (): LegacyReport => {
    report.moreProblems = problems.more;
    report.alreadyImported = Object.values(report.counts).reduce((n, c) => n + c.already, 0);
    return report;
  };

  const folderStat = await stat(folder).catch(() => null);
  if (!folderStat?.isDirectory()) {
    problems.add(folder, null, null, 'is not a folder that can be read');
    return finish();
  }
  const all = await listFiles(folder);
  const present = new Set(all);
  if (!present.has('clients.json')) problems.add('clients.json', null, null, 'is missing: the old bot always writes it (is this the right folder?)');
  for (const name of all) {
    if (name.endsWith('.json') && !name.includes('/') && !(LEGACY_FILES as readonly string[]).includes(name)) {
      notes.push(`${name} is not part of the old bot's layout: not imported (kept with the originals).`);
    }
  }

  say('Reading the files…');
  const inspected = new Map<string, SourceFile>();
  for (const name of LEGACY_FILES) {
    if (!present.has(name)) continue;
    const info = await inspectFile(join(folder, name), name);
    inspected.set(name, info);
    report.files.push(info);
    if (info.encoding === 'windows-1252') notes.push(`${name} is not UTF-8: read as Windows-1252.`);
  }
  if (problems.count > 0) return finish();

  // the originals, kept before anything changes; the import then reads the kept copy
  let source = folder;
  if (!dryRun) {
    say('Backing up the database before the import…');
    report.backupId = await options.backup();
    const target = join(options.dataDir, 'imports', stampOf(options.now));
    say(`Keeping the original files in ${target}…`);
    const hashes = new Map([...inspected.values()].map((f) => [f.name, f.sha256]));
    await keepOriginals(folder, all, target, hashes);
    report.keptIn = target;
    source = target;
  }

  // the document store is ready before the import holds the database
  if (!dryRun && options.documents) await options.documents.start();
  const store = new Store({ file: options.databaseFile, nativeBinding: options.nativeBinding });
  const db = store.sqlite;
  try {
    db.exec('BEGIN IMMEDIATE');
    let committed = false;
    try {
      const at = options.now.toISOString();
      const batchId = Number(
        db
          .prepare('INSERT INTO import_batches (kind, source, kept_in, files, backup_id, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run('legacy', folder, report.keptIn, JSON.stringify(report.files), report.backupId, options.actor, at).lastInsertRowid,
      );
      const run = new LegacyRun(store, batchId, options, problems, report, source, inspected, present);
      await run.all();
      if (problems.count === 0) await run.media(dryRun);
      if (problems.count === 0 && !dryRun) {
        const counts = Object.fromEntries(Object.entries(report.counts).map(([k, c]) => [k, c.imported]));
        db.prepare('UPDATE import_batches SET counts = ? WHERE id = ?').run(JSON.stringify(counts), batchId);
        db.exec('COMMIT');
        committed = true;
        report.batchId = batchId;
      }
      report.ok = problems.count === 0;
    } finally {
      if (!committed && db.inTransaction) db.exec('ROLLBACK');
    }
  } finally {
    store.sqlite.close();
  }
  return finish();
}

/** One import's work inside its transaction. */
class LegacyRun {
  private readonly db;
  private timeZone = 'UTC';
  private practiceAreas: string[] = [];
  private readonly areaKeys = new Map<string, string>();
  private readonly settingsStore: BotSettingsStore;
  /** username key → the LexDesk user (id, name) */
  private readonly users = new Map<string, { id: string; name: string }>();
  private readonly touchedConversations = new Set<number>();
  private readonly stmt;
  private steps = 0;

  constructor(
    private readonly store: Store,
    private readonly batchId: number,
    private readonly options: LegacyImportOptions,
    private readonly problems: ProblemList,
    private readonly report: LegacyReport,
    private readonly source: string,
    private readonly files: Map<string, SourceFile>,
    private readonly present: ReadonlySet<string>,
  ) {
    this.db = store.sqlite;
    this.settingsStore = new BotSettingsStore(() => store, new ManualClock(options.now));
    const db = this.db;
    this.stmt = {
      record: db.prepare('SELECT local_id, batch_id FROM import_records WHERE kind = ? AND legacy_id = ?'),
      remember: db.prepare('INSERT INTO import_records (kind, legacy_id, local_id, batch_id, extra) VALUES (?, ?, ?, ?, ?)'),
      userByKey: db.prepare('SELECT id, display_name FROM users WHERE username_key = ?'),
      insertUser: db.prepare(`INSERT INTO users (id, username, username_key, display_name, role, password_hash, disabled, must_change_password,
        failed_attempts, locked_until, password_changed_at, last_sign_in_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, NULL, ?, ?)`),
      clientByWhatsapp: db.prepare('SELECT id FROM clients WHERE whatsapp = ?'),
      insertClient: db.prepare('INSERT INTO clients (whatsapp, name, name_key, push_name, language, created_at, updated_at) VALUES (?, ?, ?, NULL, NULL, ?, ?)'),
      referenceTaken: db.prepare('SELECT 1 FROM matters WHERE reference = ?'),
      insertMatter: db.prepare(`INSERT INTO matters (reference, client_id, conversation_id, practice_area, description, opposing_party, opposing_key,
        deadline, deadline_date, language, status, next_step, conflict_state, consent_id, created_at, updated_at)
        VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, NULL, ?, NULL, 'none', NULL, ?, ?)`),
      insertNote: db.prepare('INSERT INTO matter_notes (matter_id, author_id, author_name, text, at) VALUES (?, ?, ?, ?, ?)'),
      insertParty: db.prepare(
        'INSERT INTO parties (name, name_key, role, matter_reference, aliases, tax_id, email, phone, batch_id, created_at) VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?)',
      ),
      conversationByChat: db.prepare('SELECT id FROM conversations WHERE chat_id = ?'),
      insertConversation: db.prepare(`INSERT INTO conversations (chat_id, whatsapp, push_name, client_id, mode, state, last_activity_at, created_at)
        VALUES (?, ?, NULL, ?, 'bot', '{}', ?, ?)`),
      insertMessage: db.prepare(`INSERT INTO conversation_messages (conversation_id, direction, author, author_id, author_name, text, file_name, at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    };
  }

  async all(): Promise<void> {
    const settings = this.settingsStore.get();
    this.timeZone = settings.hours.timeZone;
    this.practiceAreas = [...settings.practiceAreas];
    for (const area of this.practiceAreas) this.areaKeys.set(area.toLowerCase(), area);
    if (this.files.has('settings.json')) await this.settings();
    if (this.files.has('users.json')) await this.each('users.json', (r, i) => this.user(r, i));
    if (this.files.has('clients.json')) await this.each('clients.json', (r, i) => this.client(r, i));
    if (this.files.has('cases.json')) await this.each('cases.json', (r, i) => this.matter(r, i));
    if (this.files.has('messages.json')) await this.each('messages.json', (r, i) => this.message(r, i));
    this.finishConversations();
    if (this.report.mapping.areasAdded.length > 0 && this.problems.count === 0) {
      this.settingsStore.set('practiceAreas', this.practiceAreas, `import:${this.options.actor}`);
    }
  }

  private get counts() {
    return this.report.counts;
  }

  private path(name: string): string {
    return join(this.source, name);
  }

  private async each(name: string, handle: (record: Record<string, unknown>, n: number) => void): Promise<void> {
    this.options.progress?.(`Importing ${name}…`);
    try {
      for await (const { index, value } of jsonArray(this.path(name), name, this.files.get(name)!)) {
        const n = index + 1;
        if (!isRecord(value)) this.problems.add(name, n, null, 'is not an object ({ … })');
        else handle(value, n);
        if (++this.steps % 2000 === 0) await yieldToLoop();
      }
    } catch (err) {
      if (err instanceof JsonShapeError) this.problems.add(name, null, null, err.message.slice(name.length + 2));
      else throw err;
    }
  }

  /** The LexDesk id of a record imported before, and whether it came in this very import. */
  private seen(kind: string, legacyId: string): { localId: string; thisRun: boolean } | null {
    const row = this.stmt.record.get(kind, legacyId) as { local_id: string; batch_id: number } | undefined;
    return row ? { localId: row.local_id, thisRun: row.batch_id === this.batchId } : null;
  }

  private remember(kind: string, legacyId: string, localId: string | number, extra: string | null): void {
    this.stmt.remember.run(kind, legacyId, String(localId), this.batchId, extra);
  }

  private read<T>(file: string, n: number, field: string, result: Read<T>): T | undefined {
    if (result.ok) return result.value;
    this.problems.add(file, n, field, result.problem);
    return undefined;
  }

  /** The record's id; a problem when it has none or repeats one of this file. */
  private idOf(file: string, kind: string, record: Record<string, unknown>, n: number): { id: string; before: string | null } | null {
    const id = this.read(file, n, 'id', readId(record.id));
    if (id === undefined) return null;
    const seen = this.seen(kind, id);
    if (seen?.thisRun) {
      this.problems.add(file, n, 'id', `${id} appears twice in ${file}`);
      return null;
    }
    return { id, before: seen?.localId ?? null };
  }

  private date(file: string, n: number, field: string, value: unknown, fallback: string | null = null): string | null | undefined {
    if (value === undefined || value === null || value === '') return fallback;
    return this.read(file, n, field, readDate(value, this.timeZone));
  }

  // ---- settings.json ----------------------------------------------------------------------------

  private async settings(): Promise<void> {
    const name = 'settings.json';
    let value: Record<string, unknown>;
    try {
      value = await jsonObject(this.path(name), name, this.files.get(name)!);
    } catch (err) {
      if (err instanceof JsonShapeError) return this.problems.add(name, null, null, err.message.slice(name.length + 2));
      throw err;
    }
    const count = this.counts.settings;
    if (this.seen('settings', 'settings')) {
      count.already++;
      if (typeof value.timezone === 'string' && validTimeZone(value.timezone)) this.timeZone = value.timezone;
      return;
    }
    const by = `import:${this.options.actor}`;
    const current = this.settingsStore.get();
    if (value.timezone !== undefined) {
      if (typeof value.timezone !== 'string' || !validTimeZone(value.timezone)) {
        this.problems.add(name, null, 'timezone', `${JSON.stringify(value.timezone)} is not an IANA time zone (e.g. America/Sao_Paulo)`);
      } else {
        this.timeZone = value.timezone;
        this.settingsStore.set('hours', { ...current.hours, timeZone: value.timezone }, by);
      }
    }
    if (value.officeName !== undefined) {
      const officeName = this.read(name, 0, 'officeName', readText(value.officeName, 'officeName', { max: 120 }));
      if (officeName) this.settingsStore.set('profile', { ...current.profile, name: officeName }, by);
    }
    if (value.practiceAreas !== undefined) {
      if (!Array.isArray(value.practiceAreas) || value.practiceAreas.some((a) => typeof a !== 'string')) {
        this.problems.add(name, null, 'practiceAreas', 'is not a list of names');
      } else {
        for (const area of value.practiceAreas as string[]) this.area(area.trim(), false);
        this.settingsStore.set('practiceAreas', this.practiceAreas, by);
      }
    }
    if (value.welcomeMessage !== undefined) {
      const text = typeof value.welcomeMessage === 'string' ? value.welcomeMessage.trim() : '';
      const language = current.behaviour.language;
      try {
        if (!text) throw new Error('empty');
        this.settingsStore.set('texts', { ...current.texts, [language]: { ...(current.texts[language] ?? {}), greeting: text } }, by);
      } catch {
        this.report.notes.push('settings.json welcomeMessage could not be used as the greeting: set it in Settings → Bot texts.');
      }
    }
    if (value.officeHours !== undefined) {
      this.report.notes.push(`settings.json officeHours ("${String(value.officeHours).slice(0, 80)}") is free text: not imported; set the hours in Settings → Office hours.`);
    }
    const other = Object.keys(value).filter((k) => !KNOWN.settings.has(k) && k !== 'officeHours');
    if (other.length > 0) this.report.notes.push(`settings.json: not imported (kept with the batch): ${other.join(', ')}.`);
    this.remember('settings', 'settings', 'bot_settings', JSON.stringify(value));
    count.imported++;
  }

  /** A practice area by name: the office's own spelling when it has it, else added (and reported). */
  private area(name: string, flag = true): string {
    const known = this.areaKeys.get(name.toLowerCase());
    if (known) return known;
    this.practiceAreas.push(name);
    this.areaKeys.set(name.toLowerCase(), name);
    if (flag) this.report.mapping.areasAdded.push(name);
    return name;
  }

  // ---- users.json -------------------------------------------------------------------------------

  private readonly usernames = new Map<string, number>();

  private user(r: Record<string, unknown>, n: number): void {
    const file = 'users.json';
    const id = this.idOf(file, 'user', r, n);
    if (!id) return;
    const username = this.read(file, n, 'username', readText(r.username, 'username', { required: true, max: 64 }));
    if (!username) return;
    const key = usernameKey(username);
    const twin = this.usernames.get(key);
    if (twin !== undefined) {
      this.problems.add(file, n, 'username', `"${username}" differs only in case from the username of record #${twin}`);
      return;
    }
    this.usernames.set(key, n);
    const count = this.counts.users;
    if (id.before) {
      const row = this.stmt.userByKey.get(key) as { id: string; display_name: string } | undefined;
      if (row) this.users.set(key, { id: row.id, name: row.display_name });
      count.already++;
      return;
    }
    const roleText = typeof r.role === 'string' ? r.role.trim().toLowerCase() : '';
    const role = ROLE_MAP[roleText];
    if (!role) {
      this.problems.add(file, n, 'role', `${JSON.stringify(r.role)} is not a role of the old bot (${Object.keys(ROLE_MAP).join(', ')})`);
      return;
    }
    const name = this.read(file, n, 'name', readText(r.name, 'name', { max: 120 })) ?? username;
    const createdAt = this.date(file, n, 'createdAt', r.createdAt, this.options.now.toISOString());
    if (createdAt === undefined) return;
    if (r.active !== undefined && typeof r.active !== 'boolean') {
      this.problems.add(file, n, 'active', `${JSON.stringify(r.active)} is not true or false`);
      return;
    }
    const existing = this.stmt.userByKey.get(key) as { id: string; display_name: string } | undefined;
    if (existing) {
      // LexDesk already has this account: it stays as it is; the old records point to it
      this.users.set(key, { id: existing.id, name: existing.display_name });
      this.remember('user', id.id, existing.id, extraOf(r, KNOWN.users));
      count.linked++;
      this.report.notes.push(`users.json #${n}: "${username}" already has a LexDesk account; kept LexDesk's, the old records point to it.`);
      return;
    }
    const password = typeof r.password === 'string' ? r.password : '';
    let hash: string;
    let mustChange = 0;
    if (isBcryptHash(password)) {
      // $2y$ is PHP's name for the same algorithm as $2b$
      hash = LEGACY_BCRYPT + password.replace(/^\$2y\$/, '$2b$');
      this.report.mapping.passwordsKept++;
    } else {
      hash = RESET_REQUIRED;
      mustChange = 1;
      this.report.mapping.passwordsReset.push(username);
    }
    const userId = randomUUID();
    const at = this.options.now.toISOString();
    this.stmt.insertUser.run(userId, username, key, name, role, hash, r.active === false ? 1 : 0, mustChange, at, createdAt, at);
    this.users.set(key, { id: userId, name });
    this.remember('user', id.id, userId, extraOf(r, KNOWN.users));
    count.imported++;
  }

  /** A username of users.json (or of LexDesk) as the staff member it names, else null. */
  private staff(username: unknown): { id: string; name: string } | null {
    if (typeof username !== 'string' || !username.trim()) return null;
    const key = usernameKey(username);
    const known = this.users.get(key);
    if (known) return known;
    const row = this.stmt.userByKey.get(key) as { id: string; display_name: string } | undefined;
    return row ? { id: row.id, name: row.display_name } : null;
  }

  // ---- clients.json -----------------------------------------------------------------------------

  private client(r: Record<string, unknown>, n: number): void {
    const file = 'clients.json';
    const id = this.idOf(file, 'client', r, n);
    if (!id) return;
    const count = this.counts.clients;
    if (id.before) {
      count.already++;
      return;
    }
    const name = this.read(file, n, 'name', readText(r.name, 'name', { required: true, max: 200 }));
    const createdAt = this.date(file, n, 'createdAt', r.createdAt, this.options.now.toISOString());
    let whatsapp: string | undefined;
    if (r.phone === undefined || r.phone === null || r.phone === '') {
      // a client the office knew before WhatsApp: kept, with no number to write to
      whatsapp = `none:${id.id}`;
    } else {
      whatsapp = this.read(file, n, 'phone', readPhone(r.phone, this.options.countryCode));
    }
    if (r.consent !== undefined && r.consent !== null) {
      const consent = r.consent as Record<string, unknown>;
      if (!isRecord(consent)) this.problems.add(file, n, 'consent', 'is not an object { acceptedAt, version }');
      else if (consent.acceptedAt !== undefined) this.date(file, n, 'consent.acceptedAt', consent.acceptedAt);
    }
    if (!name || createdAt === undefined || createdAt === null || whatsapp === undefined) return;
    const existing = this.stmt.clientByWhatsapp.get(whatsapp) as { id: number } | undefined;
    if (existing) {
      const twin = this.seenLocal('client', String(existing.id));
      if (twin?.thisRun) {
        this.problems.add(file, n, 'phone', `${String(r.phone)} is also the number of client ${twin.legacyId} in clients.json`);
        return;
      }
      this.remember('client', id.id, existing.id, extraOf(r, KNOWN.clients));
      count.linked++;
      return;
    }
    const client = this.stmt.insertClient.run(whatsapp, name, nameKey(name), createdAt, createdAt);
    this.remember('client', id.id, Number(client.lastInsertRowid), extraOf(r, KNOWN.clients));
    count.imported++;
  }

  private seenLocal(kind: string, localId: string): { legacyId: string; thisRun: boolean } | null {
    const row = this.db
      .prepare('SELECT legacy_id, batch_id FROM import_records WHERE kind = ? AND local_id = ? LIMIT 1')
      .get(kind, localId) as { legacy_id: string; batch_id: number } | undefined;
    return row ? { legacyId: row.legacy_id, thisRun: row.batch_id === this.batchId } : null;
  }

  // ---- cases.json -------------------------------------------------------------------------------

  private readonly references = new Set<string>();

  private matter(r: Record<string, unknown>, n: number): void {
    const file = 'cases.json';
    const id = this.idOf(file, 'matter', r, n);
    if (!id) return;
    const count = this.counts.matters;
    if (id.before) {
      count.already++;
      return;
    }
    const clientLegacy = this.read(file, n, 'clientId', readId(r.clientId));
    let clientId: number | undefined;
    if (clientLegacy !== undefined) {
      const client = this.seen('client', clientLegacy);
      if (!client) this.problems.add(file, n, 'clientId', `${clientLegacy} is not in clients.json`);
      else clientId = Number(client.localId);
    }
    const statusText = typeof r.status === 'string' ? r.status.trim().toLowerCase() : 'new';
    const status = STATUS_MAP[statusText];
    if (!status) this.problems.add(file, n, 'status', `${JSON.stringify(r.status)} is not a status of the old bot (${Object.keys(STATUS_MAP).join(', ')})`);
    const createdAt = this.date(file, n, 'createdAt', r.createdAt, this.options.now.toISOString());
    const updatedAt = this.date(file, n, 'updatedAt', r.updatedAt, createdAt ?? null);
    const title = this.read(file, n, 'title', readText(r.title, 'title', { max: 500 }));
    const description = this.read(file, n, 'description', readText(r.description, 'description', { max: 20_000 }));
    const areaText = this.read(file, n, 'area', readText(r.area, 'area', { max: 80 }));
    let opposing: string[] = [];
    if (r.opposingParty !== undefined && r.opposingParty !== null) {
      const list = Array.isArray(r.opposingParty) ? r.opposingParty : [r.opposingParty];
      if (list.some((p) => typeof p !== 'string')) this.problems.add(file, n, 'opposingParty', 'is not a name or a list of names');
      else opposing = (list as string[]).map((p) => p.trim()).filter(Boolean);
    }
    let deadline: string | null = null;
    let deadlineDate: string | null = null;
    if (r.deadline !== undefined && r.deadline !== null && r.deadline !== '') {
      deadline = String(r.deadline).slice(0, 200);
      const parsed = readDate(r.deadline, this.timeZone);
      if (parsed.ok) deadlineDate = localTime(new Date(parsed.value), this.timeZone).date;
    }
    const notes: { text: string; author: { id: string; name: string } | null; authorName: string; at: string }[] = [];
    if (r.notes !== undefined && r.notes !== null) {
      if (!Array.isArray(r.notes)) this.problems.add(file, n, 'notes', 'is not a list of { text, author, at }');
      else {
        r.notes.forEach((note: unknown, i) => {
          if (!isRecord(note) || typeof note.text !== 'string') {
            this.problems.add(file, n, `notes[${i}]`, 'is not a note { text, author, at }');
            return;
          }
          const noteAt = this.date(file, n, `notes[${i}].at`, note.at, createdAt ?? null);
          if (noteAt === undefined || noteAt === null) return;
          const author = this.staff(note.author);
          notes.push({ text: note.text, author, authorName: author?.name ?? (typeof note.author === 'string' && note.author ? note.author : 'old bot'), at: noteAt });
        });
      }
    }
    if (clientId === undefined || !status || createdAt === undefined || createdAt === null || updatedAt === undefined || title === undefined || description === undefined || areaText === undefined) {
      return;
    }
    const area = this.area(areaText ?? 'Other');

    let reference: string;
    const wanted = typeof r.reference === 'string' ? r.reference.trim() : typeof r.reference === 'number' ? String(r.reference) : '';
    if (wanted && !this.references.has(wanted) && !this.stmt.referenceTaken.get(wanted)) {
      reference = wanted;
    } else {
      reference = nextReference(this.store, new Date(createdAt), this.timeZone);
      if (wanted) this.report.notes.push(`cases.json #${n}: reference "${wanted}" is already used: the matter is ${reference}.`);
    }
    this.references.add(reference);
    const text = [title, description].filter(Boolean).join('\n\n') || '(no description in the old bot)';
    const first = opposing[0] ?? null;
    const matter = this.stmt.insertMatter.run(
      reference,
      clientId,
      area,
      text,
      first,
      first ? nameKey(first) : null,
      deadline,
      deadlineDate,
      status,
      createdAt,
      updatedAt ?? createdAt,
    );
    const matterId = Number(matter.lastInsertRowid);
    addHistory(this.store, { matterId, at: this.options.now.toISOString(), actor: { type: 'system' }, action: 'imported', newValue: `cases.json id ${id.id}` });
    for (const note of notes) {
      this.stmt.insertNote.run(matterId, note.author?.id ?? null, note.authorName, note.text, note.at);
      this.counts.notes.imported++;
    }
    // the other opposing parties join the conflict check as parties of this matter
    for (const other of opposing.slice(1)) {
      this.stmt.insertParty.run(other, nameKey(other), 'adverse_party', reference, '[]', this.batchId, this.options.now.toISOString());
      this.counts.parties.imported++;
    }
    const extra = extraOf(r, KNOWN.cases);
    const extraWithTitle = title ? JSON.stringify({ ...(extra ? JSON.parse(extra) : {}), title }) : extra;
    this.remember('matter', id.id, matterId, extraWithTitle);
    count.imported++;
  }

  // ---- messages.json ----------------------------------------------------------------------------

  private message(r: Record<string, unknown>, n: number): void {
    const file = 'messages.json';
    const chat = this.read(file, n, 'chat', readPhone(r.chat, this.options.countryCode));
    let direction: 'in' | 'out' | undefined;
    if (r.direction === 'in' || r.direction === 'out') direction = r.direction;
    else if (typeof r.fromMe === 'boolean') direction = r.fromMe ? 'out' : 'in';
    else this.problems.add(file, n, 'direction', `${JSON.stringify(r.direction)} is not "in" or "out" (nor is there fromMe)`);
    const at = this.date(file, n, 'timestamp', r.timestamp);
    if (at === null) this.problems.add(file, n, 'timestamp', 'is missing');
    const body = r.body === undefined || r.body === null ? '' : typeof r.body === 'string' ? r.body : undefined;
    if (body === undefined) this.problems.add(file, n, 'body', 'is not text');
    let fileName: string | null = null;
    let media: { path: string | null; mimetype: string } | null = null;
    if (r.media !== undefined && r.media !== null) {
      if (!isRecord(r.media)) this.problems.add(file, n, 'media', 'is not { fileName, mimetype, path }');
      else {
        fileName = typeof r.media.fileName === 'string' && r.media.fileName ? r.media.fileName.slice(0, 255) : 'file';
        media = { path: this.mediaPath(r.media.path, n), mimetype: typeof r.media.mimetype === 'string' ? r.media.mimetype : 'application/octet-stream' };
      }
    }
    if (chat === undefined || !direction || !at || body === undefined) return;
    // messages without an id are known by what they are
    const legacyId =
      typeof r.id === 'string' && r.id ? r.id : typeof r.id === 'number' ? String(r.id) : `#${createHash('sha256').update(`${chat}|${at}|${direction}|${body}`).digest('hex').slice(0, 32)}`;
    const seen = this.seen('message', legacyId);
    if (seen?.thisRun) {
      this.problems.add(file, n, 'id', `${legacyId} appears twice in ${file}`);
      return;
    }
    if (seen) {
      this.counts.messages.already++;
      return;
    }
    const conversationId = this.conversation(chat, at);
    const staff = direction === 'out' ? this.staff(r.author) : null;
    const author = direction === 'in' ? 'client' : staff ? 'staff' : 'bot';
    const row = this.stmt.insertMessage.run(conversationId, direction, author, staff?.id ?? null, staff?.name ?? null, body, fileName, at);
    this.remember('message', legacyId, Number(row.lastInsertRowid), extraOf(r, KNOWN.messages));
    if (media?.path) {
      this.files_.push({ n, messageId: Number(row.lastInsertRowid), path: media.path, fileName: fileName!, mimetype: media.mimetype, conversationId, inbound: direction === 'in', by: staff?.name ?? null, at });
    }
    this.counts.messages.imported++;
  }

  /** the messages' files found in the folder, stored once every record is read */
  private readonly files_: { n: number; messageId: number; path: string; fileName: string; mimetype: string; conversationId: number; inbound: boolean; by: string | null; at: string }[] = [];
  private missingFiles: string[] = [];

  /** `media.path`, relative to the folder: null (with a note) when the file is not there, a problem when it points outside. */
  private mediaPath(value: unknown, n: number): string | null {
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') {
      this.problems.add('messages.json', n, 'media.path', 'is not text');
      return null;
    }
    const path = posix.normalize(value.replace(/\\/g, '/'));
    if (path.startsWith('/') || path === '..' || path.startsWith('../') || /^[a-z]:/i.test(path) || path.includes('\0')) {
      this.problems.add('messages.json', n, 'media.path', `${JSON.stringify(value)} points outside the folder`);
      return null;
    }
    if (!this.present.has(path)) {
      this.missingFiles.push(path);
      return null;
    }
    return path;
  }

  /**
   * The messages' files into the document store (streamed, one at a time), each
   * named by a row and linked to its message in this transaction. A file the
   * store refuses (a program, too large, empty) is noted and its message keeps
   * the file's name only. In a dry run, only counted.
   */
  async media(dryRun: boolean): Promise<void> {
    const count = this.counts.documents;
    if (this.missingFiles.length > 0) {
      const shown = this.missingFiles.slice(0, 5).join(', ');
      this.report.notes.push(
        `${this.missingFiles.length} ${this.missingFiles.length === 1 ? 'file named in messages.json is' : 'files named in messages.json are'} not in the folder (${shown}${this.missingFiles.length > 5 ? ', …' : ''}): those messages keep only the file's name.`,
      );
    }
    const documents = this.options.documents;
    if (this.files_.length === 0) return;
    if (dryRun) {
      count.imported = this.files_.length;
      return;
    }
    if (!documents) {
      this.report.notes.push(`${this.files_.length} files of messages were not copied: the document store was not open.`);
      return;
    }
    this.options.progress?.(`Storing ${this.files_.length} files of messages…`);
    const insert = this.db.prepare(`INSERT INTO documents (sha256, size, declared_type, detected_type, file_name, source, created_at, created_by_id, created_by,
        conversation_id, matter_id, client_id, wa_id) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, NULL, (SELECT client_id FROM conversations WHERE id = ?), NULL)`);
    const link = this.db.prepare('UPDATE conversation_messages SET document_id = ?, file_name = ? WHERE id = ?');
    for (const f of this.files_) {
      let blob;
      try {
        blob = await documents.write(createReadStream(join(this.source, ...f.path.split('/'))), { fileName: f.fileName, declaredType: f.mimetype });
      } catch (err) {
        if (err instanceof AppError && err.code === 'invalid_input') {
          this.report.notes.push(`messages.json #${f.n}: ${f.path} was not kept: ${err.message}`);
          continue;
        }
        throw err;
      }
      const id = Number(
        insert.run(blob.sha256, blob.size, blob.declaredType, blob.detection.detected, blob.fileName, f.inbound ? 'client' : 'staff', f.at, f.by, f.conversationId, f.conversationId)
          .lastInsertRowid,
      );
      link.run(id, blob.fileName, f.messageId);
      count.imported++;
    }
  }

  private readonly conversations = new Map<string, number>();

  /** The conversation with this number, made when there is none (linked to the client with that number). */
  private conversation(whatsapp: string, at: string): number {
    const chatId = `${whatsapp}@c.us`;
    let id = this.conversations.get(chatId);
    if (id !== undefined) return id;
    const row = this.stmt.conversationByChat.get(chatId) as { id: number } | undefined;
    if (row) {
      id = row.id;
      this.counts.conversations.linked++;
    } else {
      const client = this.stmt.clientByWhatsapp.get(whatsapp) as { id: number } | undefined;
      id = Number(this.stmt.insertConversation.run(chatId, whatsapp, client?.id ?? null, at, at).lastInsertRowid);
      this.counts.conversations.imported++;
    }
    this.conversations.set(chatId, id);
    this.touchedConversations.add(id);
    return id;
  }

  /** Each conversation's last activity and preview from its newest message, imported or not. */
  private finishConversations(): void {
    const update = this.db.prepare(`UPDATE conversations SET
        last_activity_at = max(last_activity_at, coalesce((SELECT max(at) FROM conversation_messages WHERE conversation_id = $id), last_activity_at)),
        last_inbound_at = (SELECT max(at) FROM conversation_messages WHERE conversation_id = $id AND direction = 'in'),
        last_preview = coalesce((SELECT substr(text, 1, 120) FROM conversation_messages WHERE conversation_id = $id ORDER BY at DESC, id DESC LIMIT 1), last_preview)
      WHERE id = $id`);
    for (const id of this.touchedConversations) update.run({ id });
  }
}
