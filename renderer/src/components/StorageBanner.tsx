import type { HealthReport } from '../../../shared/contract/index.js';

/** The checks whose trouble every member of staff must see: nothing new is being saved, or the database is damaged. */
const EVERYONE_SEES = ['storage', 'database'];

/**
 * Across the top of every screen, for every role: the disk is full (LexDesk shows
 * what it has but cannot save new messages), or the database failed its check.
 */
export function StorageBanner({ health }: { health: HealthReport | undefined }) {
  const problems = (health?.checks ?? []).filter((check) => EVERYONE_SEES.includes(check.name) && check.status !== 'ok');
  if (problems.length === 0) return null;
  return (
    <section className="alert-banner storage-banner" role="alert" aria-label="Storage" data-testid="storage-banner">
      <ul>
        {problems.map((check) => (
          <li key={check.name} className={check.status === 'down' ? 'alert-critical' : 'alert-warning'} data-check={check.name}>
            <span className="alert-text">{check.message ?? 'The database cannot be used right now.'}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
