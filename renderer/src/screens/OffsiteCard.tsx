import { useEffect, useState } from 'react';
import type { OffsiteStatus, TargetConfig, TargetCredentials } from '../../../shared/contract/offsite.js';
import { formatBytes } from '../../../shared/format.js';
import { FieldError, SubmitButton, useSubmit } from '../components/form.js';
import { Card } from '../components/Layout.js';
import { ErrorBox } from '../components/Status.js';
import { useApi } from '../context.js';
import { messageOf } from '../errors.js';
import { when, whenAgo } from '../format.js';
import { useQuery } from '../hooks.js';

type Kind = TargetConfig['kind'];

export interface Draft {
  kind: Kind;
  path: string;
  host: string;
  port: string;
  username: string;
  sftpPath: string;
  auth: 'password' | 'key';
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  pathStyle: boolean;
  accessKeyId: string;
  secret: string;
}

export function draftOf(target: TargetConfig | null): Draft {
  const d: Draft = {
    kind: target?.kind ?? 'sftp',
    path: '',
    host: '',
    port: '22',
    username: '',
    sftpPath: '/backups/lexdesk',
    auth: 'password',
    endpoint: '',
    region: 'us-east-1',
    bucket: '',
    prefix: 'lexdesk',
    pathStyle: false,
    accessKeyId: '',
    secret: '',
  };
  if (target?.kind === 'folder') d.path = target.path;
  if (target?.kind === 'sftp') Object.assign(d, { host: target.host, port: String(target.port), username: target.username, sftpPath: target.path, auth: target.auth });
  if (target?.kind === 's3') Object.assign(d, { endpoint: target.endpoint, region: target.region, bucket: target.bucket, prefix: target.prefix, pathStyle: target.pathStyle, accessKeyId: target.accessKeyId });
  return d;
}

export function targetOf(d: Draft): { target: TargetConfig; credentials: TargetCredentials } {
  const secret = d.secret === '' ? undefined : d.secret;
  switch (d.kind) {
    case 'folder':
      return { target: { kind: 'folder', path: d.path.trim() }, credentials: {} };
    case 'sftp':
      return {
        target: { kind: 'sftp', host: d.host.trim(), port: Number(d.port) || 22, username: d.username.trim(), path: d.sftpPath.trim(), auth: d.auth },
        credentials: d.auth === 'password' ? { password: secret } : { privateKey: secret },
      };
    case 's3':
      return {
        target: { kind: 's3', endpoint: d.endpoint.trim(), region: d.region.trim(), bucket: d.bucket.trim(), prefix: d.prefix.trim(), pathStyle: d.pathStyle, accessKeyId: d.accessKeyId.trim() },
        credentials: { secretAccessKey: secret },
      };
  }
}

function lagText(status: OffsiteStatus): string {
  if (status.lagHours === null) return 'Not copied yet';
  if (status.lagHours < 1) return 'Up to date (less than an hour)';
  if (status.lagHours < 48) return `${Math.round(status.lagHours)} hours behind`;
  return `${Math.floor(status.lagHours / 24)} days behind`;
}

/** The off-site copy: where the backup folder is mirrored, how it stands, and its settings. */
export function OffsiteCard({ onChanged }: { onChanged?: () => void }) {
  const api = useApi();
  const query = useQuery('backup.offsite.get', {}, { refreshMs: 60_000 });
  const [editing, setEditing] = useState(false);
  const [copying, setCopying] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const status = query.data;

  async function copyNow() {
    setNotice(null);
    setCopying(true);
    try {
      const next = await api.call('backup.offsite.copyNow', { verify: 'sample' });
      const copy = next.lastCopy;
      if (next.running) setNotice({ kind: 'ok', text: 'The copy goes on in the background (a first copy can take hours on a slow line). This card shows when it is done.' });
      else setNotice({ kind: next.lastVerify?.ok === false ? 'error' : 'ok', text: next.lastVerify?.ok === false ? next.lastVerify.message : (copy?.message ?? 'Copied.') });
    } catch (err) {
      setNotice({ kind: 'error', text: messageOf(err) });
    } finally {
      setCopying(false);
      query.reload();
      onChanged?.();
    }
  }

  if (query.error) return <ErrorBox message={query.error.message} onRetry={query.reload} />;
  if (!status) return null;

  return (
    <Card title="Off-site copy" label="Off-site copy">
      {status.target === null && !editing && (
        <>
          <p className="muted" data-testid="offsite-empty">
            Backups are only in {`this office's`} backup folder. A copy somewhere else — a NAS at home, an SSH server, an S3 bucket — survives a fire or a
            theft. Set one up with IT.
          </p>
          <button type="button" onClick={() => setEditing(true)}>
            Set up an off-site copy…
          </button>
        </>
      )}
      {status.target !== null && !editing && (
        <>
          {(status.lagging || status.lastVerify?.ok === false) && (
            <div className="banner-warning" role="alert" data-testid="offsite-problem">
              <p>
                {status.lastVerify?.ok === false
                  ? status.lastVerify.message
                  : status.lastSuccessAt
                    ? `The off-site copy is ${lagText(status).replace(' behind', ' old')}. ${status.lastCopy && !status.lastCopy.ok ? status.lastCopy.message : ''}`
                    : (status.lastCopy?.message ?? 'The off-site copy has not been made yet: press “Copy now”.')}
              </p>
            </div>
          )}
          <dl className="facts" data-testid="offsite-facts">
            <dt>Target</dt>
            <dd data-testid="offsite-target">{status.label}</dd>
            <dt>Last complete copy</dt>
            <dd data-testid="offsite-last-copy">{status.lastSuccessAt ? whenAgo(status.lastSuccessAt) : 'None yet'}</dd>
            <dt>Lag</dt>
            <dd data-testid="offsite-lag">
              {lagText(status)}
              {status.running === 'copy' && !copying && <span className="muted"> · copying now…</span>}
            </dd>
            {status.lastCopy && !status.lastCopy.ok && (
              <>
                <dt>Last attempt</dt>
                <dd>
                  <span className="pill pill-down">Failed</span> {when(status.lastCopy.at)}: {status.lastCopy.message}
                </dd>
              </>
            )}
            {status.lastCopy?.ok && status.lastCopy.uploaded > 0 && (
              <>
                <dt>Last sent</dt>
                <dd>
                  {status.lastCopy.uploaded} files, {formatBytes(status.lastCopy.uploadedBytes)}
                </dd>
              </>
            )}
            <dt>Last check</dt>
            <dd data-testid="offsite-last-verify">
              {status.lastVerify ? (
                <>
                  <span className={status.lastVerify.ok ? 'pill pill-ok' : 'pill pill-down'}>{status.lastVerify.ok ? '✓ Read back' : 'Failed'}</span>{' '}
                  {whenAgo(status.lastVerify.at)} ({status.lastVerify.checked} files{status.lastVerify.full ? ', all' : ', a sample'})
                </>
              ) : (
                'Not yet (a sample is read back every day, everything every week)'
              )}
            </dd>
          </dl>
          {notice && (
            <div className={notice.kind === 'ok' ? 'notice notice-ok' : 'error-box'} role={notice.kind === 'ok' ? 'status' : 'alert'} data-testid="offsite-notice">
              <p>{notice.text}</p>
            </div>
          )}
          <div className="form-actions">
            <button type="button" onClick={copyNow} disabled={copying}>
              {copying ? 'Copying…' : 'Copy now'}
            </button>
            <button type="button" className="secondary" onClick={() => setEditing(true)} disabled={copying}>
              Change…
            </button>
          </div>
        </>
      )}
      {editing && (
        <OffsiteForm
          status={status}
          onDone={() => {
            setEditing(false);
            query.reload();
            onChanged?.();
          }}
          onCancel={() => setEditing(false)}
        />
      )}
    </Card>
  );
}

function OffsiteForm({ status, onDone, onCancel }: { status: OffsiteStatus; onDone: () => void; onCancel: () => void }) {
  const api = useApi();
  const [draft, setDraft] = useState<Draft>(() => draftOf(status.target));
  const [test, setTest] = useState<{ ok: boolean; message: string } | null>(null);
  const [testing, setTesting] = useState(false);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  // a stored secret is kept only for the same server or bucket: another one never receives it
  const saved = status.target;
  const sameKind =
    saved !== null &&
    ((saved.kind === 'sftp' && draft.kind === 'sftp' && saved.host === draft.host.trim() && String(saved.port) === draft.port && saved.path === draft.sftpPath.trim()) ||
      (saved.kind === 's3' && draft.kind === 's3' && saved.bucket === draft.bucket.trim() && saved.endpoint === draft.endpoint.trim() && saved.prefix === draft.prefix.trim()));
  const stored =
    sameKind &&
    (draft.kind === 'sftp' ? (draft.auth === 'password' ? status.stored.password : status.stored.privateKey) : draft.kind === 's3' ? status.stored.secretAccessKey : false);

  const { busy, error, setError, onSubmit } = useSubmit(async () => {
    const { target, credentials } = targetOf(draft);
    await api.call('backup.offsite.set', { target, credentials });
    onDone();
  });
  // an answer is about what was typed then
  useEffect(() => {
    setTest(null);
    setError(null);
  }, [draft, setError]);

  async function runTest() {
    setTesting(true);
    setTest(null);
    try {
      const { target, credentials } = targetOf(draft);
      setTest(await api.call('backup.offsite.test', { target, credentials }));
    } catch (err) {
      setTest({ ok: false, message: messageOf(err) });
    } finally {
      setTesting(false);
    }
  }

  async function turnOff() {
    await api.call('backup.offsite.set', { target: null });
    onDone();
  }

  const field = (name: string) => error?.fields[`target.${name}`];
  return (
    <form className="form" onSubmit={onSubmit} data-testid="offsite-form">
      <TargetFields draft={draft} set={set} field={field} stored={stored} sameKind={sameKind} hostKey={status.hostKey} />
      {test && (
        <div className={test.ok ? 'notice notice-ok' : 'error-box'} role={test.ok ? 'status' : 'alert'} data-testid="offsite-test-result">
          <p>{test.message}</p>
        </div>
      )}
      {error && Object.keys(error.fields).length === 0 && <ErrorBox message={error.message} />}
      <div className="form-actions">
        <button type="button" className="secondary" onClick={runTest} disabled={testing || busy}>
          {testing ? 'Testing…' : 'Test the connection'}
        </button>
        <SubmitButton busy={busy} busyLabel="Saving…">
          Save
        </SubmitButton>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
        {status.target && (
          <button type="button" className="secondary" onClick={turnOff}>
            Turn the off-site copy off
          </button>
        )}
      </div>
    </form>
  );
}

/** Where the off-site copy is and how to sign in there: the Backups screen's form, and the first run's restore. */
export function TargetFields({
  draft,
  set,
  field,
  stored = false,
  sameKind = false,
  hostKey = null,
  forDownload = false,
}: {
  draft: Draft;
  set: (patch: Partial<Draft>) => void;
  field: (name: string) => string | undefined;
  stored?: boolean;
  sameKind?: boolean;
  hostKey?: string | null;
  /** the credentials are used for one download and not kept */
  forDownload?: boolean;
}) {
  const secretHint = forDownload
    ? 'Used for this download only, not kept.'
    : `${stored && sameKind ? 'One is stored; leave empty to keep it. ' : ''}Kept in this computer’s secret store, never in the database.`;
  return (
    <>
      <label>
        Where
        <select value={draft.kind} onChange={(e) => set({ kind: e.target.value as Kind, secret: '' })}>
          <option value="sftp">An SSH server (SFTP): a NAS, a server elsewhere</option>
          <option value="s3">An S3 bucket: AWS, Backblaze B2, Wasabi, MinIO</option>
          <option value="folder">Another folder: a network share, a cloud-synced folder</option>
        </select>
      </label>
      {draft.kind === 'folder' && (
        <label>
          Folder
          <input type="text" value={draft.path} required onChange={(e) => set({ path: e.target.value })} placeholder={'\\\\nas\\lexdesk or /mnt/offsite'} />
          <span className="muted hint">Not the backup folder itself, and ideally not the same disk.</span>
          <FieldError message={field('path')} />
        </label>
      )}
      {draft.kind === 'sftp' && (
        <>
          <label>
            Server
            <input type="text" value={draft.host} required onChange={(e) => set({ host: e.target.value })} placeholder="nas.example.lan" />
            <FieldError message={field('host')} />
          </label>
          <label>
            Port
            <input type="number" min={1} max={65535} value={draft.port} onChange={(e) => set({ port: e.target.value })} />
          </label>
          <label>
            User
            <input type="text" value={draft.username} required onChange={(e) => set({ username: e.target.value })} autoComplete="off" />
            <FieldError message={field('username')} />
          </label>
          <label>
            Folder on the server
            <input type="text" value={draft.sftpPath} required onChange={(e) => set({ sftpPath: e.target.value })} />
            <FieldError message={field('path')} />
          </label>
          <label>
            Sign in with
            <select value={draft.auth} onChange={(e) => set({ auth: e.target.value as Draft['auth'], secret: '' })}>
              <option value="password">A password</option>
              <option value="key">A private key (OpenSSH format)</option>
            </select>
          </label>
          <label>
            {draft.auth === 'password' ? 'Password' : 'Private key'}
            {draft.auth === 'password' ? (
              <input type="password" value={draft.secret} autoComplete="new-password" onChange={(e) => set({ secret: e.target.value })} required={!stored} />
            ) : (
              <textarea rows={4} value={draft.secret} onChange={(e) => set({ secret: e.target.value })} required={!stored} placeholder="-----BEGIN OPENSSH PRIVATE KEY-----" />
            )}
            <span className="muted hint">{secretHint}</span>
          </label>
          {hostKey && sameKind && <p className="muted">Server host key recorded: {hostKey}</p>}
        </>
      )}
      {draft.kind === 's3' && (
        <>
          <label>
            Endpoint
            <input type="text" value={draft.endpoint} onChange={(e) => set({ endpoint: e.target.value })} placeholder="https://s3.eu-central-003.backblazeb2.com" />
            <span className="muted hint">Empty for AWS itself.</span>
            <FieldError message={field('endpoint')} />
          </label>
          <label>
            Region
            <input type="text" value={draft.region} required onChange={(e) => set({ region: e.target.value })} />
            <FieldError message={field('region')} />
          </label>
          <label>
            Bucket
            <input type="text" value={draft.bucket} required onChange={(e) => set({ bucket: e.target.value })} />
            <FieldError message={field('bucket')} />
          </label>
          <label>
            Folder in the bucket (prefix)
            <input type="text" value={draft.prefix} onChange={(e) => set({ prefix: e.target.value })} />
          </label>
          <label className="check">
            <input type="checkbox" checked={draft.pathStyle} onChange={(e) => set({ pathStyle: e.target.checked })} />
            Path-style addresses (MinIO and most non-AWS services)
          </label>
          <label>
            Access key id
            <input type="text" value={draft.accessKeyId} required onChange={(e) => set({ accessKeyId: e.target.value })} autoComplete="off" />
            <FieldError message={field('accessKeyId')} />
          </label>
          <label>
            Secret key
            <input type="password" value={draft.secret} autoComplete="new-password" onChange={(e) => set({ secret: e.target.value })} required={!stored} />
            <span className="muted hint">{secretHint}</span>
          </label>
        </>
      )}
    </>
  );
}
