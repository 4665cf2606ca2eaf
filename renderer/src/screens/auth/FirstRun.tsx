import { useState } from 'react';
import type { OutputOf } from '../../../../shared/contract/index.js';
import { formatBytes } from '../../../../shared/format.js';
import { Field, SubmitButton, useSubmit } from '../../components/form.js';
import { ErrorBox } from '../../components/Status.js';
import { useApi } from '../../context.js';
import { when } from '../../format.js';
import { useSession } from '../../session.js';
import { NewPasswordFields, passwordsDiffer } from './password.js';
import { draftOf, targetOf, TargetFields, type Draft } from '../OffsiteCard.js';
import { AuthPage } from './SignIn.js';
import './auth.css';

/** First run: there is no account yet, so the person at the keyboard creates the administrator. */
export function FirstRun() {
  const session = useSession();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [setupCode, setSetupCode] = useState('');
  const [restored, setRestored] = useState<Restored | null>(null);
  const { busy, error, setError, onSubmit } = useSubmit(async () => {
    const mismatch = passwordsDiffer('password', password, confirm);
    if (mismatch) return setError(mismatch);
    await session.setup({ username, displayName, password, ...(setupCode.trim() ? { setupCode: setupCode.trim() } : {}) });
  });
  if (restored) {
    return (
      <AuthPage title="The office is restored" intro="This computer now holds the office's data and accounts as they were in the backup.">
        <div className="notice notice-ok" role="status" data-testid="first-run-restored">
          <p>
            Restored the office as it was on {when(restored.createdAt)} ({restored.fetchedFiles} files, {formatBytes(restored.fetchedBytes)} downloaded now). The
            accounts came back with it: sign in with your usual username and password.
          </p>
          {restored.hostKey && <p className="muted">The server&rsquo;s host key: {restored.hostKey}</p>}
        </div>
        <div className="actions">
          <button type="button" onClick={() => session.retry()}>
            Go to sign in
          </button>
        </div>
      </AuthPage>
    );
  }
  return (
    <AuthPage
      title="Create the administrator"
      intro="LexDesk has no accounts yet. The administrator manages staff accounts, settings and backups. Other staff get their accounts from the administrator."
    >
      <form className="form" onSubmit={onSubmit} aria-label="Create the administrator" noValidate>
        <Field label="Username" name="username" value={username} onChange={setUsername} autoComplete="username" required autoFocus error={error?.fields.username} />
        <Field label="Full name" name="displayName" value={displayName} onChange={setDisplayName} autoComplete="name" required error={error?.fields.displayName} />
        <NewPasswordFields noun="password" name="password" value={password} confirm={confirm} onChange={setPassword} onConfirm={setConfirm} error={error} />
        <SetupCodeField name="setupCode" value={setupCode} onChange={setSetupCode} error={error?.fields.setupCode} />
        {error && <ErrorBox message={error.message} code={error.code} />}
        <div className="actions">
          <SubmitButton busy={busy} busyLabel="Creating…" disabled={!username || !displayName || !password}>
            Create administrator
          </SubmitButton>
        </div>
      </form>
      <RestoreInstead onRestored={setRestored} />
    </AuthPage>
  );
}

/**
 * A new computer replacing one that was lost: the office's data comes back from
 * the off-site copy with the backup passphrase, and the accounts come back with
 * it, so no administrator is created here.
 */
type Restored = OutputOf<'backup.firstRunRestore'>;

function RestoreInstead({ onRestored }: { onRestored: (restored: Restored) => void }) {
  const api = useApi();
  const [draft, setDraft] = useState<Draft>(() => draftOf(null));
  const [passphrase, setPassphrase] = useState('');
  const [setupCode, setSetupCode] = useState('');
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const { busy, error, onSubmit } = useSubmit(async () => {
    const { target, credentials } = targetOf(draft);
    onRestored(await api.call('backup.firstRunRestore', { target, credentials, passphrase, ...(setupCode.trim() ? { setupCode: setupCode.trim() } : {}) }));
  });
  const field = (name: string) => error?.fields[`target.${name}`];
  return (
    <details className="restore-instead" data-testid="first-run-restore">
      <summary>Restoring this office from a backup instead?</summary>
      <form className="form" onSubmit={onSubmit} aria-label="Restore from a backup" noValidate>
        <p>
          If this computer replaces one that was lost, do not create an administrator: the accounts come back with the backup. Say where the off-site copy
          is and enter the office&rsquo;s backup passphrase (the one written down when backups were set up). LexDesk downloads the backups and restores
          the newest.
        </p>
        <TargetFields draft={draft} set={set} field={field} forDownload />
        <Field
          label="Backup passphrase"
          name="passphrase"
          type="password"
          value={passphrase}
          onChange={setPassphrase}
          autoComplete="off"
          required
          error={error?.fields.passphrase}
        />
        <SetupCodeField name="restoreSetupCode" value={setupCode} onChange={setSetupCode} error={error?.fields.setupCode} />
        {busy && (
          <p className="muted" role="status">
            Downloading the backups and restoring the newest… this takes a few minutes for a large office; keep this page open.
          </p>
        )}
        {error && <ErrorBox message={error.message} code={error.code} />}
        <div className="actions">
          <SubmitButton busy={busy} busyLabel="Restoring…" disabled={!passphrase}>
            Restore from this backup
          </SubmitButton>
        </div>
        <p className="muted">
          IT can do the same on the command line: <code>lexdesk backup fetch --from sftp://user@server/folder</code> (or <code>s3://bucket/prefix</code>, or a
          folder), then <code>lexdesk backup restore &lt;id&gt; --passphrase-stdin</code>. The README&rsquo;s &ldquo;Backups&rdquo; section has the details.
        </p>
      </form>
    </details>
  );
}

/** The one-time set-up code, asked only when the page is not opened on the server itself. */
function SetupCodeField({ name, value, onChange, error }: { name: string; value: string; onChange: (value: string) => void; error?: string }) {
  const session = useSession();
  if (!session.state.setupCodeRequired) return null;
  return (
    <Field
      label="Set-up code"
      name={name}
      value={value}
      onChange={onChange}
      autoComplete="off"
      hint="Only needed when this page is opened from another computer than the server: the code is in the server's log."
      error={error}
    />
  );
}
