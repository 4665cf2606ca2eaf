import { useState } from 'react';
import type { SessionInfo } from '../../../../shared/contract/auth.js';
import { ErrorBox } from '../../components/Status.js';
import { useApi } from '../../context.js';
import { useQuery } from '../../hooks.js';
import { useSession } from '../../session.js';
import { messageOf } from '../../errors.js';
import { ago, when } from '../../format.js';
import './auth.css';

const FACE_LABEL: Record<string, string> = { desktop: 'Desktop app', headless: 'Browser', cli: 'Command line' };

/** A table of sessions with a sign-out button on each; used for "my devices" and by the Users screen. */
export function SessionTable({
  sessions,
  onRevoke,
  busyId,
  label,
}: {
  sessions: SessionInfo[];
  onRevoke(session: SessionInfo): void;
  busyId: string | null;
  label: string;
}) {
  return (
    <table className="table" aria-label={label}>
      <thead>
        <tr>
          <th>Device</th>
          <th>Where</th>
          <th>Signed in</th>
          <th>Last active</th>
          <th>
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {sessions.map((s) => (
          <tr key={s.id} data-session={s.id}>
            <td>
              {s.deviceName} {s.current && <span className="badge">This device</span>}
            </td>
            <td>
              {FACE_LABEL[s.face] ?? s.face}
              {s.address ? ` · ${s.address}` : ''}
            </td>
            <td>{when(s.createdAt)}</td>
            <td>{ago(s.lastSeenAt)}</td>
            <td>
              <button type="button" className="secondary small" disabled={busyId === s.id} onClick={() => onRevoke(s)}>
                {busyId === s.id ? 'Signing out…' : 'Sign out'}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Devices() {
  const api = useApi();
  const session = useSession();
  const list = useQuery('auth.sessions.list', {});
  const [busyId, setBusyId] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const revoke = async (target: SessionInfo) => {
    if (target.current) {
      await session.signOut('You signed out of this device.');
      return;
    }
    setBusyId(target.id);
    setError(null);
    try {
      await api.call('auth.sessions.revoke', { sessionId: target.id });
      setMessage(`${target.deviceName} was signed out.`);
      list.reload();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusyId(null);
    }
  };

  const revokeOthers = async () => {
    setError(null);
    try {
      const { ended } = await api.call('auth.sessions.revokeOthers', {});
      setMessage(ended === 0 ? 'No other device was signed in.' : `${ended} other device${ended === 1 ? ' was' : 's were'} signed out.`);
      list.reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };

  const others = list.data?.sessions.filter((s) => !s.current).length ?? 0;
  return (
    <section className="screen" aria-labelledby="devices-title">
      <header className="screen-header">
        <h1 id="devices-title">My devices</h1>
        <button type="button" className="secondary" disabled={others === 0} onClick={() => void revokeOthers()}>
          Sign out all other devices
        </button>
      </header>
      <article className="card">
        <p className="muted">
          Every place you are signed in. If you see a device you do not recognise, sign it out and change your password.
        </p>
        {message && (
          <div className="notice" role="status">
            <p>{message}</p>
          </div>
        )}
        {error && <ErrorBox message={error} />}
        {list.error && <ErrorBox message={list.error.message} onRetry={list.reload} />}
        {!list.data && !list.error && <p className="muted">Loading…</p>}
        {list.data && list.data.sessions.length === 0 && <p className="empty">No sessions are open.</p>}
        {list.data && list.data.sessions.length > 0 && (
          <SessionTable sessions={list.data.sessions} onRevoke={(s) => void revoke(s)} busyId={busyId} label="My devices" />
        )}
      </article>
    </section>
  );
}
