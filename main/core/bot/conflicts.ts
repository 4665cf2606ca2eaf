import type { Store } from '../db/store.js';
import { nameKey, nameSimilarity, trigramQuery } from './names.js';

/** From this similarity on, a name is a possible conflict for a lawyer to look at. */
export const CONFLICT_THRESHOLD = 0.75;
const CANDIDATES = 60;
const MAX_HITS = 20;

export interface ConflictHit {
  direction: 'opposing_is_client' | 'client_is_opposing';
  /** the name we checked (the new matter's opposing party, or the new client) */
  checkedName: string;
  matchedName: string;
  matchedClientId: number | null;
  matchedMatterId: number | null;
  /** 0…1 */
  score: number;
}

export interface ConflictQuery {
  clientId: number;
  clientName: string;
  opposingParty: string | null;
  /** the new matter itself, which must not match itself */
  matterId: number;
}

/**
 * The conflict check of a new matter: its opposing party against every client on
 * record, and its client against every opposing party on record. Candidates come
 * from the FTS5 trigram indexes over the folded name keys (plus exact key
 * matches for names too short for trigrams); each is scored by `nameSimilarity`.
 * Runs inside the caller's transaction: a handful of indexed queries.
 */
export function findConflicts(store: Store, query: ConflictQuery, threshold = CONFLICT_THRESHOLD): ConflictHit[] {
  const hits: ConflictHit[] = [];

  if (query.opposingParty) {
    const key = nameKey(query.opposingParty);
    const rows = candidates(
      store,
      key,
      'SELECT id, name, name_key AS key FROM clients WHERE name_key = ? LIMIT 20',
      `SELECT c.id, c.name, c.name_key AS key FROM clients_fts f JOIN clients c ON c.id = f.rowid
        WHERE clients_fts MATCH ? ORDER BY f.rank LIMIT ${CANDIDATES}`,
    );
    for (const row of rows) {
      if (row.id === query.clientId) continue;
      const score = nameSimilarity(key, row.key);
      if (score >= threshold) {
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
  }

  const clientKey = nameKey(query.clientName);
  const rows = candidates(
    store,
    clientKey,
    'SELECT id, opposing_party AS name, opposing_key AS key, client_id FROM matters WHERE opposing_key = ? LIMIT 20',
    `SELECT m.id, m.opposing_party AS name, m.opposing_key AS key, m.client_id FROM opposing_fts f JOIN matters m ON m.id = f.rowid
      WHERE opposing_fts MATCH ? ORDER BY f.rank LIMIT ${CANDIDATES}`,
  );
  for (const row of rows) {
    if (row.id === query.matterId || row.client_id === query.clientId) continue;
    const score = nameSimilarity(clientKey, row.key);
    if (score >= threshold) {
      hits.push({
        direction: 'client_is_opposing',
        checkedName: query.clientName,
        matchedName: row.name,
        matchedClientId: row.client_id ?? null,
        matchedMatterId: row.id,
        score,
      });
    }
  }

  return hits.sort((a, b) => b.score - a.score).slice(0, MAX_HITS);
}

interface CandidateRow {
  id: number;
  name: string;
  key: string;
  client_id?: number;
}

function candidates(store: Store, key: string, exactSql: string, ftsSql: string): CandidateRow[] {
  if (!key) return [];
  const byId = new Map<number, CandidateRow>();
  for (const row of store.prepare(exactSql).all(key) as CandidateRow[]) byId.set(row.id, row);
  const match = trigramQuery(key);
  if (match) {
    for (const row of store.prepare(ftsSql).all(match) as CandidateRow[]) byId.set(row.id, row);
  }
  return [...byId.values()];
}
