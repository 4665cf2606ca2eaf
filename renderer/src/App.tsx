import { useEffect, useMemo, useState } from 'react';
import { PRODUCT_NAME } from '../../shared/product.js';
import { roleAllows, type Role } from '../../shared/permissions.js';
import { AlertBanner } from './components/AlertBanner.js';
import { StorageBanner } from './components/StorageBanner.js';
import { AboutBox, RestartToUpdate, useUpdateStatus } from './components/Updates.js';
import { ErrorBox, StatusPill } from './components/Status.js';
import { useQuery, useServerEvents } from './hooks.js';
import { useInboxAttention } from './screens/bot/notify.js';
import { SCREENS, type ScreenDef } from './screens/registry.js';
import { ForcedPasswordChange } from './screens/auth/ChangePassword.js';
import { FirstRun } from './screens/auth/FirstRun.js';
import { AuthPage, SignIn } from './screens/auth/SignIn.js';
import { useSession } from './session.js';

const ROLE_LABEL: Record<Role, string> = { admin: 'Administrator', lawyer: 'Lawyer', assistant: 'Assistant' };

/** Where each role's work is: the screen it lands on. */
const LANDING: Record<Role, string> = { assistant: 'inbox', lawyer: 'matters', admin: 'overview' };

function screenFromHash(allowed: ScreenDef[], role: Role): ScreenDef {
  const id = window.location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
  return allowed.find((s) => s.id === id) ?? allowed.find((s) => s.id === LANDING[role]) ?? allowed[0]!;
}

/** The gate: first run, sign-in, a forced password change, or the app itself. */
export function App() {
  const session = useSession();
  const { state } = session;
  switch (state.phase) {
    case 'starting':
      return (
        <div className="splash" role="status">
          Opening {PRODUCT_NAME}…
        </div>
      );
    case 'unreachable':
      return (
        <AuthPage title={`${PRODUCT_NAME} cannot be reached`}>
          <ErrorBox message="Check the network connection (or that the server is running) and try again." onRetry={session.retry} />
        </AuthPage>
      );
    case 'setup':
      return <FirstRun />;
    case 'signed-out':
      return <SignIn />;
    case 'signed-in':
      return state.user?.mustChangePassword ? <ForcedPasswordChange /> : <Shell role={state.user!.role} />;
  }
}

function Shell({ role }: { role: Role }) {
  const session = useSession();
  const user = session.state.user!;
  // navigation shows only what the role may use; the door refuses the rest anyway
  const info = useQuery('system.info', {});
  const simulator = info.data?.simulator ?? false;
  const allowed = useMemo(
    () => SCREENS.filter((s) => roleAllows(role, s.access) && (s.id !== 'simulator' || simulator)),
    [role, simulator],
  );
  const [current, setCurrent] = useState(() => screenFromHash(allowed, role).id);
  const health = useQuery('system.health', {}, { refreshMs: 15_000 });
  const attention = useInboxAttention();
  const reloadHealth = health.reload;
  // the top bar says what the alert banner says, as soon as an alert changes
  useServerEvents(['monitoring.alert'], () => reloadHealth());
  const update = useUpdateStatus();
  const [aboutOpen, setAboutOpen] = useState(false);
  const mayManage = roleAllows(role, 'settings.manage');

  // the desktop's main process asks for a screen (a notification or a menu item was clicked)
  useServerEvents(['desktop.open'], ({ data }) => {
    if (data.screen === 'about') {
      setAboutOpen(true);
      return;
    }
    window.location.hash = data.screen === 'inbox' && data.conversationId ? `#/inbox?conversation=${data.conversationId}` : `#/${data.screen}`;
  });

  useEffect(() => {
    const onHash = () => setCurrent(screenFromHash(allowed, role).id);
    // the screens the role has can grow once the installation is known (the simulator): read the address again
    onHash();
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [allowed, role]);

  const screen = allowed.find((s) => s.id === current) ?? allowed[0]!;
  const Screen = screen.component;

  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">
          <span className="logo" aria-hidden="true">§</span>
          <span>{PRODUCT_NAME}</span>
        </div>
        <nav aria-label="Screens">
          <ul>
            {allowed.map((s) => (
              <li key={s.id}>
                <a href={`#/${s.id}`} aria-current={s.id === screen.id ? 'page' : undefined}>
                  {s.title}
                  {s.id === 'inbox' && attention ? (
                    <span className="nav-count" aria-label={`${attention} need attention`} data-testid="inbox-count">
                      {attention}
                    </span>
                  ) : null}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <footer className="sidebar-footer">
          {info.data && (
            <span className="muted" data-testid="shell-mode">
              {info.data.mode === 'desktop' ? 'Desktop' : 'Headless'} · v{info.data.version} ·{' '}
              <button type="button" className="link-button" onClick={() => setAboutOpen(true)}>
                About
              </button>
            </span>
          )}
        </footer>
      </aside>
      <div className="main">
        <header className="topbar">
          <span className="topbar-title">{screen.title}</span>
          <span className="topbar-right">
            <RestartToUpdate status={update.status} mayInstall={mayManage} />
            <span className="topbar-health" data-testid="shell-health">
              {health.data ? (
                <StatusPill status={health.data.status} label={`System ${health.data.status === 'ok' ? 'healthy' : health.data.status}`} />
              ) : health.error ? (
                <StatusPill status="down" label="LexDesk unreachable" />
              ) : null}
            </span>
            <span className="topbar-user">
              <span data-testid="signed-in-user">
                {user.displayName} <span className="muted">· {ROLE_LABEL[user.role]}</span>
              </span>
              <button type="button" className="secondary small" onClick={() => void session.signOut('You are signed out.')}>
                Sign out
              </button>
            </span>
          </span>
        </header>
        <StorageBanner health={health.data} />
        {roleAllows(role, 'monitoring.read') && <AlertBanner />}
        <main>
          <Screen />
        </main>
      </div>
      {aboutOpen && <AboutBox status={update.status} mayCheck={mayManage} onClose={() => setAboutOpen(false)} />}
    </div>
  );
}
