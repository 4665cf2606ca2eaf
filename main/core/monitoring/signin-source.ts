import type { Store } from '../db/store.js';
import type { SignInSnapshot } from './sources.js';

/**
 * Failed sign-ins and lockouts since start, counted from the security events that
 * sign-in writes to the audit trail (`security.login.failed`, `security.lockout`).
 * Each read looks only at rows appended since the previous one (the trail is
 * append-only, its ids only grow), so it stays cheap however long the trail is.
 */
export function signInFromAuditTrail(store: () => Store): () => SignInSnapshot {
  const totals = { failures: 0, lockouts: 0 };
  let afterId: number | null = null;
  return () => {
    const s = store();
    const last = (s.prepare('SELECT max(id) AS id FROM audit_log').get() as { id: number | null }).id ?? 0;
    if (afterId === null || last < afterId) {
      // the first read (counting starts now), or a restored database with a shorter trail
      afterId = last;
      return { ...totals };
    }
    if (last > afterId) {
      const rows = s
        .prepare(
          `SELECT action, count(*) AS n FROM audit_log
           WHERE id > ? AND id <= ? AND action IN ('security.login.failed', 'security.lockout') GROUP BY action`,
        )
        .all(afterId, last) as { action: string; n: number }[];
      for (const row of rows) {
        if (row.action === 'security.login.failed') totals.failures += row.n;
        else totals.lockouts += row.n;
      }
      afterId = last;
    }
    return { ...totals };
  };
}
