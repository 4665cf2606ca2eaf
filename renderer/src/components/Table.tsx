import type { ReactNode } from 'react';

/** A column's heading: its text, or `{ hidden }` for one that is read out but not shown (such as a column of buttons). */
export type Column = string | { label: string; className?: string } | { hidden: string };

function Heading({ column }: { column: Column }) {
  if (typeof column === 'string') return <th scope="col">{column}</th>;
  if ('hidden' in column) {
    return (
      <th scope="col">
        <span className="sr-only">{column.hidden}</span>
      </th>
    );
  }
  return (
    <th scope="col" className={column.className}>
      {column.label}
    </th>
  );
}

/** A table with one heading row, and its rows as children. */
export function Table({
  columns,
  className = 'table',
  label,
  testId,
  children,
}: {
  columns: Column[];
  className?: string;
  label?: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <table className={className} aria-label={label} data-testid={testId}>
      <thead>
        <tr>
          {columns.map((column, i) => (
            <Heading key={i} column={column} />
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
