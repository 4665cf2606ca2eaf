import { HealthCard } from '../components/HealthCard.js';
import { ErrorBox } from '../components/Status.js';
import { useQuery } from '../hooks.js';

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

        <HealthCard health={health} />
      </div>
    </section>
  );
}
