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
    </AuthPage>
  );
}
