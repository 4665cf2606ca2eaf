import { useState } from 'react';
import { Field, SubmitButton, useSubmit } from '../../components/form.js';
import { Card, Screen } from '../../components/Layout.js';
import { ErrorBox, Notice } from '../../components/Status.js';
import { useApi } from '../../context.js';
import { useSession } from '../../session.js';
import { NewPasswordFields, passwordsDiffer } from './password.js';
import { AuthPage } from './SignIn.js';

function ChangePasswordForm({ onDone }: { onDone(message: string): void }) {
  const api = useApi();
  const session = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const { busy, error, setError, onSubmit } = useSubmit(async () => {
    const mismatch = passwordsDiffer('new password', next, confirm);
    if (mismatch) return setError(mismatch);
    const result = await api.call('auth.changePassword', { current, next });
    setCurrent('');
    setNext('');
    setConfirm('');
    session.updateUser(result.user);
    onDone(
      result.endedSessions > 0
        ? `Password changed. ${result.endedSessions} other device${result.endedSessions === 1 ? ' was' : 's were'} signed out.`
        : 'Password changed.',
    );
  });
  return (
    <form className="form" onSubmit={onSubmit} aria-label="Change password" noValidate>
      <Field label="Current password" name="current" type="password" value={current} onChange={setCurrent} autoComplete="current-password" required error={error?.fields.current} />
      <NewPasswordFields noun="new password" name="next" value={next} confirm={confirm} onChange={setNext} onConfirm={setConfirm} error={error} />
      {error && <ErrorBox message={error.message} code={error.code} />}
      <div className="actions">
        <SubmitButton busy={busy} busyLabel="Saving…" disabled={!current || !next || !confirm}>
          Change password
        </SubmitButton>
      </div>
    </form>
  );
}

/** The screen in the navigation. */
export function ChangePassword() {
  const [done, setDone] = useState<string | null>(null);
  return (
    <Screen title="Change password">
      <div className="cards">
        <Card>
          {done && <Notice>{done}</Notice>}
          <p className="muted">Changing your password signs out your other devices.</p>
          <ChangePasswordForm onDone={setDone} />
        </Card>
      </div>
    </Screen>
  );
}

/** Shown instead of the app while the user still has a temporary password. */
export function ForcedPasswordChange() {
  const session = useSession();
  return (
    <AuthPage
      title="Choose your password"
      intro={`Welcome, ${session.state.user?.displayName ?? ''}. You signed in with a temporary password; choose your own to continue.`}
    >
      <ChangePasswordForm onDone={() => undefined} />
      <div className="form actions">
        <button type="button" className="secondary" onClick={() => void session.signOut()}>
          Sign out
        </button>
      </div>
    </AuthPage>
  );
}
