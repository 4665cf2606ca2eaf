import { useState } from 'react';
import { PRODUCT_NAME } from '../../../../shared/product.js';
import { useSession } from '../../session.js';
import { Field, SubmitButton, useSubmit } from '../../components/form.js';
import { ErrorBox, Notice } from '../../components/Status.js';
import './auth.css';

export function AuthPage({ title, intro, children }: { title: string; intro?: string; children: React.ReactNode }) {
  return (
    <div className="auth-page">
      <section className="auth-card" aria-labelledby="auth-title">
        <div className="brand">
          <span className="logo" aria-hidden="true">§</span>
          <span>{PRODUCT_NAME}</span>
        </div>
        <h1 id="auth-title">{title}</h1>
        {intro && <p className="muted">{intro}</p>}
        {children}
      </section>
    </div>
  );
}

export function SignIn() {
  const session = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, onSubmit } = useSubmit(async () => {
    await session.signIn(username, password);
  });
  return (
    <AuthPage title="Sign in" intro="Use the username and password your office administrator gave you.">
      {session.state.notice && !error && <Notice>{session.state.notice}</Notice>}
      <form className="form" onSubmit={onSubmit} aria-label="Sign in" noValidate>
        <Field label="Username" name="username" value={username} onChange={setUsername} autoComplete="username" required autoFocus />
        <Field label="Password" name="password" type="password" value={password} onChange={setPassword} autoComplete="current-password" required />
        {error && <ErrorBox message={error.code === 'invalid_input' ? 'Enter your username and password.' : error.message} code={error.code} />}
        <div className="actions">
          <SubmitButton busy={busy} busyLabel="Signing in…" disabled={!username || !password}>
            Sign in
          </SubmitButton>
        </div>
      </form>
    </AuthPage>
  );
}
