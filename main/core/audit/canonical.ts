import { hash } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AuditLogTable } from '../db/tables.js';

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an audit row that its hash covers: all but the hash itself (rowHash fixes their order). */
export type HashedFields = Omit<Selectable<AuditLogTable>, 'hash'>;

/**
 * SHA-256 over a canonical encoding of the row (a JSON array of its fields in a
 * fixed order, details as stored) and the previous row's hash. Changing any byte
 * of any field, or the order of rows, changes it.
 */
export function rowHash(row: HashedFields): string {
  const encoded = JSON.stringify([
    row.id,
    row.at,
    row.actor_type,
    row.actor_id,
    row.actor_name,
    row.role,
    row.face,
    row.action,
    row.target_type,
    row.target_id,
    row.outcome,
    row.error_code,
    row.details,
    row.session_id,
    row.address,
    row.request_id,
    row.prev_hash,
  ]);
  return hash('sha256', encoded, 'hex');
}
