import { useId } from 'react';
import type { HealthReport } from '../../../shared/contract/index.js';
import type { QueryState } from '../hooks.js';
import { checkLabel } from '../../../shared/support.js';
import { QueryStatus, StatusPill } from './Status.js';

export { checkLabel } from '../../../shared/support.js';

/** The overall health and every check with its status and message (`system.health` or `monitoring.health`). */
export function HealthCard({
  health,
  fixes = {},
}: {
  health: QueryState<Pick<HealthReport, 'status' | 'checks'>>;
  /** per check, where the reader can fix it when it is not ok (only the screens they may open) */
  fixes?: Partial<Record<string, { href: string; label: string }>>;
}) {
  const titleId = useId();
  return (
    <article className="card" aria-labelledby={titleId}>
      <h2 id={titleId}>Health</h2>
      <QueryStatus query={health} loading="Checking…" />
      {health.data && (
        <>
          <p>
            Overall: <StatusPill status={health.data.status} />
          </p>
          <ul className="checks" aria-label="Health checks">
            {health.data.checks.map((check) => (
              <li key={check.name} data-check={check.name}>
                <span>{checkLabel(check.name)}</span>
                <StatusPill status={check.status} />
                {check.message && <span className="muted">{check.message}</span>}
                {check.status !== 'ok' && fixes[check.name] && (
                  <a className="button secondary" href={fixes[check.name]!.href} data-testid={`fix-${check.name}`}>
                    {fixes[check.name]!.label}
                  </a>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </article>
  );
}
