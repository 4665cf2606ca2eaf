import { useEffect, useState } from 'react';
import { PRODUCT_NAME } from '../../shared/product.js';
import { StatusPill } from './components/Status.js';
import { useQuery } from './hooks.js';
import { SCREENS } from './screens/registry.js';

function screenFromHash(): string {
  const id = window.location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
  return SCREENS.some((s) => s.id === id) ? id : SCREENS[0]!.id;
}

export function App() {
  const [current, setCurrent] = useState(screenFromHash);
  const info = useQuery('system.info', {});
  const health = useQuery('system.health', {}, { refreshMs: 15_000 });

  useEffect(() => {
    const onHash = () => setCurrent(screenFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const screen = SCREENS.find((s) => s.id === current) ?? SCREENS[0]!;
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
            {SCREENS.map((s) => (
              <li key={s.id}>
                <a href={`#/${s.id}`} aria-current={s.id === screen.id ? 'page' : undefined}>
                  {s.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <footer className="sidebar-footer">
          {info.data && (
            <span className="muted" data-testid="shell-mode">
              {info.data.mode === 'desktop' ? 'Desktop' : 'Headless'} · v{info.data.version}
            </span>
          )}
        </footer>
      </aside>
      <div className="main">
        <header className="topbar">
          <span className="topbar-title">{screen.title}</span>
          <span className="topbar-health" data-testid="shell-health">
            {health.data ? (
              <StatusPill status={health.data.status} label={`System ${health.data.status === 'ok' ? 'healthy' : health.data.status}`} />
            ) : health.error ? (
              <StatusPill status="down" label="LexDesk unreachable" />
            ) : null}
          </span>
        </header>
        <main>
          <Screen />
        </main>
      </div>
    </div>
  );
}
