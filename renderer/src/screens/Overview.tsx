import { HealthCard } from '../components/HealthCard.js';
import { Card, Screen } from '../components/Layout.js';
import { QueryStatus } from '../components/Status.js';
import { useQuery } from '../hooks.js';

export function Overview() {
  const info = useQuery('system.info', {});
  const health = useQuery('system.health', {}, { refreshMs: 15_000 });

  return (
    <Screen title="Overview">
      <div className="cards">
        <Card title="This installation" label="About this installation">
          <QueryStatus query={info} />
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
        </Card>

        <HealthCard health={health} />
      </div>
    </Screen>
  );
}
