import type { CheckStatus } from '../../../shared/contract/index.js';

const LABEL: Record<CheckStatus, string> = { ok: 'Healthy', degraded: 'Degraded', down: 'Down' };

export function StatusPill({ status, label }: { status: CheckStatus; label?: string }) {
  return (
    <span className={`pill pill-${status}`} data-status={status}>
      <span className="dot" aria-hidden="true" />
      {label ?? LABEL[status]}
    </span>
  );
}

export function ErrorBox({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div className="error-box" role="alert">
      <p>{message}</p>
      {onRetry && (
        <button type="button" className="secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
