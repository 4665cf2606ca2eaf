import { DEFAULT_RETENTION, RetentionRules, type RetentionCounts } from '../../../shared/contract/privacy.js';
import type { Store } from '../db/store.js';
import { heldClientIds, heldMatterIds } from './holds.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The office's retention schedule, or the defaults (no row yet, or one this build cannot read). */
export function readRetentionRules(store: Store): RetentionRules {
  const row = store.prepare('SELECT value FROM retention_settings WHERE id = 1').get() as { value: string } | undefined;
  if (!row) return DEFAULT_RETENTION;
  const parsed = RetentionRules.safeParse({ ...DEFAULT_RETENTION, ...safeJson(row.value) });
  return parsed.success ? parsed.data : DEFAULT_RETENTION;
}

function safeJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function writeRetentionRules(store: Store, rules: RetentionRules, by: string | null, now: string): void {
  store
    .prepare(
      `INSERT INTO retention_settings (id, value, updated_at, updated_by) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    )
    .run(JSON.stringify(rules), now, by);
}

/** What one retention run would erase, read from the database. */
export interface RetentionPlan {
  /** conversations of declined consents past their hours */
  declined: number[];
  /** conversations of people who never became clients, idle past the period */
  nonClient: number[];
  /** clients all of whose matters are past retention (and who wrote nothing since): erased whole */
  clients: { id: number; intakes: number; closed: number }[];
  /** matters past retention whose client has other matters still kept: their content goes */
  matters: { id: number; kind: 'intake' | 'closed' }[];
  /** matters past retention that a legal hold keeps */
  held: number;
}

const subtractYears = (now: Date, years: number) => {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  return d.toISOString();
};

/**
 * The next run's work under `rules` at `now`: indexed queries, bounded by `limit`
 * per kind (the run works in steps and plans again after each).
 */
export function planRetention(store: Store, rules: RetentionRules, now: Date, limit = 100_000): RetentionPlan {
  const declinedBefore = new Date(now.getTime() - rules.declinedConsentHours * HOUR_MS).toISOString();
  const idleBefore = new Date(now.getTime() - rules.nonClientConversationDays * DAY_MS).toISOString();
  const intakeBefore = new Date(now.getTime() - rules.unconvertedIntakeDays * DAY_MS).toISOString();
  const closedBefore = subtractYears(now, rules.closedMatterYears);

  const ids = (sql: string, ...params: unknown[]) => (store.prepare(sql).all(...params) as { id: number }[]).map((r) => r.id);
  const declined = ids(
    'SELECT id FROM conversations WHERE declined_at IS NOT NULL AND declined_at < ? AND client_id IS NULL ORDER BY declined_at LIMIT ?',
    declinedBefore,
    limit,
  );
  const nonClient = ids(
    `SELECT c.id FROM conversations c
      WHERE c.client_id IS NULL AND c.declined_at IS NULL AND c.last_activity_at < ?
        AND NOT EXISTS (SELECT 1 FROM matters m WHERE m.conversation_id = c.id)
        AND NOT EXISTS (SELECT 1 FROM clients k WHERE k.whatsapp = c.whatsapp)
      ORDER BY c.last_activity_at LIMIT ?`,
    idleBefore,
    limit,
  );

  // matters past retention, with their client
  const expired = store
    .prepare(
      `SELECT m.id, m.client_id, CASE WHEN m.status = 'closed' THEN 'closed' ELSE 'intake' END AS kind FROM matters m
        WHERE m.erased_at IS NULL AND (
          (m.status IN ('intake', 'declined') AND m.updated_at < ?)
          OR (m.status = 'closed' AND COALESCE((SELECT MAX(h.at) FROM matter_history h WHERE h.matter_id = m.id AND h.field = 'status' AND h.new_value = 'closed'), m.updated_at) < ?))
        ORDER BY m.id LIMIT ?`,
    )
    .all(intakeBefore, closedBefore, limit) as { id: number; client_id: number; kind: 'intake' | 'closed' }[];
  const heldMatters = heldMatterIds(store);
  const heldClients = heldClientIds(store);
  let held = 0;
  const byClient = new Map<number, { id: number; kind: 'intake' | 'closed' }[]>();
  for (const m of expired) {
    if (heldMatters.has(m.id) || heldClients.has(m.client_id)) {
      held++;
      continue;
    }
    const list = byClient.get(m.client_id) ?? [];
    list.push({ id: m.id, kind: m.kind });
    byClient.set(m.client_id, list);
  }
  const clients: RetentionPlan['clients'] = [];
  const matters: RetentionPlan['matters'] = [];
  const liveMatters = store.prepare('SELECT COUNT(*) AS n FROM matters WHERE client_id = ? AND erased_at IS NULL');
  const recentlyActive = store.prepare(
    'SELECT 1 FROM conversations c JOIN clients k ON k.id = ? WHERE (c.client_id = k.id OR c.whatsapp = k.whatsapp) AND c.last_activity_at >= ? LIMIT 1',
  );
  for (const [clientId, list] of byClient) {
    const live = (liveMatters.get(clientId) as { n: number }).n;
    if (live === list.length && !recentlyActive.get(clientId, intakeBefore)) {
      clients.push({ id: clientId, intakes: list.filter((m) => m.kind === 'intake').length, closed: list.filter((m) => m.kind === 'closed').length });
    } else {
      matters.push(...list);
    }
  }
  return { declined, nonClient, clients, matters, held };
}

export function planCounts(plan: RetentionPlan): RetentionCounts {
  return {
    conversations: plan.nonClient.length,
    declinedConsents: plan.declined.length,
    intakes: plan.clients.reduce((n, c) => n + c.intakes, 0) + plan.matters.filter((m) => m.kind === 'intake').length,
    closedMatters: plan.clients.reduce((n, c) => n + c.closed, 0) + plan.matters.filter((m) => m.kind === 'closed').length,
    held: plan.held,
  };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "Next run will erase: 12 conversations, 3 intakes." */
export function retentionSentence(counts: RetentionCounts): string {
  const parts: string[] = [];
  if (counts.conversations > 0) parts.push(plural(counts.conversations, 'conversation of a non-client', 'conversations of non-clients'));
  if (counts.declinedConsents > 0) parts.push(plural(counts.declinedConsents, 'declined consent', 'declined consents'));
  if (counts.intakes > 0) parts.push(plural(counts.intakes, 'intake never taken on', 'intakes never taken on'));
  if (counts.closedMatters > 0) parts.push(plural(counts.closedMatters, 'closed matter past its retention', 'closed matters past their retention'));
  const held = counts.held > 0 ? ` ${plural(counts.held, 'matter is', 'matters are')} kept by a legal hold.` : '';
  if (parts.length === 0) return `Next run will erase nothing: no record is past its retention period.${held}`;
  return `Next run will erase: ${parts.join(', ')}.${held}`;
}
