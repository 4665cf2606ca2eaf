import type { ReactNode } from 'react';
import type { CheckStatus } from '../../../shared/contract/index.js';
import { STATUS_LABEL } from '../../../shared/support.js';
import type { ApiCallError } from '../api/index.js';

/** A health status in words (shared with the desktop's support information). */
export { STATUS_LABEL };

export function StatusPill({ status, label }: { status: CheckStatus; label?: string }) {
  return (
    <span className={`pill pill-${status}`} data-status={status}>
      <span className="dot" aria-hidden="true" />
      {label ?? STATUS_LABEL[status]}
    </span>
  );
}

/** A failure, said to the person; `code` is the door's error code, for tests and support. */
export function ErrorBox({ message, onRetry, code }: { message: string; onRetry?: () => void; code?: string }) {
  return (
    <div className="error-box" role="alert" data-code={code}>
      <p>{message}</p>
      {onRetry && (
        <button type="button" className="secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** What just happened, such as "Password changed." */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <div className="notice" role="status">
      <p>{children}</p>
    </div>
  );
}

/**
 * A query's state while it matters: its failure with a retry, or a loading line
 * before the first answer. Nothing once the answer is there.
 */
export function QueryStatus({
  query,
  loading = 'Loading…',
}: {
  query: { data: unknown; error: ApiCallError | undefined; reload: () => void };
  loading?: string;
}) {
  return (
    <>
      {query.error && <ErrorBox message={query.error.message} onRetry={query.reload} />}
      {query.data === undefined && !query.error && <p className="muted">{loading}</p>}
    </>
  );
}
