import { MAX_SERIES_POINTS, SERIES, type SeriesName } from '../../../shared/contract/monitoring.js';
import type { Store } from '../db/store.js';

export const HOUR = 3600;
export const DAY = 86_400;

/** How long each resolution is kept. */
export const RETENTION = {
  raw: 48 * HOUR,
  minute: 30 * DAY,
  hour: 365 * DAY,
} as const;

/** One maintenance step rolls up at most this much time, so that no statement runs long. */
const CHUNK_SECONDS = 6 * HOUR;

const NICE_STEPS = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, DAY];

/** The smallest "round" step at least `seconds` long. */
export function niceStep(seconds: number): number {
  for (const step of NICE_STEPS) if (step >= seconds) return step;
  return Math.ceil(seconds / DAY) * DAY;
}

export interface SeriesPoints {
  resolution: 'raw' | 'minute' | 'hour';
  step: number;
  t: number[];
  value: number[];
  min?: number[];
  max?: number[];
}

export interface MaintenanceResult {
  /** false while a later step has more to roll up */
  done: boolean;
}

const WATERMARK_KEY = { 60: 'monitoring.rolled_up_to.minute', 3600: 'monitoring.rolled_up_to.hour' } as const;

/** seven significant digits: plenty for a chart, and small on the wire */
const round = (v: number) => Number(v.toPrecision(7));

/**
 * The monitoring history in SQLite. Each collector tick writes one raw row per
 * series. Maintenance rolls completed minutes of raw samples into per-minute
 * summaries and completed hours of those into per-hour ones (sum, count, min,
 * max, so that averages of averages stay exact), remembering how far it got, and
 * then drops what is past its retention: raw after 48 hours, minutes after 30 days,
 * hours after a year. A query reads the finest resolution that still covers the
 * range and merges it into buckets of the requested step.
 */
export class History {
  private ids = new Map<string, number>();
  private idsOf: Store | null = null;

  constructor(
    private readonly store: () => Store,
    /** seconds between two raw samples (the collector's interval) */
    private readonly rawStepSeconds: number,
  ) {}

  private seriesId(name: string, create: boolean): number | null {
    const store = this.store();
    if (this.idsOf !== store) {
      // a restore swapped the database: ids belong to the file
      this.ids.clear();
      this.idsOf = store;
    }
    const cached = this.ids.get(name);
    if (cached !== undefined) return cached;
    if (create) store.prepare('INSERT OR IGNORE INTO monitoring_series (name) VALUES (?)').run(name);
    const row = store.prepare('SELECT id FROM monitoring_series WHERE name = ?').get(name) as { id: number } | undefined;
    if (!row) return null;
    this.ids.set(name, row.id);
    return row.id;
  }

  private allSeriesIds(): number[] {
    return (this.store().prepare('SELECT id FROM monitoring_series ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  }

  /** Writes one sample per series at time `t` (seconds), in one transaction. */
  record(t: number, samples: Iterable<readonly [SeriesName, number]>): void {
    const store = this.store();
    const insert = store.prepare(
      'INSERT INTO monitoring_raw (series_id, t, value) VALUES (?, ?, ?) ON CONFLICT (series_id, t) DO UPDATE SET value = excluded.value',
    );
    store.tx(() => {
      for (const [name, value] of samples) {
        if (!Number.isFinite(value)) continue;
        insert.run(this.seriesId(name, true), Math.floor(t), value);
      }
    });
  }

  private watermark(resolution: 60 | 3600): number | null {
    const row = this.store().prepare('SELECT value FROM app_meta WHERE key = ?').get(WATERMARK_KEY[resolution]) as
      | { value: string }
      | undefined;
    return row ? Number(row.value) : null;
  }

  private setWatermark(resolution: 60 | 3600, value: number, now: number): void {
    this.store()
      .prepare(
        'INSERT INTO app_meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      )
      .run(WATERMARK_KEY[resolution], String(value), new Date(now * 1000).toISOString());
  }

  /** The earliest sample at or after `from` in the source of a resolution, or null. */
  private nextSourceTime(resolution: 60 | 3600, from: number, ids: number[]): number | null {
    const store = this.store();
    const statement =
      resolution === 60
        ? store.prepare('SELECT min(t) AS t FROM monitoring_raw WHERE series_id = ? AND t >= ?')
        : store.prepare('SELECT min(t) AS t FROM monitoring_rollup WHERE series_id = ? AND resolution = 60 AND t >= ?');
    let next: number | null = null;
    for (const id of ids) {
      const row = statement.get(id, from) as { t: number | null };
      if (row.t !== null && (next === null || row.t < next)) next = row.t;
    }
    return next;
  }

  /** Rolls up one chunk of one resolution; returns false when it is up to date. */
  private rollupStep(resolution: 60 | 3600, now: number): boolean {
    const store = this.store();
    const end = Math.floor(now / resolution) * resolution;
    const ids = this.allSeriesIds();
    let from = this.watermark(resolution) ?? Number.NEGATIVE_INFINITY;
    if (from >= end) return false;
    // skip time with nothing in it (LexDesk was not running)
    const next = this.nextSourceTime(resolution, Number.isFinite(from) ? from : 0, ids);
    if (next === null || next >= end) {
      this.setWatermark(resolution, end, now);
      return false;
    }
    from = Math.max(Number.isFinite(from) ? from : 0, Math.floor(next / resolution) * resolution);
    const to = Math.min(end, from + Math.max(CHUNK_SECONDS, resolution));
    const rollup =
      resolution === 60
        ? store.prepare(`
            INSERT INTO monitoring_rollup (series_id, resolution, t, sum, count, min, max)
            SELECT series_id, 60, (t / 60) * 60, sum(value), count(*), min(value), max(value)
            FROM monitoring_raw WHERE series_id = ? AND t >= ? AND t < ?
            GROUP BY t / 60
            ON CONFLICT (series_id, resolution, t) DO UPDATE SET
              sum = sum + excluded.sum, count = count + excluded.count,
              min = min(min, excluded.min), max = max(max, excluded.max)`)
        : store.prepare(`
            INSERT INTO monitoring_rollup (series_id, resolution, t, sum, count, min, max)
            SELECT series_id, 3600, (t / 3600) * 3600, sum(sum), sum(count), min(min), max(max)
            FROM monitoring_rollup WHERE series_id = ? AND resolution = 60 AND t >= ? AND t < ?
            GROUP BY t / 3600
            ON CONFLICT (series_id, resolution, t) DO UPDATE SET
              sum = sum + excluded.sum, count = count + excluded.count,
              min = min(min, excluded.min), max = max(max, excluded.max)`);
    store.tx(() => {
      for (const id of ids) rollup.run(id, from, to);
      this.setWatermark(resolution, to, now);
    });
    return to < end;
  }

  /** Drops what is past its retention, never raw samples or minutes that are not rolled up yet. */
  private enforceRetention(now: number): void {
    const store = this.store();
    const minuteMark = this.watermark(60) ?? Number.NEGATIVE_INFINITY;
    const hourMark = this.watermark(3600) ?? Number.NEGATIVE_INFINITY;
    const rawBefore = Math.min(now - RETENTION.raw, minuteMark);
    const minuteBefore = Math.min(now - RETENTION.minute, hourMark);
    const hourBefore = now - RETENTION.hour;
    const dropRaw = store.prepare('DELETE FROM monitoring_raw WHERE series_id = ? AND t < ?');
    const dropRollup = store.prepare('DELETE FROM monitoring_rollup WHERE series_id = ? AND resolution = ? AND t < ?');
    store.tx(() => {
      for (const id of this.allSeriesIds()) {
        if (Number.isFinite(rawBefore)) dropRaw.run(id, rawBefore);
        if (Number.isFinite(minuteBefore)) dropRollup.run(id, 60, minuteBefore);
        dropRollup.run(id, 3600, hourBefore);
      }
    });
  }

  /**
   * One bounded piece of maintenance: a chunk of minute roll-up, else a chunk of
   * hour roll-up, else retention. Call again while `done` is false (the scheduler
   * yields to the event loop in between).
   */
  maintainStep(now: number): MaintenanceResult {
    if (this.rollupStep(60, now)) return { done: false };
    if (this.rollupStep(3600, now)) return { done: false };
    this.enforceRetention(now);
    return { done: true };
  }

  /** All of the maintenance at once (tests, the command line). */
  maintain(now: number): void {
    while (!this.maintainStep(now).done) {
      // keep going
    }
  }

  /**
   * A series between `from` and `to` (seconds), in buckets of `step` seconds, from
   * the coarsest stored resolution that is fine enough: per-hour summaries for steps
   * of an hour or more (or ranges older than 30 days), per-minute ones for steps of
   * a minute or more (or ranges older than 48 hours), else raw samples. The part of
   * the range newer than the last roll-up comes from the finer resolutions, so a
   * chart reaches the present. The step is raised when needed to keep at most
   * MAX_SERIES_POINTS buckets, and to whole minutes or hours for summaries.
   */
  query(metric: SeriesName, from: number, to: number, requestedStep: number | undefined, now: number): SeriesPoints {
    const range = Math.max(1, to - from);
    const floor = Math.ceil(range / MAX_SERIES_POINTS);
    let step = Math.max(requestedStep ?? niceStep(Math.max(this.rawStepSeconds, range / 600)), floor);
    // the coarsest resolution that is fine enough for the step and still covers the
    // start (with a little slack: "the last 30 days" asked a moment ago is still 30 days)
    const coversRaw = from >= now - RETENTION.raw - 10 * 60;
    const coversMinutes = from >= now - RETENTION.minute - HOUR;
    let resolution: SeriesPoints['resolution'];
    if (step >= HOUR || !coversMinutes) {
      resolution = 'hour';
      step = Math.ceil(step / HOUR) * HOUR;
    } else if (step >= 60 || !coversRaw) {
      resolution = 'minute';
      step = Math.ceil(step / 60) * 60;
    } else {
      resolution = 'raw';
    }
    const kind = SERIES[metric].kind;
    const out: SeriesPoints = { resolution, step, t: [], value: [] };
    if (kind === 'gauge') Object.assign(out, { min: [], max: [] });
    const id = this.seriesId(metric, false);
    if (id === null) return out;

    // [source, from, to): the summaries up to their roll-up mark, then finer data
    const lo = Math.floor(from);
    const hi = Math.floor(to) + 1; // a sample taken at `to` (now) belongs in
    const minuteMark = this.watermark(60) ?? lo;
    const hourMark = this.watermark(3600) ?? lo;
    const parts: [0 | 60 | 3600, number, number][] =
      resolution === 'raw'
        ? [[0, lo, hi]]
        : resolution === 'minute'
          ? [
              [60, lo, Math.min(hi, minuteMark)],
              [0, Math.max(lo, minuteMark), hi],
            ]
          : [
              [3600, lo, Math.min(hi, hourMark)],
              [60, Math.max(lo, hourMark), Math.min(hi, minuteMark)],
              [0, Math.max(lo, hourMark, minuteMark), hi],
            ];

    const store = this.store();
    const buckets = new Map<number, [number, number, number, number]>();
    for (const [source, partFrom, partTo] of parts) {
      if (partFrom >= partTo) continue;
      const statement =
        source === 0
          ? store.prepare(`
              SELECT t - t % @step AS b, sum(value), count(*), min(value), max(value)
              FROM monitoring_raw WHERE series_id = @id AND t >= @from AND t < @to
              GROUP BY b ORDER BY b`)
          : store.prepare(`
              SELECT t - t % @step AS b, sum(sum), sum(count), min(min), max(max)
              FROM monitoring_rollup WHERE series_id = @id AND resolution = @resolution AND t >= @from AND t < @to
              GROUP BY b ORDER BY b`);
      const args: Record<string, number> = { step, id, from: partFrom, to: partTo };
      if (source !== 0) args.resolution = source;
      for (const [b, sum, count, min, max] of statement.raw(true).all(args) as [number, number, number, number, number][]) {
        const seen = buckets.get(b);
        if (seen) buckets.set(b, [seen[0] + sum, seen[1] + count, Math.min(seen[2], min), Math.max(seen[3], max)]);
        else buckets.set(b, [sum, count, min, max]);
      }
    }

    for (const b of [...buckets.keys()].sort((x, y) => x - y)) {
      const [sum, count, min, max] = buckets.get(b)!;
      out.t.push(b);
      if (kind === 'count') {
        out.value.push(round((sum * 60) / step));
      } else {
        out.value.push(round(sum / count));
        out.min!.push(round(min));
        out.max!.push(round(max));
      }
    }
    return out;
  }
}
