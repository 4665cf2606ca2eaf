import { useId } from 'react';
import type { HealthReport } from '../../../shared/contract/index.js';
import type { QueryState } from '../hooks.js';
import { QueryStatus, StatusPill } from './Status.js';

/** What each health check is called for people, on screen and in the support information. */
const CHECK_LABEL: Record<string, string> = {
  database: 'Database',
  system: 'CPU, memory, responsiveness',
  disk: 'Disk space',
  monitoring: 'Monitoring',
  whatsapp: 'WhatsApp',
  backups: 'Backups',
  signin: 'Sign-in',
  audit: 'Audit trail',
};

export function checkLabel(name: string): string {
  return CHECK_LABEL[name] ?? name;
}

/** The overall health and every check with its status and message (`system.health` or `monitoring.health`). */
export function HealthCard({ health }: { health: QueryState<Pick<HealthReport, 'status' | 'checks'>> }) {
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
              </li>
            ))}
          </ul>
        </>
      )}
    </article>
  );
}
