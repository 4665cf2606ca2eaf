import { useState } from 'react';
import type { SessionInfo } from '../../../../shared/contract/auth.js';
import { Card, Screen } from '../../components/Layout.js';
import { ErrorBox, Notice, QueryStatus } from '../../components/Status.js';
import { Table } from '../../components/Table.js';
import { useApi } from '../../context.js';
import { ago, when } from '../../format.js';
import { useAction, useQuery, type QueryState } from '../../hooks.js';
import { useSession } from '../../session.js';

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
    <Table label={label} columns={['Device', 'Where', 'Signed in', 'Last active', { hidden: 'Actions' }]}>
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
    </Table>
  );
}

/** The sessions of one person, each with its sign-out button: the Devices screen and a row of the Users screen. */
export function SessionList({
  list,
  label,
  empty,
  onRevoke,
}: {
  list: QueryState<{ sessions: SessionInfo[] }>;
  label: string;
  empty: string;
  onRevoke(session: SessionInfo): Promise<void>;
}) {
  const revoke = useAction<string>();
  return (
    <>
      {revoke.error && <ErrorBox message={revoke.error} />}
      <QueryStatus query={list} />
      {list.data && list.data.sessions.length === 0 && <p className="empty">{empty}</p>}
      {list.data && list.data.sessions.length > 0 && (
        <SessionTable
          label={label}
          sessions={list.data.sessions}
          busyId={typeof revoke.busy === 'string' ? revoke.busy : null}
          onRevoke={(s) => void revoke.run(() => onRevoke(s), s.id)}
        />
      )}
    </>
  );
}

export function Devices() {
  const api = useApi();
  const session = useSession();
  const list = useQuery('auth.sessions.list', {});
  const signOutOthers = useAction();
  const [message, setMessage] = useState<string | null>(null);

  const revoke = async (target: SessionInfo) => {
    if (target.current) {
      await session.signOut('You signed out of this device.');
      return;
    }
    await api.call('auth.sessions.revoke', { sessionId: target.id });
    setMessage(`${target.deviceName} was signed out.`);
    list.reload();
  };

  const revokeOthers = () =>
    signOutOthers.run(async () => {
      const { ended } = await api.call('auth.sessions.revokeOthers', {});
      setMessage(ended === 0 ? 'No other device was signed in.' : `${ended} other device${ended === 1 ? ' was' : 's were'} signed out.`);
      list.reload();
    });

  const others = list.data?.sessions.filter((s) => !s.current).length ?? 0;
  return (
    <Screen
      title="My devices"
      aside={
        <button type="button" className="secondary" disabled={others === 0} onClick={() => void revokeOthers()}>
          Sign out all other devices
        </button>
      }
    >
      <Card>
        <p className="muted">
          Every place you are signed in. If you see a device you do not recognise, sign it out and change your password.
        </p>
        {message && <Notice>{message}</Notice>}
        {signOutOthers.error && <ErrorBox message={signOutOthers.error} />}
        <SessionList list={list} label="My devices" empty="No sessions are open." onRevoke={revoke} />
      </Card>
    </Screen>
  );
}
