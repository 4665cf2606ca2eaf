import { useId, type ReactNode } from 'react';

/** A screen: its title as the page's heading, with what belongs beside it (`aside`), then the content. */
export function Screen({ title, aside, className, children }: { title: string; aside?: ReactNode; className?: string; children: ReactNode }) {
  const titleId = useId();
  return (
    <section className={className ? `screen ${className}` : 'screen'} aria-labelledby={titleId}>
      <header className="screen-header">
        <h1 id={titleId}>{title}</h1>
        {aside}
      </header>
      {children}
    </section>
  );
}

/**
 * A card, with its title as a heading. Screen readers name it by its title, or
 * by `label` where the title alone would not say enough.
 */
export function Card({
  title,
  label,
  className,
  testId,
  children,
}: {
  title?: string;
  label?: string;
  className?: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <article className={className ? `card ${className}` : 'card'} aria-label={label ?? title} data-testid={testId}>
      {title && <h2>{title}</h2>}
      {children}
    </article>
  );
}
