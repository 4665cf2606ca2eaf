import { useEffect, useState, type FormEvent } from 'react';
import type { BackupItem, BackupJob, BackupOverview, BackupSettings, SnapshotItem } from '../../../shared/contract/backup.js';
import { formatBytes } from '../../../shared/format.js';
import { FieldError, SubmitButton, useSubmit } from '../components/form.js';
import { Card, Screen } from '../components/Layout.js';
import { ErrorBox, QueryStatus } from '../components/Status.js';
import { Table } from '../components/Table.js';
import { useApi } from '../context.js';
import { formErrorOf, messageOf, type FormError } from '../errors.js';
import { when, whenAgo } from '../format.js';
import { useQuery, useServerEvents } from '../hooks.js';
import { OffsiteCard } from './OffsiteCard.js';
import './backups.css';

const KIND_LABEL: Record<BackupItem['kind'], string> = {
  scheduled: 'Scheduled',
  manual: 'Manual',
  'pre-restore': 'Before a restore',
  'pre-migration': 'Before an update',
  'pre-import': 'Before an import',
};

export function ProgressBar({ job, label }: { job: BackupJob; label: string }) {
  return (
    <div className="progress" data-testid="backup-progress">
      <div className="progress-label">
        <span>{job.label}…</span>
        <span>{Math.floor(job.percent)}%</span>
      </div>
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.floor(job.percent)}
        aria-valuetext={`${job.label}, ${Math.floor(job.percent)}%`}
      >
        <div className="progress-fill" style={{ width: `${job.percent}%` }} />
      </div>
    </div>
  );
}

/** Pushes of backup.progress / backup.finished, as the job now running (or null). */
function useBackupJob(initial: BackupJob | null | undefined, onFinished: () => void) {
  const [job, setJob] = useState<BackupJob | null>(null);
  useEffect(() => {
    if (initial !== undefined) setJob(initial);
  }, [initial]);
  useServerEvents(['backup.progress', 'backup.finished'], (event) => {
    if (event.type === 'backup.progress') {
      setJob(event.data);
    } else {
      setJob(null);
      onFinished();
    }
  });
  return job;
}

export function Backups() {
  const api = useApi();
  const overview = useQuery('backup.list', {}, { refreshMs: 60_000 });
  const settings = useQuery('backup.settings.get', {});
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const snapshots = useQuery('backup.snapshots', {}, { refreshMs: 60_000 });
  const [restoring, setRestoring] = useState<RestoreTarget | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const job = useBackupJob(overview.data?.running, () => {
    overview.reload();
    snapshots.reload();
  });

  const data = overview.data;
  const running = job !== null;

  async function backUpNow() {
    setNotice(null);
    try {
      const item = await api.call('backup.create', {});
      setNotice({ kind: 'ok', text: `Backup made and verified (${formatBytes(item.sizeBytes)}).` });
    } catch (err) {
      setNotice({ kind: 'error', text: messageOf(err) });
    } finally {
      overview.reload();
    }
  }

  async function verify(item: BackupItem) {
    setNotice(null);
    setBusyId(item.id);
    try {
      const result = await api.call('backup.verify', { id: item.id });
      setNotice(
        result.status === 'failed'
          ? { kind: 'error', text: `The backup of ${when(item.createdAt)} failed verification: ${result.failure}` }
          : { kind: 'ok', text: `The backup of ${when(item.createdAt)} opened and checked out.` },
      );
    } catch (err) {
      setNotice({ kind: 'error', text: messageOf(err) });
    } finally {
      setBusyId(null);
      overview.reload();
    }
  }

  return (
    <Screen
      title="Backups"
      className="backups"
      aside={
        <button type="button" onClick={backUpNow} disabled={running || !data?.passphraseSet || data.keyLocked}>
          Back up now
        </button>
      }
    >
      <QueryStatus query={overview} />

      {data && <Banners overview={data} />}
      {notice && (
        <div className={notice.kind === 'ok' ? 'notice notice-ok' : 'error-box'} role={notice.kind === 'ok' ? 'status' : 'alert'} data-testid="backup-notice">
          <p>{notice.text}</p>
        </div>
      )}
      {job && job.operation !== 'restore' && !restoring && (
        <Card label="Backup in progress">
          <ProgressBar job={job} label={job.operation === 'verify' ? 'Verification progress' : 'Backup progress'} />
        </Card>
      )}

      {data?.keyLocked && (
        <UnlockCard
          onDone={() => {
            settings.reload();
            overview.reload();
          }}
        />
      )}

      {data && !data.passphraseSet && settings.data && (
        <PassphraseCard
          first
          onDone={() => {
            settings.reload();
            overview.reload();
          }}
        />
      )}

      {data && (
        <Card title={`Backups in ${data.destination}`} label="Backup list">
          {data.backups.length === 0 ? (
            <p className="muted" data-testid="backups-empty">
              {data.passphraseSet
                ? 'No backups yet. Press “Back up now” to make the first one; after that LexDesk backs up every day on its own.'
                : 'No backups yet. Set a backup passphrase above, then press “Back up now”.'}
            </p>
          ) : (
            <Table testId="backup-table" columns={['Date', 'Kind', 'Size', 'Status', ...(data.offsite ? ['Where'] : []), { hidden: 'Actions' }]}>
              {data.backups.map((item) => (
                <tr key={item.id} data-backup={item.id} data-status={item.status}>
                  <td>
                    <span title={item.id}>{when(item.createdAt)}</span>
                  </td>
                  <td>{KIND_LABEL[item.kind]}</td>
                  <td>
                    {item.status === 'failed' && item.sizeBytes === 0 ? '—' : formatBytes(item.sizeBytes)}
                    {item.documents && item.documents.count > 0 && (
                      <span className="muted" data-testid="backup-documents">
                        {' '}
                        · {item.documents.count === 1 ? '1 document' : `${item.documents.count} documents`} ({formatBytes(item.documents.bytes)})
                      </span>
                    )}
                  </td>
                  <td>
                    {item.status === 'verified' && (
                      <span className="pill pill-ok" title={`Verified ${when(item.verifiedAt)}`}>
                        ✓ Verified
                      </span>
                    )}
                    {item.status === 'unverified' && <span className="pill pill-degraded">Not verified yet</span>}
                    {item.status === 'failed' && (
                      <span className="failed">
                        <span className="pill pill-down">Failed</span> <span className="muted">{item.failure}</span>
                      </span>
                    )}
                  </td>
                  {data.offsite && (
                    <td data-testid="backup-where">
                      {item.status === 'failed' ? '—' : data.offsite.ids.includes(item.id) ? 'Here and off-site' : 'Here only'}
                    </td>
                  )}
                  <td className="actions">
                    {item.status !== 'failed' && (
                      <>
                        <button type="button" className="secondary" onClick={() => verify(item)} disabled={running || busyId !== null}>
                          {busyId === item.id ? 'Verifying…' : 'Verify'}
                        </button>
                        <button
                          type="button"
                          className="secondary"
                          onClick={() => setRestoring({ id: item.id, createdAt: item.createdAt, keyAvailable: item.keyAvailable, what: 'backup' })}
                          disabled={running || !item.restorable}
                          title={item.restorable ? undefined : 'Made by a newer LexDesk: install it to restore this backup.'}
                        >
                          Restore…
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </Card>
      )}

      {data?.passphraseSet && (
        <TimelineCard
          snapshots={snapshots.data?.snapshots ?? null}
          minutes={snapshots.data?.snapshotMinutes ?? null}
          error={snapshots.error?.message ?? null}
          running={running}
          onRestore={(s) => setRestoring({ id: s.id, createdAt: s.createdAt, keyAvailable: s.keyAvailable, what: 'snapshot' })}
          onChecked={snapshots.reload}
        />
      )}

      {restoring && <RestoreDialog item={restoring} job={job} onClose={() => setRestoring(null)} />}

      <div className="cards cards-top">
        {data && <StatusCard overview={data} />}
        {settings.error && <ErrorBox message={settings.error.message} onRetry={settings.reload} />}
        {settings.data && (
          <SettingsCard
            settings={settings.data}
            onSaved={() => {
              settings.reload();
              overview.reload();
            }}
          />
        )}
        {settings.data?.passphraseSet && <PassphraseCard first={false} onDone={settings.reload} />}
        <OffsiteCard onChanged={overview.reload} />
      </div>
    </Screen>
  );
}

function Banners({ overview }: { overview: BackupOverview }) {
  return (
    <>
      {overview.destinationProblem && (
        <div className="error-box" role="alert" data-testid="destination-problem">
          <p>{overview.destinationProblem}</p>
        </div>
      )}
      {overview.passphraseSet && overview.overdue && (
        <div className="banner-warning" role="alert" data-testid="backup-overdue">
          <p>
            {overview.lastGoodAt
              ? `The last good backup is from ${whenAgo(overview.lastGoodAt)}. `
              : 'There is no good backup yet. '}
            Press “Back up now”, and check the schedule and the backup folder below.
          </p>
        </div>
      )}
    </>
  );
}

function StatusCard({ overview }: { overview: BackupOverview }) {
  const last = overview.lastRun;
  return (
    <Card title="Status" label="Backup status">
      <dl className="facts">
        <dt>Last backup</dt>
        <dd data-testid="last-run">
          {last ? (
            last.outcome === 'ok' ? (
              <>
                <span className="pill pill-ok">✓ Good</span> {when(last.at)} ({KIND_LABEL[last.kind].toLowerCase()})
              </>
            ) : (
              <>
                <span className="pill pill-down">Failed</span> {when(last.at)}: {last.message}
              </>
            )
          ) : (
            'None yet'
          )}
        </dd>
        <dt>Last good backup</dt>
        <dd>{overview.lastGoodAt ? whenAgo(overview.lastGoodAt) : 'None yet'}</dd>
        <dt>Next backup</dt>
        <dd data-testid="next-run">{overview.nextRunAt ? when(overview.nextRunAt) : 'Not scheduled'}</dd>
      </dl>
    </Card>
  );
}

function SettingsCard({ settings, onSaved }: { settings: BackupSettings; onSaved: () => void }) {
  const api = useApi();
  const [form, setForm] = useState(settings);
  const [saved, setSaved] = useState(false);
  useEffect(() => setForm(settings), [settings]);

  const { busy, error, onSubmit } = useSubmit(async () => {
    setSaved(false);
    await api.call('backup.settings.update', {
      scheduleEnabled: form.scheduleEnabled,
      time: form.time,
      retentionDays: form.retentionDays,
      keepAtLeast: form.keepAtLeast,
      sqlDump: form.sqlDump,
      snapshotMinutes: form.snapshotMinutes,
      keepAllHours: form.keepAllHours,
      hourlyDays: form.hourlyDays,
      monthlyMonths: form.monthlyMonths,
      ...(settings.destinationSource === 'environment' || form.destination === settings.destination
        ? {}
        : { destination: form.destination.trim() === '' ? null : form.destination.trim() }),
    });
    setSaved(true);
    onSaved();
  });

  const fromEnv = settings.destinationSource === 'environment';
  return (
    <Card title="Schedule and retention">
      <form className="form" onSubmit={onSubmit}>
        <label className="check">
          <input type="checkbox" checked={form.scheduleEnabled} onChange={(e) => setForm({ ...form, scheduleEnabled: e.target.checked })} />
          Back up every day
        </label>
        <label>
          Time of day
          <input type="time" value={form.time} required onChange={(e) => setForm({ ...form, time: e.target.value })} disabled={!form.scheduleEnabled} />
          <span className="muted hint">If the computer is off then, LexDesk backs up when it starts.</span>
        </label>
        <label>
          Keep backups for (days)
          <input type="number" min={1} max={3650} value={form.retentionDays} onChange={(e) => setForm({ ...form, retentionDays: Number(e.target.value) })} />
        </label>
        <label>
          And always keep at least (backups)
          <input type="number" min={1} max={1000} value={form.keepAtLeast} onChange={(e) => setForm({ ...form, keepAtLeast: Number(e.target.value) })} />
        </label>
        <label>
          Snapshot every (minutes, when something changed)
          <input
            type="number"
            min={0}
            max={1440}
            value={form.snapshotMinutes}
            aria-invalid={error?.fields.snapshotMinutes ? true : undefined}
            onChange={(e) => setForm({ ...form, snapshotMinutes: Number(e.target.value) })}
          />
          <span className="muted hint">1 to 1440; 0 takes snapshots only with the daily backup.</span>
          <FieldError message={error?.fields.snapshotMinutes} />
        </label>
        <fieldset className="thinning">
          <legend>Keep snapshots</legend>
          <label>
            every one for (hours)
            <input type="number" min={1} max={720} value={form.keepAllHours} onChange={(e) => setForm({ ...form, keepAllHours: Number(e.target.value) })} />
          </label>
          <label>
            then one an hour for (days)
            <input type="number" min={1} max={365} value={form.hourlyDays} onChange={(e) => setForm({ ...form, hourlyDays: Number(e.target.value) })} />
          </label>
          <span className="muted hint">then one a day for the days backups are kept,</span>
          <label>
            then one a month for (months)
            <input type="number" min={0} max={120} value={form.monthlyMonths} onChange={(e) => setForm({ ...form, monthlyMonths: Number(e.target.value) })} />
          </label>
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={form.sqlDump} onChange={(e) => setForm({ ...form, sqlDump: e.target.checked })} />
          Also write a readable SQL copy (for IT)
        </label>
        <label>
          Backup folder
          <input
            type="text"
            value={form.destination}
            disabled={fromEnv}
            aria-invalid={error?.fields.destination ? true : undefined}
            onChange={(e) => setForm({ ...form, destination: e.target.value })}
          />
          <span className="muted hint">
            {fromEnv
              ? 'Set by IT (LEXDESK_BACKUP_DIR).'
              : `An external disk or a synced folder keeps backups away from this computer. Empty: ${settings.defaultDestination}.`}
          </span>
          <FieldError message={error?.fields.destination} />
        </label>
        {error && !error.fields.destination && !error.fields.snapshotMinutes && <ErrorBox message={error.message} />}
        <div className="form-actions">
          <SubmitButton busy={busy} busyLabel="Saving…">
            Save
          </SubmitButton>
          {saved && (
            <span className="muted" role="status">
              Saved.
            </span>
          )}
        </div>
      </form>
    </Card>
  );
}

/**
 * Where nothing on this machine can protect a copy of the backup key (no OS
 * keychain, no key-encryption key from IT), the key lives in memory: after each
 * restart, backups wait here until an administrator enters the passphrase.
 */
function UnlockCard({ onDone }: { onDone: () => void }) {
  const api = useApi();
  const [passphrase, setPassphrase] = useState('');
  const { busy, error, onSubmit } = useSubmit(async () => {
    await api.call('backup.unlock', { passphrase });
    setPassphrase('');
    onDone();
  });
  return (
    <Card title="Backups are paused" label="Backups are paused" className="card-highlight">
      <p data-testid="backups-locked">
        This computer keeps no copy of the backup key (there is no keychain, and IT has set no key-encryption key), so LexDesk
        forgets it at every restart. <strong>No backup is made until the backup passphrase is entered here.</strong>
      </p>
      <form className="form" onSubmit={onSubmit}>
        <label>
          Backup passphrase
          <input type="password" autoComplete="off" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} required />
          <FieldError message={error?.fields.passphrase} />
        </label>
        {error && !error.fields.passphrase && <ErrorBox message={error.message} />}
        <div className="form-actions">
          <SubmitButton busy={busy} busyLabel="Opening…">
            Resume backups
          </SubmitButton>
        </div>
      </form>
    </Card>
  );
}

function PassphraseCard({ first, onDone }: { first: boolean; onDone: () => void }) {
  const api = useApi();
  const [open, setOpen] = useState(first);
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [password, setPassword] = useState('');
  const mismatch = repeat.length > 0 && passphrase !== repeat;

  const { busy, error, onSubmit } = useSubmit(async () => {
    if (mismatch) return;
    await api.call('backup.settings.update', { passphrase, password });
    setPassphrase('');
    setRepeat('');
    setPassword('');
    setOpen(first);
    onDone();
  });

  if (!open) {
    return (
      <Card title="Backup passphrase">
        <p className="muted">Backups are encrypted with the office's passphrase. Changing it applies to new backups; older ones still open here.</p>
        <button type="button" className="secondary" onClick={() => setOpen(true)}>
          Change the passphrase…
        </button>
      </Card>
    );
  }
  return (
    <Card title={first ? 'Set a backup passphrase' : 'Change the backup passphrase'} label="Backup passphrase" className={first ? 'card-highlight' : undefined}>
      <p>
        Every backup is encrypted with this passphrase. <strong>Write it down and keep it away from this computer</strong>: if the
        computer is lost, the passphrase is the only way to open the backups on a new one.
      </p>
      <form className="form" onSubmit={onSubmit}>
        <label>
          Passphrase (a few unrelated words)
          <input type="password" autoComplete="new-password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} required />
          <FieldError message={error?.fields.passphrase} />
        </label>
        <label>
          The passphrase again
          <input type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} required />
          {mismatch && <span className="field-error">The two passphrases differ.</span>}
        </label>
        <label>
          Your password (to confirm it is you)
          <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          <FieldError message={error?.fields.password} />
        </label>
        {error && !error.fields.passphrase && !error.fields.password && <ErrorBox message={error.message} />}
        <div className="form-actions">
          <SubmitButton busy={busy} busyLabel="Setting…" disabled={mismatch}>
            Set the passphrase
          </SubmitButton>
          {!first && (
            <button type="button" className="secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
          )}
        </div>
      </form>
    </Card>
  );
}

const CONFIRM_WORD = 'RESTORE';

const SNAPSHOT_KIND: Record<SnapshotItem['kind'], string> = { frequent: 'Snapshot', ...KIND_LABEL };

/** A date as the value of a datetime-local input (the browser's local time). */
function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * The snapshots over time: the admin picks a moment, sees the snapshot it resolves
 * to (the newest at or before it) and can restore that one.
 */
function TimelineCard({
  snapshots,
  minutes,
  error,
  running,
  onRestore,
  onChecked,
}: {
  snapshots: SnapshotItem[] | null;
  minutes: number | null;
  error: string | null;
  running: boolean;
  onRestore: (s: SnapshotItem) => void;
  onChecked: () => void;
}) {
  const api = useApi();
  const [checking, setChecking] = useState<string | null>(null);
  const [checkError, setCheckError] = useState<string | null>(null);
  async function checkNow(id: string) {
    setChecking(id);
    setCheckError(null);
    try {
      await api.call('backup.snapshots.verify', { id });
    } catch (err) {
      setCheckError(messageOf(err));
    } finally {
      setChecking(null);
      onChecked();
    }
  }
  const [at, setAt] = useState(() => localInput(new Date()));
  const [resolved, setResolved] = useState<{ item: SnapshotItem | null; message: string | null } | null>(null);

  useEffect(() => {
    let live = true;
    const date = new Date(at);
    if (Number.isNaN(date.getTime())) {
      setResolved({ item: null, message: 'Pick a date and a time.' });
      return;
    }
    // the picker has minutes: a snapshot taken during the picked minute counts as "at" it
    api
      .call('backup.snapshots', { at: new Date(date.getTime() + 59_999).toISOString() })
      .then((r) => live && setResolved({ item: r.resolved, message: null }))
      .catch((err: unknown) => live && setResolved({ item: null, message: messageOf(err) }));
    return () => {
      live = false;
    };
  }, [api, at, snapshots]);

  const list = snapshots ?? [];
  const first = list.length > 0 ? Date.parse(list[0]!.createdAt) : 0;
  const last = list.length > 0 ? Date.parse(list[list.length - 1]!.createdAt) : 0;
  const span = Math.max(1, last - first);
  const recent = [...list].reverse().slice(0, 12);
  return (
    <Card title="Points in time" label="Snapshot timeline">
      {error && <ErrorBox message={error} />}
      {snapshots && list.length === 0 && (
        <p className="muted" data-testid="timeline-empty">
          No snapshots yet. LexDesk takes one {minutes ? `every ${minutes} minutes when something changed` : 'with every backup'}, and with every backup;
          press “Back up now” to take the first.
        </p>
      )}
      {list.length > 0 && (
        <>
          <p className="muted">
            {list.length === 1 ? '1 snapshot' : `${list.length} snapshots`} from {when(list[0]!.createdAt)} to {when(list[list.length - 1]!.createdAt)}.
            Only the parts of the database that changed are stored each time.
          </p>
          <div className="timeline" data-testid="timeline" aria-hidden="true">
            {list.map((s) => (
              <span
                key={s.id}
                className={`timeline-tick${s.problem ? ' timeline-bad' : ''}${resolved?.item?.id === s.id ? ' timeline-picked' : ''}`}
                style={{ left: `${list.length === 1 ? 50 : ((Date.parse(s.createdAt) - first) / span) * 100}%` }}
                title={`${when(s.createdAt)} · ${SNAPSHOT_KIND[s.kind]}`}
              />
            ))}
          </div>
          <div className="form timeline-pick">
            <label>
              Restore the data as it was at
              <input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} data-testid="timeline-at" />
            </label>
            <p data-testid="timeline-resolved" role="status">
              {resolved?.item
                ? `That is the snapshot of ${when(resolved.item.createdAt)} (${SNAPSHOT_KIND[resolved.item.kind].toLowerCase()}${
                    resolved.item.verifiedAt ? `, verified ${when(resolved.item.verifiedAt)}` : resolved.item.problem ? ', damaged' : ''
                  }).`
                : (resolved?.message ?? 'Looking…')}
            </p>
            {resolved?.item?.problem && <ErrorBox message={`This snapshot cannot be restored: ${resolved.item.problem}`} />}
            <div className="form-actions">
              <button
                type="button"
                className="secondary"
                disabled={running || !resolved?.item || !resolved.item.restorable}
                onClick={() => resolved?.item && onRestore(resolved.item)}
              >
                Restore this point in time…
              </button>
            </div>
          </div>
          {checkError && <ErrorBox message={checkError} />}
          <Table testId="snapshot-table" columns={['Taken', 'Kind', 'Stored', 'Last verified', 'Where', '']}>
            {recent.map((s) => (
              <tr key={s.id} data-snapshot={s.id}>
                <td>
                  <span title={s.id}>{when(s.createdAt)}</span>
                </td>
                <td>{SNAPSHOT_KIND[s.kind]}</td>
                <td>{formatBytes(s.addedBytes)} new</td>
                <td>
                  {s.problem ? (
                    <span className="pill pill-down" title={s.problem}>
                      Damaged
                    </span>
                  ) : s.verifiedAt ? (
                    <span className="pill pill-ok">✓ {whenAgo(s.verifiedAt)}</span>
                  ) : s.partsCheckedAt ? (
                    <span className="pill pill-ok" title="The parts it added were read back and opened when it was taken; the full check (reassembled and opened) follows within the hour.">
                      New parts checked {whenAgo(s.partsCheckedAt)}
                    </span>
                  ) : (
                    <span className="pill pill-degraded">Not yet</span>
                  )}
                </td>
                <td>{s.locations.map((l) => (l === 'local' ? 'This backup folder' : l === 'off-site' ? 'Off-site copy' : l)).join(', ')}</td>
                <td>
                  <button type="button" className="secondary small" disabled={running || checking !== null || !s.keyAvailable} onClick={() => void checkNow(s.id)}>
                    {checking === s.id ? 'Checking…' : 'Check now'}
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        </>
      )}
    </Card>
  );
}

interface RestoreTarget {
  id: string;
  createdAt: string;
  keyAvailable: boolean;
  what: 'backup' | 'snapshot';
}

function RestoreDialog({ item, job, onClose }: { item: RestoreTarget; job: BackupJob | null; onClose: () => void }) {
  const api = useApi();
  const [password, setPassword] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [phase, setPhase] = useState<'form' | 'running' | 'done'>('form');
  const [result, setResult] = useState<{ preRestoreBackupId: string } | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setPhase('running');
    try {
      const done = await api.call('backup.restore', { id: item.id, password, ...(item.keyAvailable ? {} : { passphrase }) });
      setResult(done);
      setPhase('done');
    } catch (err) {
      setError(formErrorOf(err));
      setPhase('form');
    }
  }

  return (
    <div className="modal-backdrop backups" onKeyDown={(e) => e.key === 'Escape' && phase === 'form' && onClose()}>
      <div className="modal card" role="dialog" aria-modal="true" aria-labelledby="restore-title">
        <h2 id="restore-title">
          Restore the {item.what} of {when(item.createdAt)}
        </h2>
        {phase === 'form' && (
          <form className="form" onSubmit={submit}>
            <p>
              Everything changed since <strong>{when(item.createdAt)}</strong> will be replaced by this {item.what}. LexDesk first makes a
              safety backup of the data as it is now, so this can be undone. Everyone else will be signed out.
            </p>
            <label>
              Your password
              <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required autoFocus />
              <FieldError message={error?.fields.password} />
            </label>
            {!item.keyAvailable && (
              <label>
                Backup passphrase (this computer does not have its key)
                <input type="password" autoComplete="off" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} required />
                <FieldError message={error?.fields.passphrase} />
              </label>
            )}
            <label>
              Type {CONFIRM_WORD} to confirm
              <input type="text" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} />
            </label>
            {error && !error.fields.password && !error.fields.passphrase && <ErrorBox message={error.message} />}
            <div className="form-actions">
              <button type="submit" className="danger" disabled={typed.trim().toUpperCase() !== CONFIRM_WORD || password === ''}>
                Restore
              </button>
              <button type="button" className="secondary" onClick={onClose}>
                Cancel
              </button>
            </div>
          </form>
        )}
        {phase === 'running' && (
          <>
            <p>Restoring. Keep LexDesk open until this is done.</p>
            {job ? <ProgressBar job={job} label="Restore progress" /> : <p className="muted">Starting…</p>}
          </>
        )}
        {phase === 'done' && result && (
          <>
            <p role="status" data-testid="restore-done">
              The {item.what} of {when(item.createdAt)} is restored. The data as it was before is kept in a safety backup (listed as “Before a
              restore”). Everyone else was signed out.
            </p>
            <div className="form-actions">
              <button type="button" onClick={() => window.location.reload()}>
                Continue
              </button>
            </div>
          </>
        )}
      </div>
    </div>
  );
}
