import { useState } from 'react';
import { Field, SubmitButton, useSubmit } from '../../components/form.js';
import { ErrorBox } from '../../components/Status.js';
import { useSession } from '../../session.js';
import { NewPasswordFields, passwordsDiffer } from './password.js';
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
  const { busy, error, setError, onSubmit } = useSubmit(async () => {
    const mismatch = passwordsDiffer('password', password, confirm);
    if (mismatch) return setError(mismatch);
    await session.setup({ username, displayName, password, ...(setupCode.trim() ? { setupCode: setupCode.trim() } : {}) });
  });
  return (
    <AuthPage
      title="Create the administrator"
      intro="LexDesk has no accounts yet. The administrator manages staff accounts, settings and backups. Other staff get their accounts from the administrator."
    >
      <form className="form" onSubmit={onSubmit} aria-label="Create the administrator" noValidate>
        <Field label="Username" name="username" value={username} onChange={setUsername} autoComplete="username" required autoFocus error={error?.fields.username} />
        <Field label="Full name" name="displayName" value={displayName} onChange={setDisplayName} autoComplete="name" required error={error?.fields.displayName} />
        <NewPasswordFields noun="password" name="password" value={password} confirm={confirm} onChange={setPassword} onConfirm={setConfirm} error={error} />
        {session.state.setupCodeRequired && (
          <Field
            label="Set-up code"
            name="setupCode"
            value={setupCode}
            onChange={setSetupCode}
            autoComplete="off"
            hint="Only needed when this page is opened from another computer than the server: the code is in the server's log."
            error={error?.fields.setupCode}
          />
        )}
        {error && <ErrorBox message={error.message} code={error.code} />}
        <div className="actions">
          <SubmitButton busy={busy} busyLabel="Creating…" disabled={!username || !displayName || !password}>
            Create administrator
          </SubmitButton>
        </div>
      </form>
      <RestoreInstead />
    </AuthPage>
  );
}

/**
 * A new computer replacing one that was lost: the office's data comes back from
 * the backups (the off-site copy, or the backup folder) with the backup passphrase,
 * and the accounts come back with it, so no administrator is created here.
 */
function RestoreInstead() {
  return (
    <details className="restore-instead" data-testid="first-run-restore">
      <summary>Restoring this office from a backup instead?</summary>
      <p>
        If this computer replaces one that was lost, do not create an administrator: the accounts come back with the backup. Close LexDesk, then IT runs, on
        this computer:
      </p>
      <ol>
        <li>
          <code>lexdesk backup fetch --from sftp://user@server/folder</code> (or <code>s3://bucket/prefix</code>, or the folder that holds the backups) — it
          downloads the backups from the off-site copy and lists them;
        </li>
        <li>
          <code>lexdesk backup restore &lt;id&gt; --passphrase-stdin</code> with the office&rsquo;s backup passphrase (the one written down when backups were set up).
        </li>
      </ol>
      <p>Then start LexDesk again and sign in with an existing account. The README&rsquo;s &ldquo;Backups&rdquo; section has the details.</p>
    </details>
  );
}
