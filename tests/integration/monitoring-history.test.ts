import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../main/core/clock.js';
import { DAY, HOUR, RETENTION } from '../../main/core/monitoring/history.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { FakeProbe } from '../support/monitoring.js';

let core: TestCore | undefined;
afterEach(async () => {
  await core?.dispose();
  core = undefined;
});

const START = Date.parse('2025-01-01T00:00:00Z') / 1000;
const YEAR = 365 * DAY;

/** A value that tells which hour of the year a sample belongs to, plus a wiggle inside the hour. */
const valueAt = (t: number) => Math.floor((t - START) / HOUR) + ((t % 60) / 60) * 0.5;

async function freshCore(now: number) {
  core = await startTestCore({
    deps: { clock: new ManualClock(now * 1000), monitoring: { probe: new FakeProbe(), schedule: false } },
  });
  return core;
}

function count(sql: string, ...args: unknown[]): number {
  return (core!.services.store.sqlite.prepare(sql).get(...args) as { n: number }).n;
}

describe('monitoring history', () => {
  it('a year of 15-second samples, maintained as it goes, keeps 48 h raw, 30 days per minute, a year per hour', async () => {
    const end = START + YEAR;
    const c = await freshCore(end);
    const { history } = c.services.monitoring;
    const sqlite = c.services.store.sqlite;
    // one series at the collector's pace, written a day at a time with maintenance after each day
    for (let from = START; from < end; from += DAY) {
      sqlite.transaction(() => {
        for (let t = from; t < from + DAY; t += 15) history.record(t, [['system.cpu', valueAt(t)]]);
      })();
      history.maintain(from + DAY);
    }
    const id = (sqlite.prepare("SELECT id FROM monitoring_series WHERE name = 'system.cpu'").get() as { id: number }).id;

    // raw: the last 48 hours only
    expect(count('SELECT count(*) AS n FROM monitoring_raw WHERE series_id = ?', id)).toBe((48 * HOUR) / 15);
    expect(count('SELECT min(t) AS n FROM monitoring_raw WHERE series_id = ?', id)).toBe(end - RETENTION.raw);
    // per minute: the last 30 days
    expect(count('SELECT count(*) AS n FROM monitoring_rollup WHERE series_id = ? AND resolution = 60', id)).toBe(30 * 24 * 60);
    expect(count('SELECT min(t) AS n FROM monitoring_rollup WHERE series_id = ? AND resolution = 60', id)).toBe(end - RETENTION.minute);
    // per hour: the whole year, each hour from 240 samples
    expect(count('SELECT count(*) AS n FROM monitoring_rollup WHERE series_id = ? AND resolution = 3600', id)).toBe(365 * 24);
    expect(count('SELECT min(count) AS n FROM monitoring_rollup WHERE series_id = ? AND resolution = 3600', id)).toBe(240);
    expect(count('SELECT max(count) AS n FROM monitoring_rollup WHERE series_id = ? AND resolution = 3600', id)).toBe(240);

    // the summaries are exact: the hour's average is its index plus the mean wiggle (0.5 * mean of 0, .25, .5, .75)
    const door = doorAs(c, 'lawyer');
    const year = await door.ok<{ resolution: string; step: number; t: number[]; value: number[]; min: number[]; max: number[] }>(
      'monitoring.series',
      { metric: 'system.cpu', from: new Date((end - YEAR) * 1000).toISOString(), to: new Date(end * 1000).toISOString() },
    );
    expect(year.resolution).toBe('hour');
    expect(year.step).toBe(DAY);
    expect(year.t).toHaveLength(365);
    // day 100's average is the mean of its 24 hours
    expect(year.value[100]).toBeCloseTo(24 * 100 + 11.5 + 0.1875, 2);
    expect(year.max[100]).toBe(24 * 100 + 23.375);
    const firstHour = await door.ok<{ t: number[]; value: number[]; min: number[]; max: number[] }>('monitoring.series', {
      metric: 'system.cpu',
      from: new Date((end - YEAR) * 1000).toISOString(),
      to: new Date((end - YEAR + 3 * HOUR - 1) * 1000).toISOString(), // `to` is inclusive
      step: 3600,
    });
    expect(firstHour.t).toEqual([START, START + HOUR, START + 2 * HOUR]);
    expect(firstHour.value).toEqual([0.1875, 1.1875, 2.1875]);
    expect(firstHour.min).toEqual([0, 1, 2]);
    expect(firstHour.max).toEqual([0.375, 1.375, 2.375]);

    // thirty days per minute, and the last hour from raw samples
    const month = await door.ok<{ resolution: string; t: number[]; step: number }>('monitoring.series', {
      metric: 'system.cpu',
      from: new Date((end - 30 * DAY) * 1000).toISOString(),
      to: new Date(end * 1000).toISOString(),
      step: 60,
    });
    expect(month.resolution).toBe('minute');
    expect(month.t.length).toBeLessThanOrEqual(5000);
    const hour = await door.ok<{ resolution: string; t: number[]; value: number[] }>('monitoring.series', {
      metric: 'system.cpu',
      from: new Date((end - HOUR) * 1000).toISOString(),
      to: new Date(end * 1000).toISOString(),
      step: 15,
    });
    expect(hour.resolution).toBe('raw');
    expect(hour.t).toHaveLength(240);
    expect(hour.value[0]).toBe(valueAt(end - HOUR));

    // and the file stays small: a year of one series in well under 2 MB per series-resolution
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    sqlite.exec('VACUUM');
    expect(statSync(c.config.databaseFile).size).toBeLessThan(6 * 1024 * 1024);
  }, 120_000);

  it('catching up after a long pause rolls up what it has and skips the empty time quickly', async () => {
    const end = START + YEAR;
    const c = await freshCore(end);
    const { history } = c.services.monitoring;
    // an hour of samples at the start of the year and an hour at the end, nothing in between
    c.services.store.tx(() => {
      for (let t = START; t < START + HOUR; t += 15) history.record(t, [['process.memory', 100]]);
      for (let t = end - 2 * HOUR; t < end - HOUR; t += 15) history.record(t, [['process.memory', 300]]);
    });
    const started = performance.now();
    history.maintain(end);
    expect(performance.now() - started).toBeLessThan(2000);
    const hours = c.services.store.sqlite
      .prepare('SELECT t, sum / count AS avg FROM monitoring_rollup WHERE resolution = 3600 ORDER BY t')
      .all();
    expect(hours).toEqual([
      { t: START, avg: 100 },
      { t: end - 2 * HOUR, avg: 300 },
    ]);
    // the raw hour within 48 h stays; the old one went after its roll-up
    expect(count('SELECT count(*) AS n FROM monitoring_raw')).toBe(240);
    expect(count('SELECT count(*) AS n FROM monitoring_rollup WHERE resolution = 60')).toBe(60);
  });

  it('a chart reaches the present: summaries up to the last roll-up, then minutes and raw samples', async () => {
    const start = START + 10 * DAY;
    const now = start + 3 * HOUR;
    const c = await freshCore(now);
    const { history } = c.services.monitoring;
    c.services.store.tx(() => {
      for (let t = start; t < now; t += 15) history.record(t, [['system.memory', 10 * (1 + Math.floor((t - start) / HOUR))]]);
    });
    history.maintain(start + 2.5 * HOUR); // hours rolled up to +2 h, minutes to +2.5 h
    const week = await doorAs(c, 'admin').ok<{ resolution: string; t: number[]; value: number[]; max: number[] }>(
      'monitoring.series',
      { metric: 'system.memory', from: new Date((now - 7 * DAY) * 1000).toISOString(), to: new Date(now * 1000).toISOString(), step: 3600 },
    );
    expect(week.resolution).toBe('hour');
    expect(week.t).toEqual([start, start + HOUR, start + 2 * HOUR]);
    expect(week.value).toEqual([10, 20, 30]);
    expect(week.max).toEqual([10, 20, 30]);
  });

  it('counts are summed and charted as a rate per minute', async () => {
    const now = START + DAY;
    const c = await freshCore(now);
    const { history } = c.services.monitoring;
    c.services.store.tx(() => {
      // 3 messages in every 15-second interval of the last 10 minutes = 12 per minute
      for (let t = now - 600; t < now; t += 15) history.record(t, [['whatsapp.in', 3]]);
    });
    const series = await doorAs(c, 'admin').ok<{ value: number[]; step: number; min?: number[] }>('monitoring.series', {
      metric: 'whatsapp.in',
      from: new Date((now - 600) * 1000).toISOString(),
      to: new Date(now * 1000).toISOString(),
      step: 120,
    });
    expect(series.step).toBe(120);
    expect(series.value).toEqual([12, 12, 12, 12, 12]);
    expect(series.min).toBeUndefined();
  });
});
