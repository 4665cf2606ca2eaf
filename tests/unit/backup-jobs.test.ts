import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../main/core/clock.js';
import { EventBus } from '../../main/core/events.js';
import { JobTracker, type RunningJob } from '../../main/core/backup/job-tracker.js';
import { AppError } from '../../main/core/errors.js';

function tracker() {
  const events = new EventBus(new ManualClock());
  const finished: string[] = [];
  events.subscribe((e) => {
    if (e.type === 'backup.finished') finished.push(`${e.data.operation} ${e.data.outcome}`);
  });
  return { jobs: new JobTracker(events, () => undefined), finished };
}

/** Work that runs until its job is cancelled, as a check in the worker does. */
function untilAborted(job: RunningJob): Promise<never> {
  return new Promise((_resolve, reject) => {
    job.abort.signal.addEventListener('abort', () => setTimeout(() => reject(new Error('The job was cancelled.')), 20), { once: true });
  });
}

describe('the one backup job at a time', () => {
  it('a background job gives way: the next job starts once it has ended, and its end is announced first', async () => {
    const { jobs, finished } = tracker();
    const check = jobs.begin('verify', null, { background: true });
    const checking = jobs.run(check, 's1', () => untilAborted(check)).catch(() => 'gave way');
    const backup = await jobs.claim('backup', 'manual');
    expect(check.abort.signal.aborted).toBe(true);
    expect(await checking).toBe('gave way');
    expect(jobs.current).toBe(backup);
    expect(finished).toEqual(['verify failed']);
  });

  it('two jobs asked for at once while a background job runs: exactly one starts, the other is refused as a conflict', async () => {
    const { jobs } = tracker();
    const check = jobs.begin('verify', null, { background: true });
    void jobs.run(check, 's1', () => untilAborted(check)).catch(() => undefined);
    const [a, b] = await Promise.allSettled([jobs.claim('backup', null), jobs.claim('restore', null)]);
    expect([a.status, b.status].sort()).toEqual(['fulfilled', 'rejected']);
    const refused = (a.status === 'rejected' ? a.reason : (b as PromiseRejectedResult).reason) as AppError;
    expect(refused).toBeInstanceOf(AppError);
    expect(refused.code).toBe('conflict');
    expect(jobs.current?.background).toBe(false);
  });

  it('a job the admin or the schedule asked for never gives way: the next is refused while it runs', async () => {
    const { jobs } = tracker();
    const backup = await jobs.claim('backup', 'manual');
    let finish!: () => void;
    const running = jobs.run(backup, null, () => new Promise<void>((resolve) => (finish = resolve)));
    await expect(jobs.claim('verify', null)).rejects.toMatchObject({ code: 'conflict', message: 'A backup is already running. Wait for it to finish.' });
    expect(() => jobs.begin('verify', null, { background: true })).toThrow(AppError);
    expect(backup.abort.signal.aborted).toBe(false);
    finish();
    await running;
    expect(jobs.current).toBeNull();
    expect((await jobs.claim('verify', null)).operation).toBe('verify');
  });
});
