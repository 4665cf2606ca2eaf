import { useEffect, useId, useRef, useState } from 'react';
import type { UpdateStatus } from '../../../shared/contract/updates.js';
import { PRODUCT_NAME } from '../../../shared/product.js';
import { useApi } from '../context.js';
import { when } from '../format.js';
import { useAction, useQuery, useServerEvents } from '../hooks.js';

/** The desktop update, kept current by the system.update event. Headless answers `unsupported`: nothing shows. */
export function useUpdateStatus() {
  const query = useQuery('system.update', {});
  const [pushed, setPushed] = useState<UpdateStatus | null>(null);
  useServerEvents(['system.update'], (event) => setPushed(event.data));
  return { status: pushed ?? query.data, reload: query.reload };
}

const STATE_WORDS: Record<UpdateStatus['state'], string> = {
  unsupported: 'This installation does not update itself.',
  unconfigured: 'No update address is configured (LEXDESK_UPDATE_URL).',
  idle: 'Not checked yet.',
  checking: 'Checking for updates…',
  'up-to-date': 'LexDesk is up to date.',
  downloading: 'Downloading an update…',
  ready: 'An update is ready to install.',
  waiting: 'The update installs as soon as LexDesk is quiet.',
  installing: 'Installing the update; LexDesk restarts.',
  error: 'The last update check failed.',
};

/**
 * "Restart to update" in the top bar, for those who may install it, once the
 * desktop reports a downloaded update. While a backup, a restore or a staff reply
 * is in progress the install waits, and the button says so.
 */
export function RestartToUpdate({ status, mayInstall }: { status: UpdateStatus | undefined; mayInstall: boolean }) {
  const api = useApi();
  const install = useAction();
  if (!status || !mayInstall) return null;
  if (status.state !== 'ready' && status.state !== 'waiting' && status.state !== 'installing') return null;
  const label =
    status.state === 'ready' ? `Restart to update${status.availableVersion ? ` to ${status.availableVersion}` : ''}` : status.state === 'waiting' ? 'Update waiting…' : 'Restarting…';
  return (
    <span className="topbar-update" data-testid="restart-to-update">
      <button
        type="button"
        className="small"
        disabled={status.state !== 'ready' || install.busy !== null}
        title={status.message ?? undefined}
        onClick={() => void install.run(() => api.call('system.update.install', {}))}
      >
        {label}
      </button>
      {status.state === 'waiting' && status.message && <span className="muted small-text">{status.message}</span>}
      {install.error && (
        <span className="muted small-text" role="alert">
          {install.error}
        </span>
      )}
    </span>
  );
}

/** The About box: version, update channel, last check, and a check now for those who may. */
export function AboutBox({ status, mayCheck, onClose }: { status: UpdateStatus | undefined; mayCheck: boolean; onClose: () => void }) {
  const api = useApi();
  const titleId = useId();
  const check = useAction();
  const info = useQuery('system.info', {});
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <div className="modal-backdrop" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div className="modal card about" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid="about-box">
        <h2 id={titleId}>About {PRODUCT_NAME}</h2>
        <dl className="facts">
          <dt>Version</dt>
          <dd data-testid="about-version">{status?.currentVersion ?? info.data?.version ?? '…'}</dd>
          {info.data && (
            <>
              <dt>Running as</dt>
              <dd>{info.data.mode === 'desktop' ? 'Desktop app' : 'Server (headless)'}, database schema {info.data.schemaVersion}</dd>
            </>
          )}
          {status && status.state !== 'unsupported' && (
            <>
              <dt>Update channel</dt>
              <dd data-testid="about-channel">{status.channel}</dd>
              <dt>Updates from</dt>
              <dd>{status.feed ?? 'not configured'}</dd>
              <dt>Last check</dt>
              <dd data-testid="about-last-check">{status.lastCheckAt ? when(status.lastCheckAt) : 'never'}</dd>
            </>
          )}
          <dt>Updates</dt>
          <dd data-testid="about-update-state">
            {status ? STATE_WORDS[status.state] : '…'}
            {status?.availableVersion && status.state !== 'up-to-date' ? ` (${status.availableVersion})` : ''}
            {status?.state === 'error' && status.message ? ` ${status.message}` : ''}
          </dd>
        </dl>
        {check.error && <p role="alert">{check.error}</p>}
        <div className="actions">
          {mayCheck && status && status.state !== 'unsupported' && status.state !== 'unconfigured' && (
            <button type="button" className="secondary" disabled={check.busy !== null} onClick={() => void check.run(() => api.call('system.update.check', {}))}>
              {check.busy ? 'Checking…' : 'Check for updates'}
            </button>
          )}
          <button type="button" ref={close} onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
