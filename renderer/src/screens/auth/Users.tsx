import { Fragment, useId, useState } from 'react';
import type { UserInfo } from '../../../../shared/contract/auth.js';
import { ROLES, type Role } from '../../../../shared/permissions.js';
import { Field, Options, SubmitButton, useSubmit } from '../../components/form.js';
import { Card, Screen } from '../../components/Layout.js';
import { ErrorBox, Notice, QueryStatus } from '../../components/Status.js';
import { Table } from '../../components/Table.js';
import { useApi } from '../../context.js';
import { ago } from '../../format.js';
import { useAction, useQuery } from '../../hooks.js';
import { useSession } from '../../session.js';
import { SessionList } from './Devices.js';
import './auth.css';

const ROLE_LABEL: Record<Role, string> = { admin: 'Administrator', lawyer: 'Lawyer', assistant: 'Assistant' };

function TemporaryPassword({ who, password, onClose }: { who: string; password: string; onClose(): void }) {
  return (
    <div className="secret-box" role="status" aria-label="Temporary password">
      <p>
        Temporary password for <strong>{who}</strong> (shown once; they choose their own at first sign-in):
      </p>
      <p>
        <code data-testid="temporary-password">{password}</code>
      </p>
      <button type="button" className="secondary small" onClick={onClose}>
        Done
      </button>
    </div>
  );
}

function CreateUser({ onCreated }: { onCreated(user: UserInfo, password: string): void }) {
  const api = useApi();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('assistant');
  const roleId = useId();
  const { busy, error, onSubmit } = useSubmit(async () => {
    const result = await api.call('users.create', { username, displayName, role });
    setUsername('');
    setDisplayName('');
    onCreated(result.user, result.temporaryPassword);
  });
  return (
    <form className="form" onSubmit={onSubmit} aria-label="Add a staff member" noValidate>
      <div className="form-row">
        <Field label="Username" name="new-username" value={username} onChange={setUsername} autoComplete="off" required error={error?.fields.username} />
        <Field label="Full name" name="new-displayName" value={displayName} onChange={setDisplayName} autoComplete="off" required error={error?.fields.displayName} />
        <div className="field">
          <label htmlFor={roleId}>Role</label>
          <select id={roleId} name="new-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <Options values={ROLES} labels={ROLE_LABEL} />
          </select>
        </div>
      </div>
      {error && !error.fields.username && !error.fields.displayName && <ErrorBox message={error.message} code={error.code} />}
      <div className="actions">
        <SubmitButton busy={busy} busyLabel="Adding…" disabled={!username || !displayName}>
          Add staff member
        </SubmitButton>
      </div>
    </form>
  );
}

function UserSessions({ user }: { user: UserInfo }) {
  const api = useApi();
  const list = useQuery('users.sessions.list', { userId: user.id });
  return (
    <div aria-label={`Devices of ${user.displayName}`}>
      <SessionList
        list={list}
        label={`Devices of ${user.displayName}`}
        empty={`${user.displayName} is not signed in anywhere.`}
        onRevoke={async (s) => {
          await api.call('users.sessions.revoke', { sessionId: s.id });
          list.reload();
        }}
      />
    </div>
  );
}

function StatusBadges({ user }: { user: UserInfo }) {
  return (
    <>
      {user.disabled && <span className="badge badge-off">Disabled</span>}
      {user.lockedUntil && <span className="badge badge-danger">Locked</span>}
      {user.mustChangePassword && !user.disabled && <span className="badge badge-warn">Temporary password</span>}
      {!user.disabled && !user.lockedUntil && !user.mustChangePassword && <span className="badge">Active</span>}
    </>
  );
}

export function Users() {
  const api = useApi();
  const me = useSession().state.user;
  const list = useQuery('users.list', {});
  const [secret, setSecret] = useState<{ who: string; password: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const action = useAction();

  const act = (work: () => Promise<string | void>) => {
    setMessage(null);
    return action.run(async () => {
      const said = await work();
      if (said) setMessage(said);
      list.reload();
    });
  };

  return (
    <Screen title="Users">
      <div className="cards">
        <Card title="Add a staff member">
          <CreateUser
            onCreated={(user, password) => {
              setSecret({ who: user.displayName, password });
              list.reload();
            }}
          />
          {secret && <TemporaryPassword who={secret.who} password={secret.password} onClose={() => setSecret(null)} />}
        </Card>
      </div>
      <Card title="Staff">
        {message && <Notice>{message}</Notice>}
        {action.error && <ErrorBox message={action.error} />}
        <QueryStatus query={list} />
        {list.data && list.data.users.length <= 1 && (
          <p className="empty">Only you so far. Add the people of your office above; each gets a temporary password to hand over.</p>
        )}
        {list.data && (
          <Table label="Staff" columns={['Name', 'Username', 'Role', 'Status', 'Last sign-in', 'Devices', { hidden: 'Actions' }]}>
            {list.data.users.map((user) => (
              <Fragment key={user.id}>
                <tr data-user={user.username}>
                  <td>
                    {user.displayName} {user.id === me?.id && <span className="badge">You</span>}
                  </td>
                  <td>{user.username}</td>
                  <td>
                    <select
                      aria-label={`Role of ${user.displayName}`}
                      value={user.role}
                      onChange={(e) =>
                        void act(async () => {
                          const role = e.target.value as Role;
                          const r = await api.call('users.update', { userId: user.id, role });
                          return `${user.displayName} is now ${ROLE_LABEL[role].toLowerCase()}${r.endedSessions ? ' and was signed out everywhere' : ''}.`;
                        })
                      }
                    >
                      <Options values={ROLES} labels={ROLE_LABEL} />
                    </select>
                  </td>
                  <td>
                    <StatusBadges user={user} />
                  </td>
                  <td>{user.lastSignInAt ? ago(user.lastSignInAt) : 'never'}</td>
                  <td>
                    <button
                      type="button"
                      className="secondary small"
                      aria-expanded={open === user.id}
                      onClick={() => setOpen(open === user.id ? null : user.id)}
                    >
                      {user.activeSessions} {user.activeSessions === 1 ? 'device' : 'devices'}
                    </button>
                  </td>
                  <td>
                    <div className="row-actions">
                      {user.lockedUntil && (
                        <button type="button" className="small" onClick={() => void act(async () => {
                          await api.call('users.unlock', { userId: user.id });
                          return `${user.displayName} can sign in again.`;
                        })}>
                          Unlock
                        </button>
                      )}
                      <button type="button" className="secondary small" onClick={() => void act(async () => {
                        const r = await api.call('users.resetPassword', { userId: user.id });
                        setSecret({ who: user.displayName, password: r.temporaryPassword });
                      })}>
                        Reset password
                      </button>
                      <button
                        type="button"
                        className={user.disabled ? 'secondary small' : 'danger small'}
                        onClick={() => void act(async () => {
                          await api.call('users.update', { userId: user.id, disabled: !user.disabled });
                          return user.disabled ? `${user.displayName} can sign in again.` : `${user.displayName} is disabled and was signed out everywhere.`;
                        })}
                      >
                        {user.disabled ? 'Enable' : 'Disable'}
                      </button>
                    </div>
                  </td>
                </tr>
                {open === user.id && (
                  <tr className="sub-row">
                    <td colSpan={7}>
                      <UserSessions user={user} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </Table>
        )}
      </Card>
    </Screen>
  );
}
