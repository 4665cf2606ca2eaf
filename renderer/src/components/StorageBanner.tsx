import type { HealthReport } from '../../../shared/contract/index.js';

/**
 * The sentence for each check whose trouble every member of staff must see. The
 * health's own messages reach only those who read monitoring; these are for all.
 */
const SENTENCES: Record<string, { when: (status: string) => boolean; text: string }> = {
  storage: {
    when: (status) => status !== 'ok',
    text: 'The disk is full: LexDesk cannot save new messages. What is on screen stays; new messages wait on WhatsApp until IT frees space, then LexDesk carries on by itself.',
  },
  database: {
    when: (status) => status === 'down',
    text: 'The database has a problem: LexDesk may not show everything or save changes. Tell IT (the fix is to restore the last good backup).',
  },
};

/**
 * Across the top of every screen, for every role: the disk is full (LexDesk shows
 * what it has but cannot save new messages), or the database failed its check.
 */
export function StorageBanner({ health }: { health: HealthReport | undefined }) {
  const problems = (health?.checks ?? []).filter((check) => SENTENCES[check.name]?.when(check.status));
  if (problems.length === 0) return null;
  return (
    <section className="alert-banner storage-banner" role="alert" aria-label="Storage" data-testid="storage-banner">
      <ul>
        {problems.map((check) => (
          <li key={check.name} className={check.status === 'down' ? 'alert-critical' : 'alert-warning'} data-check={check.name}>
            <span className="alert-text">{SENTENCES[check.name]!.text}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
