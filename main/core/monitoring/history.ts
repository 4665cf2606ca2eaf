import { sql, type OnConflictBuilder } from 'kysely';
import { MAX_SERIES_POINTS, SERIES, type SeriesName } from '../../../shared/contract/monitoring.js';
import type { Store } from '../db/store.js';
import type { Tables } from '../db/tables.js';

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
    if (create) store.run(store.db.insertInto('monitoring_series').orIgnore().values({ name }));
    const row = store.get(store.db.selectFrom('monitoring_series').select('id').where('name', '=', name));
    if (!row) return null;
    this.ids.set(name, row.id);
    return row.id;
  }

  private allSeriesIds(): number[] {
    const store = this.store();
    return store.all(store.db.selectFrom('monitoring_series').select('id').orderBy('id')).map((r) => r.id);
  }

  /** Writes one sample per series at time `t` (seconds), in one transaction. */
  record(t: number, samples: Iterable<readonly [SeriesName, number]>): void {
    const store = this.store();
    // raw SQL, prepared once: it runs for every sample of every series, and the builder compiles on each call
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
    const store = this.store();
    const row = store.get(store.db.selectFrom('app_meta').select('value').where('key', '=', WATERMARK_KEY[resolution]));
    return row ? Number(row.value) : null;
  }

  private setWatermark(resolution: 60 | 3600, value: number, now: number): void {
    const store = this.store();
    store.run(
      store.db
        .insertInto('app_meta')
        .values({ key: WATERMARK_KEY[resolution], value: String(value), updated_at: new Date(now * 1000).toISOString() })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), updated_at: eb.ref('excluded.updated_at') })),
        ),
    );
  }

  /** The earliest sample at or after `from` in the source of a resolution, or null. */
  private nextSourceTime(resolution: 60 | 3600, from: number, ids: number[]): number | null {
    const store = this.store();
    const earliest = (id: number) =>
      resolution === 60
        ? store.db
            .selectFrom('monitoring_raw')
            .select((eb) => eb.fn.min<number | null>('t').as('t'))
            .where('series_id', '=', id)
            .where('t', '>=', from)
        : store.db
            .selectFrom('monitoring_rollup')
            .select((eb) => eb.fn.min<number | null>('t').as('t'))
            .where('series_id', '=', id)
            .where('resolution', '=', 60)
            .where('t', '>=', from);
    let next: number | null = null;
    for (const id of ids) {
      const row = store.get(earliest(id))!;
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
    // the source's samples by whole bucket (integer division), added to what an earlier step put there
    const bucket = sql<number>`t / ${sql.lit(resolution)}`;
    const start = sql<number>`${bucket} * ${sql.lit(resolution)}`;
    const rollup = (id: number) =>
      store.db
        .insertInto('monitoring_rollup')
        .columns(['series_id', 'resolution', 't', 'sum', 'count', 'min', 'max'])
        .expression(
          resolution === 60
            ? store.db
                .selectFrom('monitoring_raw')
                .select((eb) => [
                  'series_id',
                  sql.lit(resolution).as('resolution'),
                  start.as('t'),
                  eb.fn.sum('value').as('sum'),
                  eb.fn.countAll().as('count'),
                  eb.fn.min('value').as('min'),
                  eb.fn.max('value').as('max'),
                ])
                .where('series_id', '=', id)
                .where('t', '>=', from)
                .where('t', '<', to)
                .groupBy(bucket)
            : store.db
                .selectFrom('monitoring_rollup')
                .select((eb) => [
                  'series_id',
                  sql.lit(resolution).as('resolution'),
                  start.as('t'),
                  eb.fn.sum('sum').as('sum'),
                  eb.fn.sum('count').as('count'),
                  eb.fn.min('min').as('min'),
                  eb.fn.max('max').as('max'),
                ])
                .where('series_id', '=', id)
                .where('resolution', '=', 60)
                .where('t', '>=', from)
                .where('t', '<', to)
                .groupBy(bucket),
        )
        .onConflict(addToBucket);
    store.tx(() => {
      for (const id of ids) store.run(rollup(id));
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
    const dropRaw = (id: number, before: number) =>
      store.run(store.db.deleteFrom('monitoring_raw').where('series_id', '=', id).where('t', '<', before));
    const dropRollup = (id: number, resolution: 60 | 3600, before: number) =>
      store.run(
        store.db.deleteFrom('monitoring_rollup').where('series_id', '=', id).where('resolution', '=', resolution).where('t', '<', before),
      );
    store.tx(() => {
      for (const id of this.allSeriesIds()) {
        if (Number.isFinite(rawBefore)) dropRaw(id, rawBefore);
        if (Number.isFinite(minuteBefore)) dropRollup(id, 60, minuteBefore);
        dropRollup(id, 3600, hourBefore);
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
    const bucket = sql<number>`t - t % ${step}`.as('b');
    const part = (source: 0 | 60 | 3600, from: number, to: number) =>
      source === 0
        ? store.db
            .selectFrom('monitoring_raw')
            .select((eb) => [
              bucket,
              eb.fn.sum<number>('value').as('sum'),
              eb.fn.countAll<number>().as('count'),
              eb.fn.min('value').as('min'),
              eb.fn.max('value').as('max'),
            ])
            .where('series_id', '=', id)
            .where('t', '>=', from)
            .where('t', '<', to)
            .groupBy(sql.ref('b'))
            .orderBy('b')
        : store.db
            .selectFrom('monitoring_rollup')
            .select((eb) => [
              bucket,
              eb.fn.sum<number>('sum').as('sum'),
              eb.fn.sum<number>('count').as('count'),
              eb.fn.min('min').as('min'),
              eb.fn.max('max').as('max'),
            ])
            .where('series_id', '=', id)
            .where('resolution', '=', source)
            .where('t', '>=', from)
            .where('t', '<', to)
            .groupBy(sql.ref('b'))
            .orderBy('b');
    const buckets = new Map<number, [number, number, number, number]>();
    for (const [source, partFrom, partTo] of parts) {
      if (partFrom >= partTo) continue;
      for (const { b, sum, count, min, max } of store.all(part(source, partFrom, partTo))) {
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

/** A roll-up step that lands in a bucket already there adds to it: sums and counts add up, extremes widen. */
function addToBucket(conflict: OnConflictBuilder<Tables, 'monitoring_rollup'>) {
  return conflict.columns(['series_id', 'resolution', 't']).doUpdateSet((eb) => ({
    sum: eb('monitoring_rollup.sum', '+', eb.ref('excluded.sum')),
    count: eb('monitoring_rollup.count', '+', eb.ref('excluded.count')),
    min: sql<number>`min(${eb.ref('monitoring_rollup.min')}, ${eb.ref('excluded.min')})`,
    max: sql<number>`max(${eb.ref('monitoring_rollup.max')}, ${eb.ref('excluded.max')})`,
  }));
}
