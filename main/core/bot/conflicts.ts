import type { Compilable } from 'kysely';
import type { ConflictDirection } from '../../../shared/bot.js';
import type { Store } from '../db/store.js';
import type { PartyRole } from '../db/tables.js';
import { nameKey, nameSimilarity, trigramQuery } from './names.js';

/** From this similarity on, a name is a possible conflict for a lawyer to look at. */
export const CONFLICT_THRESHOLD = 0.75;
const CANDIDATES = 60;
const MAX_HITS = 20;

export interface ConflictHit {
  direction: ConflictDirection;
  /** the name we checked (the new matter's opposing party, or the new client) */
  checkedName: string;
  matchedName: string;
  matchedClientId: number | null;
  matchedMatterId: number | null;
  /** a party the office imported (a list of known clients and adverse parties), with its role and matter */
  matchedPartyId?: number | null;
  matchedRole?: PartyRole | null;
  matchedReference?: string | null;
  /** 0…1 */
  score: number;
}

/** Imported parties on the new client's side of a matter: an opposing party resembling one is a conflict. */
const CLIENT_SIDE: readonly PartyRole[] = ['client', 'former_client', 'related_party', 'witness'];
/** Imported parties against the office's clients: a new client resembling one is a conflict. */
const ADVERSE_SIDE: readonly PartyRole[] = ['adverse_party', 'related_party', 'witness'];

export interface ConflictQuery {
  clientId: number;
  clientName: string;
  opposingParty: string | null;
  /** the new matter itself, which must not match itself */
  matterId: number;
}

/** A name on record that may match: a client's name, or the other party of a matter (with that matter's client). */
interface Candidate {
  id: number;
  name: string;
  key: string;
  client_id?: number;
}

// raw SQL: FTS5's MATCH and rank belong to the virtual tables, which db/tables.ts does not describe
const CLIENTS_BY_TRIGRAMS = `SELECT c.id, c.name, c.name_key AS key FROM clients_fts f JOIN clients c ON c.id = f.rowid
  WHERE clients_fts MATCH ? ORDER BY f.rank LIMIT ${CANDIDATES}`;
const PARTIES_MATCH = 'SELECT p.id, p.name, p.name_key AS key, p.role, p.matter_reference FROM parties_fts f JOIN parties p ON p.id = f.rowid WHERE parties_fts MATCH ? LIMIT ?';
const PARTIES_BY_KEY = 'SELECT id, name, name_key AS key, role, matter_reference FROM parties WHERE name_key = ? LIMIT 20';
const OPPOSING_BY_TRIGRAMS = `SELECT m.id, m.opposing_party AS name, m.opposing_key AS key, m.client_id FROM opposing_fts f
  JOIN matters m ON m.id = f.rowid WHERE opposing_fts MATCH ? ORDER BY f.rank LIMIT ${CANDIDATES}`;

/**
 * The conflict check of a new matter: its opposing party against every client on
 * record, and its client against every opposing party on record. Candidates come
 * from the FTS5 trigram indexes over the folded name keys (plus exact key
 * matches for names too short for trigrams); each is scored by `nameSimilarity`.
 * Runs inside the caller's transaction: a handful of indexed queries.
 */
export function findConflicts(store: Store, query: ConflictQuery, threshold = CONFLICT_THRESHOLD): ConflictHit[] {
  const hits: ConflictHit[] = [];
  const similar = (candidates: Candidate[], key: string) =>
    candidates.flatMap((row) => {
      const score = nameSimilarity(key, row.key);
      return score >= threshold ? [{ row, score }] : [];
    });

  if (query.opposingParty) {
    const key = nameKey(query.opposingParty);
    const exact = store.db.selectFrom('clients').select(['id', 'name', 'name_key as key']).where('name_key', '=', key).limit(20);
    for (const { row, score } of similar(candidates(store, key, exact, CLIENTS_BY_TRIGRAMS), key)) {
      if (row.id === query.clientId) continue;
      hits.push({
        direction: 'opposing_is_client',
        checkedName: query.opposingParty,
        matchedName: row.name,
        matchedClientId: row.id,
        matchedMatterId: null,
        score,
      });
    }
  }

  const clientKey = nameKey(query.clientName);
  const exact = store.db
    .selectFrom('matters')
    .select(['id', 'opposing_party as name', 'opposing_key as key', 'client_id'])
    .where('opposing_key', '=', clientKey)
    .limit(20)
    .$narrowType<{ name: string; key: string }>();
  for (const { row, score } of similar(candidates(store, clientKey, exact, OPPOSING_BY_TRIGRAMS), clientKey)) {
    if (row.id === query.matterId || row.client_id === query.clientId) continue;
    hits.push({
      direction: 'client_is_opposing',
      checkedName: query.clientName,
      matchedName: row.name,
      matchedClientId: row.client_id ?? null,
      matchedMatterId: row.id,
      score,
    });
  }

  if (query.opposingParty) {
    const key = nameKey(query.opposingParty);
    for (const { party, score } of similarParties(store, key, CLIENT_SIDE, threshold)) {
      hits.push({
        direction: 'opposing_is_client',
        checkedName: query.opposingParty,
        matchedName: party.name,
        matchedClientId: null,
        matchedMatterId: null,
        matchedPartyId: party.id,
        matchedRole: party.role,
        matchedReference: party.matter_reference,
        score,
      });
    }
  }
  for (const { party, score } of similarParties(store, clientKey, ADVERSE_SIDE, threshold)) {
    hits.push({
      direction: 'client_is_opposing',
      checkedName: query.clientName,
      matchedName: party.name,
      matchedClientId: null,
      matchedMatterId: null,
      matchedPartyId: party.id,
      matchedRole: party.role,
      matchedReference: party.matter_reference,
      score,
    });
  }

  return hits.sort((a, b) => b.score - a.score).slice(0, MAX_HITS);
}

interface PartyCandidate {
  id: number;
  name: string;
  key: string;
  role: PartyRole;
  matter_reference: string | null;
}

/** A text as an FTS5 phrase. */
const phrase = (text: string) => `"${text.replace(/"/g, '""')}"`;

/**
 * Imported parties of the given roles whose name or an alias resembles `key`.
 * The office's list can hold hundreds of thousands of names in which the common
 * ones ("Silva", "Construtora") recur thousands of times, so candidates come
 * from selective queries on the trigram index (each a substring match, stopped at
 * a limit rather than ranked): every word of the name together (any order), then
 * each word's first and last part (a typo spoils only one of them); plus the
 * exact key, for names too short for trigrams. Each is then scored.
 */
function similarParties(store: Store, key: string, roles: readonly PartyRole[], threshold: number): { party: PartyCandidate; score: number }[] {
  if (!key) return [];
  const byId = new Map<number, PartyCandidate>();
  const add = (rows: PartyCandidate[]) => {
    for (const row of rows) byId.set(row.id, row);
  };
  add(store.prepare(PARTIES_BY_KEY).all(key) as PartyCandidate[]);
  const words = key.split(' ').filter((w) => w.length >= 3);
  if (words.length > 0) {
    add(store.prepare(PARTIES_MATCH).all(words.map(phrase).join(' AND '), CANDIDATES) as PartyCandidate[]);
    for (const word of words.slice(0, 6)) {
      if (word.length < 5) continue;
      const half = Math.ceil(word.length / 2);
      const parts = [word.slice(0, half), word.slice(word.length - half)].filter((part) => part.length >= 3);
      add(store.prepare(PARTIES_MATCH).all(parts.map(phrase).join(' OR '), CANDIDATES / 2) as PartyCandidate[]);
    }
  }
  const out: { party: PartyCandidate; score: number }[] = [];
  for (const party of byId.values()) {
    if (!roles.includes(party.role)) continue;
    let score = 0;
    for (const k of party.key.split('\n')) score = Math.max(score, nameSimilarity(key, k));
    if (score >= threshold) out.push({ party, score });
  }
  return out;
}

/** Names whose key is exactly `key`, then those sharing its trigrams, once each. */
function candidates(store: Store, key: string, exact: Compilable<Candidate>, byTrigrams: string): Candidate[] {
  if (!key) return [];
  const byId = new Map<number, Candidate>();
  for (const row of store.all(exact)) byId.set(row.id, row);
  const match = trigramQuery(key);
  if (match) {
    for (const row of store.prepare(byTrigrams).all(match) as Candidate[]) byId.set(row.id, row);
  }
  return [...byId.values()];
}
