import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse } from 'csv-parse';
import { nameKey } from '../bot/names.js';
import type { Database } from 'better-sqlite3';
import { Store } from '../db/store.js';
import type { PartyRole } from '../db/tables.js';
import { inspectFile, jsonArray, JsonShapeError, textStream, type SourceFile } from './source.js';
import { problemLine, type Problem } from './legacy.js';

/**
 * `lexdesk import parties <file>`: the people and companies the office knew
 * before LexDesk — clients, former clients, adverse and related parties,
 * witnesses — from a CSV (commas, semicolons or tabs; quoted newlines; UTF-8 or
 * Windows-1252) or a JSON array, into `parties`, where the conflict check finds
 * them. Columns are matched to fields by their header (or `--map`), shown in a
 * preview; all rows land in one transaction or none; a row seen before (same
 * name, role and matter) is not added twice.
 */

export const PARTY_FIELDS = ['name', 'role', 'matter', 'aliases', 'taxId', 'email', 'phone'] as const;
export type PartyField = (typeof PARTY_FIELDS)[number];

export const PARTY_ROLE_LABELS: Record<PartyRole, string> = {
  client: 'client',
  former_client: 'former client',
  adverse_party: 'adverse party',
  related_party: 'related party',
  witness: 'witness',
};

/** Header names (folded) that name each field, in the office's languages. */
const HEADER_NAMES: Record<PartyField, string[]> = {
  name: ['name', 'full name', 'party', 'nome', 'nombre', 'razao social', 'company', 'person'],
  role: ['role', 'type', 'kind', 'papel', 'tipo', 'relation', 'relationship'],
  matter: ['matter', 'matter reference', 'reference', 'case', 'processo', 'caso', 'expediente', 'ref'],
  aliases: ['aliases', 'alias', 'aka', 'also known as', 'other names', 'apelidos', 'nome fantasia'],
  taxId: ['tax id', 'taxid', 'tax number', 'vat', 'nif', 'cpf', 'cnpj', 'cpf cnpj', 'document', 'documento', 'national id', 'id number'],
  email: ['email', 'e mail', 'mail'],
  phone: ['phone', 'telephone', 'mobile', 'whatsapp', 'telefone', 'celular', 'telefono'],
};

const ROLE_WORDS: Record<string, PartyRole> = {
  client: 'client',
  cliente: 'client',
  'current client': 'client',
  'former client': 'former_client',
  'ex client': 'former_client',
  'ex cliente': 'former_client',
  'past client': 'former_client',
  'adverse party': 'adverse_party',
  adverse: 'adverse_party',
  opponent: 'adverse_party',
  'opposing party': 'adverse_party',
  'parte contraria': 'adverse_party',
  'related party': 'related_party',
  related: 'related_party',
  'parte relacionada': 'related_party',
  witness: 'witness',
  testemunha: 'witness',
  testigo: 'witness',
};

function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** A list spells its roles a handful of ways: each spelling is folded once. */
const roleSpellings = new Map<string, PartyRole | null>();

export function partyRole(text: string): PartyRole | null {
  let role = roleSpellings.get(text);
  if (role === undefined) {
    role = ROLE_WORDS[fold(text)] ?? null;
    if (roleSpellings.size < 1000) roleSpellings.set(text, role);
  }
  return role;
}

/** Which field each column feeds: from `--map "Nome=name,Tipo=role"`, else from the header's wording. */
export function mapColumns(columns: string[], explicit: Partial<Record<string, PartyField>> = {}): Partial<Record<PartyField, string>> {
  const mapping: Partial<Record<PartyField, string>> = {};
  for (const [column, field] of Object.entries(explicit)) if (field && columns.includes(column)) mapping[field] = column;
  for (const column of columns) {
    const folded = fold(column);
    for (const field of PARTY_FIELDS) {
      if (mapping[field] || Object.values(mapping).includes(column)) continue;
      if (HEADER_NAMES[field].includes(folded) || fold(field) === folded) mapping[field] = column;
    }
  }
  return mapping;
}

/** `--map "Nome=name,Tipo=role"` as { Nome: 'name', Tipo: 'role' }; null when a field is not one of ours. */
export function parseMap(text: string | undefined): Partial<Record<string, PartyField>> | string {
  const out: Partial<Record<string, PartyField>> = {};
  if (!text) return out;
  for (const pair of text.split(',')) {
    const at = pair.lastIndexOf('=');
    const column = pair.slice(0, at).trim();
    const field = pair.slice(at + 1).trim() as PartyField;
    if (at <= 0 || !PARTY_FIELDS.includes(field)) return `"${pair}" is not column=field (fields: ${PARTY_FIELDS.join(', ')})`;
    out[column] = field;
  }
  return out;
}

export interface PartyRow {
  name: string;
  role: PartyRole;
  matter: string | null;
  aliases: string[];
  taxId: string | null;
  email: string | null;
  phone: string | null;
}

export interface PartyFileOptions {
  delimiter?: string;
  map?: Partial<Record<string, PartyField>>;
  /** field → column, exactly as chosen on the Import screen: fields left out feed nothing */
  exact?: Partial<Record<PartyField, string>>;
  /** more rows than this make a problem rather than a longer transaction */
  maxRows?: number;
}

/** The mapping for these columns: the exact one given, else `map` and the headers' wording. */
function mappingFor(columns: string[], options: PartyFileOptions): Partial<Record<PartyField, string>> {
  if (!options.exact) return mapColumns(columns, options.map);
  const mapping: Partial<Record<PartyField, string>> = {};
  for (const field of PARTY_FIELDS) {
    const column = options.exact[field];
    if (column && columns.includes(column)) mapping[field] = column;
  }
  return mapping;
}

type Raw = { n: number; values: Record<string, unknown> };

/** The delimiter of a CSV from its first line: the one of ; , tab that appears most outside quotes. */
function guessDelimiter(firstLine: string): string {
  const outside = firstLine.replace(/"[^"]*"/g, '');
  const counts = [';', ',', '\t'].map((d) => [d, outside.split(d).length - 1] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![1] > 0 ? counts[0]![0] : ',';
}

async function firstLine(path: string, file: SourceFile): Promise<string> {
  let text = '';
  for await (const chunk of textStream(path, file.encoding)) {
    text += chunk as string;
    if (text.includes('\n') || text.length > 65536) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

/** The rows of the file, one at a time, with their number (1 is the first row after the header). */
async function* rawRows(path: string, name: string, file: SourceFile, options: PartyFileOptions, columns: { value: string[] }): AsyncGenerator<Raw> {
  if (extname(name).toLowerCase() === '.json') {
    for await (const { index, value } of jsonArray(path, name, file)) {
      const values = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { __notObject: value };
      for (const k of Object.keys(values)) if (!columns.value.includes(k) && k !== '__notObject') columns.value.push(k);
      yield { n: index + 1, values };
    }
    return;
  }
  if (file.bytes === 0) throw new JsonShapeError(name, 'the file is empty');
  const delimiter = options.delimiter ?? guessDelimiter(await firstLine(path, file));
  const parser = textStream(path, file.encoding).pipe(
    parse({ delimiter, bom: true, columns: (header: string[]) => (columns.value = header.map((h) => h.trim())), skip_empty_lines: true, relax_column_count: true, trim: true }),
  );
  let n = 0;
  try {
    for await (const record of parser as AsyncIterable<Record<string, string>>) yield { n: ++n, values: record };
  } catch (err) {
    throw new JsonShapeError(name, `row ${n + 1} cannot be read as CSV (${(err as Error).message})`);
  } finally {
    parser.destroy();
  }
}

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const t = String(value).trim();
  return t ? t : null;
}

/** One row as a party, or the problem with it. */
function toParty(raw: Raw, mapping: Partial<Record<PartyField, string>>, name: string, problems: Problem[]): PartyRow | null {
  const v = raw.values;
  if ('__notObject' in v) {
    problems.push({ file: name, record: raw.n, field: null, message: 'is not an object ({ … })' });
    return null;
  }
  const get = (field: PartyField) => (mapping[field] ? v[mapping[field]!] : undefined);
  const partyName = text(get('name'));
  const roleText = text(get('role'));
  const role = roleText ? partyRole(roleText) : null;
  let ok = true;
  if (!partyName || partyName.length > 300) {
    problems.push({ file: name, record: raw.n, field: mapping.name ?? 'name', message: partyName ? 'is longer than 300 characters' : 'is empty: every party needs a name' });
    ok = false;
  }
  if (!role) {
    problems.push({
      file: name,
      record: raw.n,
      field: mapping.role ?? 'role',
      message: roleText ? `"${roleText}" is not a role (client, former client, adverse party, related party, witness)` : 'is empty: say client, former client, adverse party, related party or witness',
    });
    ok = false;
  }
  const aliasValue = get('aliases');
  const aliases = (Array.isArray(aliasValue) ? aliasValue.map(String) : (text(aliasValue) ?? '').split(/[|;\n]/)).map((a) => a.trim()).filter(Boolean);
  const email = text(get('email'));
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    problems.push({ file: name, record: raw.n, field: mapping.email ?? 'email', message: `"${email}" is not an email address` });
    ok = false;
  }
  if (!ok) return null;
  const taxId = text(get('taxId'));
  return {
    name: partyName!,
    role: role!,
    matter: text(get('matter')),
    aliases,
    taxId: taxId ? taxId.replace(/[^\p{L}\p{N}]/gu, '').toUpperCase() : null,
    email: email?.toLowerCase() ?? null,
    phone: text(get('phone'))?.replace(/[^\d+]/g, '') || null,
  };
}

export interface PartiesPreview {
  file: SourceFile;
  columns: string[];
  mapping: Partial<Record<PartyField, string>>;
  rows: PartyRow[];
  problems: Problem[];
}

/** The columns, how they map and the first rows as they would be imported. */
export async function previewParties(path: string, name: string, options: PartyFileOptions = {}, count = 5): Promise<PartiesPreview> {
  const file = await inspectFile(path, name);
  const columns = { value: [] as string[] };
  const problems: Problem[] = [];
  const rows: PartyRow[] = [];
  let mapping: Partial<Record<PartyField, string>> = {};
  try {
    for await (const raw of rawRows(path, name, file, options, columns)) {
      mapping = mappingFor(columns.value, options);
      const row = toParty(raw, mapping, name, problems);
      if (row) rows.push(row);
      if (raw.n >= count) break;
    }
  } catch (err) {
    if (!(err instanceof JsonShapeError)) throw err;
    problems.push({ file: name, record: null, field: null, message: err.message.slice(name.length + 2) });
  }
  return { file, columns: columns.value, mapping: mappingFor(columns.value, options), rows, problems };
}

export interface PartiesReport {
  dryRun: boolean;
  ok: boolean;
  file: SourceFile | null;
  columns: string[];
  mapping: Partial<Record<PartyField, string>>;
  imported: number;
  already: number;
  byRole: Partial<Record<PartyRole, number>>;
  batchId: number | null;
  problems: Problem[];
  moreProblems: number;
}

/** The key a party is known by between imports: the same name, role and matter is the same party. */
function partyLegacyId(row: PartyRow, key = nameKey(row.name)): string {
  return createHash('sha256').update(`${key}|${row.role}|${row.matter ?? ''}|${row.taxId ?? ''}`).digest('hex').slice(0, 40);
}

/** The stored key: the name's key and each alias's, one per line. */
export function partyKeys(name: string, aliases: string[], key = nameKey(name)): string {
  const keys = [key, ...aliases.map(nameKey)].filter(Boolean);
  return [...new Set(keys)].join('\n');
}

/** A file read and checked, before anything is written: its rows as parties, or its problems. */
export interface PartiesParsed {
  name: string;
  file: SourceFile;
  columns: string[];
  mapping: Partial<Record<PartyField, string>>;
  rows: { row: PartyRow; legacyId: string; keys: string; extra: string | null }[];
  problems: Problem[];
  moreProblems: number;
}

/**
 * Reads the whole file (streamed, a chunk at a time, yielding to the event loop
 * between chunks) into checked rows. Nothing is written: `writeParties` does that
 * in one short synchronous transaction afterwards.
 */
export async function readParties(path: string, name: string, options: PartyFileOptions = {}, file?: SourceFile): Promise<PartiesParsed> {
  const source = file ?? (await inspectFile(path, name));
  const columns = { value: [] as string[] };
  const parsed: PartiesParsed = { name, file: source, columns: [], mapping: {}, rows: [], problems: [], moreProblems: 0 };
  const add = (p: Problem) => {
    if (parsed.problems.length < 1000) parsed.problems.push(p);
    else parsed.moreProblems++;
  };
  let mapping: Partial<Record<PartyField, string>> | null = null;
  let mappedColumns = 0;
  let checkedHeader = false;
  let used = new Set<string>();
  const local: Problem[] = [];
  try {
    for await (const raw of rawRows(path, name, source, options, columns)) {
      // a JSON file's columns are the keys seen so far
      if (!mapping || columns.value.length !== mappedColumns) {
        mapping = mappingFor(columns.value, options);
        mappedColumns = columns.value.length;
        used = new Set(Object.values(mapping));
      }
      if (!checkedHeader) {
        checkedHeader = true;
        if (!mapping.name) add({ file: name, record: null, field: null, message: `no column holds the names (columns: ${columns.value.join(', ')}); name it "name" or use --map "Column=name"` });
        if (!mapping.role) add({ file: name, record: null, field: null, message: `no column holds the roles (columns: ${columns.value.join(', ')}); name it "role" or use --map "Column=role"` });
        if (!mapping.name || !mapping.role) break;
      }
      if (options.maxRows !== undefined && raw.n > options.maxRows) {
        add({ file: name, record: null, field: null, message: `has more than ${options.maxRows.toLocaleString('en')} rows: split it into smaller files and import each` });
        break;
      }
      local.length = 0;
      const row = toParty(raw, mapping, name, local);
      for (const p of local) add(p);
      if (!row) continue;
      let extra: Record<string, unknown> | null = null;
      for (const k in raw.values) {
        const v = raw.values[k];
        if (!used.has(k) && v !== '' && v !== undefined) (extra ??= {})[k] = v;
      }
      const key = nameKey(row.name);
      parsed.rows.push({ row, legacyId: partyLegacyId(row, key), keys: partyKeys(row.name, row.aliases, key), extra: extra ? JSON.stringify(extra) : null });
    }
  } catch (err) {
    if (!(err instanceof JsonShapeError)) throw err;
    add({ file: name, record: null, field: null, message: err.message.slice(name.length + 2) });
  }
  parsed.columns = columns.value;
  parsed.mapping = mapping ?? mappingFor(columns.value, options);
  return parsed;
}

export interface PartiesWritten {
  batchId: number;
  imported: number;
  already: number;
  byRole: Partial<Record<PartyRole, number>>;
}

/**
 * The checked rows into `parties`, inside the caller's transaction (all or none):
 * one batch, rows seen in an earlier import (or earlier in this file) skipped,
 * the trigram index written once for the whole batch. Synchronous and short:
 * about a second per 100,000 rows (npm run bench:conflicts).
 */
export function writeParties(db: Database, parsed: PartiesParsed, options: { source: string; actor: string; now: Date }): PartiesWritten {
  if (!db.inTransaction) throw new Error('writeParties runs inside a transaction');
  const at = options.now.toISOString();
  const batchId = Number(
    db.prepare('INSERT INTO import_batches (kind, source, files, actor, created_at) VALUES (?, ?, ?, ?, ?)').run('parties', options.source, JSON.stringify([parsed.file]), options.actor, at)
      .lastInsertRowid,
  );
  // this batch's rows are indexed below in one statement, not one by one by the trigger
  db.prepare('INSERT INTO parties_fts_deferred (batch_id) VALUES (?)').run(batchId);
  const seen = db.prepare("SELECT 1 FROM import_records WHERE kind = 'party' AND legacy_id = ?").pluck();
  const remember = db.prepare("INSERT INTO import_records (kind, legacy_id, local_id, batch_id, extra) VALUES ('party', ?, ?, ?, ?)");
  const insert = db.prepare(
    'INSERT INTO parties (name, name_key, role, matter_reference, aliases, tax_id, email, phone, batch_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const out: PartiesWritten = { batchId, imported: 0, already: 0, byRole: {} };
  const inFile = new Set<string>();
  for (const { row, legacyId, keys, extra } of parsed.rows) {
    // the same party twice in one file is one party
    if (inFile.has(legacyId)) continue;
    inFile.add(legacyId);
    if (seen.get(legacyId) !== undefined) {
      out.already++;
      continue;
    }
    const result = insert.run(row.name, keys, row.role, row.matter, JSON.stringify(row.aliases), row.taxId, row.email, row.phone, batchId, at);
    remember.run(legacyId, String(result.lastInsertRowid), batchId, extra);
    out.imported++;
    out.byRole[row.role] = (out.byRole[row.role] ?? 0) + 1;
  }
  db.prepare('INSERT INTO parties_fts (rowid, name_key) SELECT id, name_key FROM parties WHERE batch_id = ?').run(batchId);
  db.prepare('DELETE FROM parties_fts_deferred WHERE batch_id = ?').run(batchId);
  db.prepare('UPDATE import_batches SET counts = ? WHERE id = ?').run(JSON.stringify({ parties: out.imported, already: out.already }), batchId);
  return out;
}

/** The report of a parsed file, before any writing (or of a refused one). */
export function partiesReport(parsed: PartiesParsed | null, dryRun: boolean): PartiesReport {
  return {
    dryRun,
    ok: parsed !== null && parsed.problems.length === 0 && parsed.moreProblems === 0,
    file: parsed?.file ?? null,
    columns: parsed?.columns ?? [],
    mapping: parsed?.mapping ?? {},
    imported: 0,
    already: 0,
    byRole: {},
    batchId: null,
    problems: parsed?.problems ?? [],
    moreProblems: parsed?.moreProblems ?? 0,
  };
}

/**
 * Reads the file, then (when it has no problems) writes it in one transaction on
 * its own connection to the database: the whole list or nothing. A dry run
 * writes and rolls back, to count what is already imported.
 */
export async function importParties(options: {
  path: string;
  name: string;
  databaseFile: string;
  nativeBinding?: string;
  dryRun: boolean;
  now: Date;
  actor: string;
  file?: PartyFileOptions;
}): Promise<PartiesReport> {
  const { path, name } = options;
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) {
    const report = partiesReport(null, options.dryRun);
    report.problems.push({ file: name, record: null, field: null, message: 'is not a file that can be read' });
    return report;
  }
  const parsed = await readParties(path, name, options.file ?? {});
  const report = partiesReport(parsed, options.dryRun);
  if (!report.ok) return report;
  const store = new Store({ file: options.databaseFile, nativeBinding: options.nativeBinding });
  const db = store.sqlite;
  try {
    db.exec('BEGIN IMMEDIATE');
    let committed = false;
    try {
      const written = writeParties(db, parsed, { source: path, actor: options.actor, now: options.now });
      Object.assign(report, { imported: written.imported, already: written.already, byRole: written.byRole });
      if (!options.dryRun) {
        db.exec('COMMIT');
        committed = true;
        report.batchId = written.batchId;
      }
    } finally {
      if (!committed && db.inTransaction) db.exec('ROLLBACK');
    }
  } finally {
    db.close();
  }
  return report;
}

export function formatPartiesReport(r: PartiesReport): string {
  const lines: string[] = [];
  lines.push(r.dryRun ? 'Dry run (nothing was changed):' : 'Import of parties:');
  if (r.file) lines.push(`  ${r.file.name}: ${r.file.bytes} bytes, ${r.file.encoding}, sha256 ${r.file.sha256}`);
  lines.push(`Columns: ${r.columns.join(', ') || '(none)'}`);
  lines.push(`Mapping: ${PARTY_FIELDS.map((f) => `${f} ← ${r.mapping[f] ? `"${r.mapping[f]}"` : '(none)'}`).join(', ')}`);
  lines.push(`${r.imported} parties ${r.dryRun ? 'to import' : 'imported'}${r.already ? `, already imported: ${r.already}` : ''}`);
  for (const [role, n] of Object.entries(r.byRole)) lines.push(`  ${PARTY_ROLE_LABELS[role as PartyRole]}: ${n}`);
  if (r.problems.length > 0) {
    lines.push(`Problems (${r.problems.length + r.moreProblems}) — ${r.dryRun ? 'the import would be refused' : 'nothing was imported'}:`);
    for (const p of r.problems) lines.push(`  ${problemLine(p)}`);
    if (r.moreProblems > 0) lines.push(`  … and ${r.moreProblems} more`);
  }
  return lines.join('\n') + '\n';
}
