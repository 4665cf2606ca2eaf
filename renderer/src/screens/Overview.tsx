import { ErrorBox, StatusPill } from '../components/Status.js';
import { useQuery } from '../hooks.js';

const CHECK_NAMES: Record<string, string> = {
  database: 'Database',
  backups: 'Backups',
};

export function Overview() {
  const info = useQuery('system.info', {});
  const health = useQuery('system.health', {}, { refreshMs: 15_000 });

  return (
    <section className="screen" aria-labelledby="overview-title">
      <header className="screen-header">
        <h1 id="overview-title">Overview</h1>
      </header>

      <div className="cards">
        <article className="card" aria-label="About this installation">
          <h2>This installation</h2>
          {info.error && <ErrorBox message={info.error.message} onRetry={info.reload} />}
          {info.data && (
            <dl className="facts">
              <dt>Product</dt>
              <dd>{info.data.product}</dd>
              <dt>Version</dt>
              <dd data-testid="version">{info.data.version}</dd>
              <dt>Running as</dt>
              <dd data-testid="mode">{info.data.mode === 'desktop' ? 'Desktop app' : 'Server (headless)'}</dd>
              <dt>Database schema</dt>
              <dd>version {info.data.schemaVersion}</dd>
            </dl>
          )}
          {!info.data && !info.error && <p className="muted">Loading…</p>}
        </article>

        <article className="card" aria-label="Health">
          <h2>Health</h2>
          {health.error && <ErrorBox message={health.error.message} onRetry={health.reload} />}
          {health.data && (
            <>
              <p>
                Overall: <StatusPill status={health.data.status} />
              </p>
              <ul className="checks" aria-label="Health checks">
                {health.data.checks.map((check) => (
                  <li key={check.name} data-check={check.name}>
                    <span>{CHECK_NAMES[check.name] ?? check.name}</span>
                    <StatusPill status={check.status} />
                    {check.message && <span className="muted">{check.message}</span>}
                  </li>
                ))}
              </ul>
            </>
          )}
          {!health.data && !health.error && <p className="muted">Checking…</p>}
        </article>
      </div>
    </section>
  );
}
