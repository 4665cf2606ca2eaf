import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StoredBackup } from '../../main/core/backup/folder.js';
import { retentionPlan } from '../../main/core/backup/retention.js';
import { asideDir, recoverInterruptedRestore, writeJournal, type RestoreJournal } from '../../main/core/backup/restore-journal.js';
import { dailyPattern } from '../../main/core/backup/scheduler.js';
import { WriterRegistry } from '../../main/core/writers.js';
import { tempDir } from '../support/server.js';

const DAY = 86_400_000;
const now = new Date('2026-06-30T12:00:00Z');

function good(daysAgo: number, kind: 'scheduled' | 'pre-restore' = 'scheduled'): Extract<StoredBackup, { status: 'verified' }> {
  const createdAt = new Date(now.getTime() - daysAgo * DAY).toISOString();
  const id = `b${daysAgo}`;
  return {
    status: 'verified',
    id,
    sizeBytes: 1,
    manifest: {
      id,
      createdAt,
      kind,
      appVersion: '1',
      schemaVersion: 1,
      tables: {},
      databaseBytes: 1,
      sqlDump: false,
      keyId: 'k',
      files: { database: { name: 'x', bytes: 1, sha256: 'x' } },
      verifiedAt: createdAt,
    },
  };
}

function failed(daysAgo: number): StoredBackup {
  const createdAt = new Date(now.getTime() - daysAgo * DAY).toISOString();
  return { status: 'failed', id: `f${daysAgo}`, sizeBytes: 1, record: { id: `f${daysAgo}`, kind: 'scheduled', createdAt, failedAt: createdAt, reason: 'x', problem: null, files: [], manifest: null } };
}

describe('retention', () => {
  const ids = (items: StoredBackup[]) => items.map((i) => i.id).sort();

  it('removes good backups older than the retention, beyond the newest N, and failed ones as they age', () => {
    const items = [good(1), good(10), good(29), good(31), good(45), good(90, 'pre-restore'), failed(2), failed(40)];
    expect(ids(retentionPlan(items, now, { retentionDays: 30, keepAtLeast: 2 }))).toEqual(['b31', 'b45', 'b90', 'f40']);
  });

  it('keeps the newest N good ones however old they are, and never the newest good one', () => {
    const items = [good(100), good(200), good(300), failed(1)];
    expect(ids(retentionPlan(items, now, { retentionDays: 30, keepAtLeast: 2 }))).toEqual(['b300']);
    expect(ids(retentionPlan(items, now, { retentionDays: 1, keepAtLeast: 0 }))).toEqual(['b200', 'b300']);
  });

  it('never removes a file found without a manifest', () => {
    const lone: StoredBackup = { status: 'unverified', id: 'lone', keyId: 'k', sizeBytes: 1, manifest: good(400).manifest };
    expect(retentionPlan([lone, good(1)], now, { retentionDays: 1, keepAtLeast: 1 })).toEqual([]);
  });
});

describe('the restore journal at start', () => {
  function setup(phase: RestoreJournal['phase'], files: { live?: string; candidate?: string; aside?: string; liveWal?: string; asideWal?: string }) {
    const dataDir = tempDir();
    const database = join(dataDir, 'lexdesk.sqlite');
    const candidate = join(dataDir, '.backup-work', 'restore-x.sqlite');
    mkdirSync(join(dataDir, '.backup-work'), { recursive: true });
    mkdirSync(asideDir(dataDir), { recursive: true });
    if (files.live) writeFileSync(database, files.live);
    if (files.liveWal) writeFileSync(`${database}-wal`, files.liveWal);
    if (files.candidate) writeFileSync(candidate, files.candidate);
    if (files.aside) writeFileSync(join(asideDir(dataDir), 'lexdesk.sqlite'), files.aside);
    if (files.asideWal) writeFileSync(join(asideDir(dataDir), 'lexdesk.sqlite-wal'), files.asideWal);
    const journal: RestoreJournal = { version: 1, id: 'x', startedAt: now.toISOString(), phase, database, candidate, aside: asideDir(dataDir) };
    return { dataDir, database, journal };
  }

  it('before anything moved: finishes the swap and leaves no WAL of the old database', async () => {
    const { dataDir, database, journal } = setup('ready', { live: 'old', liveWal: 'old wal', candidate: 'new' });
    await writeJournal(dataDir, journal);
    expect(await recoverInterruptedRestore(dataDir, database)).toEqual({ outcome: 'finished', id: 'x' });
    expect(readFileSync(database, 'utf8')).toBe('new');
    expect(existsSync(`${database}-wal`)).toBe(false);
    expect(existsSync(asideDir(dataDir))).toBe(false);
  });

  it('with the WAL moved but not the database: finishes the swap', async () => {
    const { dataDir, database, journal } = setup('ready', { live: 'old', asideWal: 'old wal', candidate: 'new' });
    await writeJournal(dataDir, journal);
    await recoverInterruptedRestore(dataDir, database);
    expect(readFileSync(database, 'utf8')).toBe('new');
    expect(existsSync(`${database}-wal`)).toBe(false);
  });

  it('with the candidate already in place: completes', async () => {
    const { dataDir, database, journal } = setup('ready', { live: 'new', aside: 'old' });
    await writeJournal(dataDir, journal);
    expect(await recoverInterruptedRestore(dataDir, database)).toEqual({ outcome: 'finished', id: 'x' });
    expect(readFileSync(database, 'utf8')).toBe('new');
  });

  it('while rolling back: puts the old database back', async () => {
    const { dataDir, database, journal } = setup('rolling-back', { live: 'new', aside: 'old', asideWal: 'old wal' });
    await writeJournal(dataDir, journal);
    expect(await recoverInterruptedRestore(dataDir, database)).toEqual({ outcome: 'rolled-back', id: 'x' });
    expect(readFileSync(database, 'utf8')).toBe('old');
    expect(readFileSync(`${database}-wal`, 'utf8')).toBe('old wal');
  });

  it('with a journal cut short: ignores it, nothing had moved', async () => {
    const { dataDir, database } = setup('ready', { live: 'old', candidate: 'new' });
    writeFileSync(join(dataDir, 'restore-journal.json'), '{"version":1,"id":"x","sta');
    expect(await recoverInterruptedRestore(dataDir, database)).toEqual({ outcome: 'none' });
    expect(readFileSync(database, 'utf8')).toBe('old');
  });
});

describe('the writer registry', () => {
  it('resumes the writers it paused when a later one cannot pause', async () => {
    const registry = new WriterRegistry();
    const log: string[] = [];
    registry.register({ name: 'a', pause: () => void log.push('pause a'), resume: () => void log.push('resume a') });
    registry.register({ name: 'b', pause: () => Promise.reject(new Error('busy')), resume: () => void log.push('resume b') });
    await expect(registry.pauseAll('restore')).rejects.toThrow('busy');
    expect(log).toEqual(['pause a', 'resume a']);
    expect(registry.pausedReason).toBeNull();
  });
});

describe('the schedule', () => {
  it('turns a time of day into a daily cron pattern', () => {
    expect(dailyPattern('02:30')).toBe('30 2 * * *');
    expect(dailyPattern('23:05')).toBe('5 23 * * *');
  });
});
