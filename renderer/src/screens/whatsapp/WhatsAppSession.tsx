import QRCode from 'qrcode';
import { useEffect, useRef, useState } from 'react';
import type { LinkState, OutboxEntry, WhatsAppStatus } from '../../../../shared/contract/whatsapp.js';
import { Card, Screen } from '../../components/Layout.js';
import { ErrorBox } from '../../components/Status.js';
import { Table } from '../../components/Table.js';
import { useApi } from '../../context.js';
import { duration, when, whenAgo } from '../../format.js';
import { useAction, useNow, useQuery, useServerEvents } from '../../hooks.js';
import { roleAllows } from '../../../../shared/permissions.js';
import { useSession } from '../../session.js';
import './whatsapp.css';

const STATE_LABEL: Record<LinkState, string> = {
  stopped: 'Stopped',
  starting: 'Starting',
  qr: 'Waiting for the QR code to be scanned',
  authenticated: 'Linked, loading chats',
  ready: 'Ready',
  reconnecting: 'Reconnecting',
  logged_out: 'Logged out',
  failed: 'Failed',
};

const STATE_TONE: Record<LinkState, 'ok' | 'degraded' | 'down'> = {
  stopped: 'degraded',
  starting: 'degraded',
  qr: 'degraded',
  authenticated: 'degraded',
  ready: 'ok',
  reconnecting: 'degraded',
  logged_out: 'down',
  failed: 'down',
};

function QrCode({ payload, onScan }: { payload: string; onScan?: () => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    QRCode.toCanvas(canvas.current, payload, { width: 264, margin: 2, errorCorrectionLevel: 'L' }).then(
      () => setError(null),
      (err: unknown) => setError(String(err)),
    );
  }, [payload]);
  return (
    <figure className="wa-qr">
      {onScan ? (
        // the simulator's QR "pairs" when clicked, as if the office phone had scanned it
        <button type="button" className="wa-qr-button" onClick={onScan} title="Simulator: click the code to scan it">
          <canvas ref={canvas} data-testid="whatsapp-qr" role="img" aria-label="QR code to link the office's WhatsApp number" />
        </button>
      ) : (
        <canvas ref={canvas} data-testid="whatsapp-qr" role="img" aria-label="QR code to link the office's WhatsApp number" />
      )}
      {error && <ErrorBox message={`The QR code could not be drawn: ${error}`} />}
      <figcaption>
        On the office phone open WhatsApp → <strong>Settings</strong> → <strong>Linked devices</strong> →{' '}
        <strong>Link a device</strong>, and point the camera at this code. It renews itself every minute or so.
      </figcaption>
    </figure>
  );
}

function FailedOutbox({ refreshKey }: { refreshKey: number }) {
  const api = useApi();
  const failed = useQuery('whatsapp.outbox.list', { status: 'failed', limit: 100 }, { refreshMs: 15_000 });
  const retry = useAction<number>();
  const reload = failed.reload;
  useEffect(() => {
    reload();
  }, [refreshKey, reload]);

  if (failed.error?.code === 'forbidden') {
    return <p className="muted">Only an admin can see and retry messages that could not be sent.</p>;
  }
  if (failed.error) return <ErrorBox message={failed.error.message} onRetry={failed.reload} />;
  if (!failed.data) return <p className="muted">Loading…</p>;
  if (failed.data.rows.length === 0) {
    return <p className="muted" data-testid="outbox-empty">No failed messages. Everything LexDesk queued was sent or is on its way.</p>;
  }

  const retryRow = (row: OutboxEntry) =>
    retry.run(async () => {
      await api.call('whatsapp.outbox.retry', { id: row.id });
      failed.reload();
    }, row.id);

  return (
    <>
      {retry.error && <ErrorBox message={retry.error} />}
      <Table
        className="wa-table"
        label="Messages that could not be sent"
        columns={['To', 'Message', 'Tries', 'Why it failed', 'When', { hidden: 'Actions' }]}
      >
        {failed.data.rows.map((row) => (
          <tr key={row.id} data-outbox-id={row.id}>
            <td>+{row.number}</td>
            <td>{row.kind === 'document' ? `📄 ${row.fileName ?? 'document'}` : row.preview}</td>
            <td>{row.attempts}</td>
            <td>{row.lastError ?? '—'}</td>
            <td>{when(row.failedAt)}</td>
            <td>
              <button type="button" className="secondary" disabled={retry.busy === row.id} onClick={() => void retryRow(row)}>
                {retry.busy === row.id ? 'Retrying…' : 'Retry'}
              </button>
            </td>
          </tr>
        ))}
      </Table>
    </>
  );
}

/** The WhatsApp session: link state, QR to scan, activity, and the controls an admin needs. */
export function WhatsAppSession() {
  const api = useApi();
  const status = useQuery('whatsapp.status', {}, { refreshMs: 5_000 });
  const [live, setLive] = useState<WhatsAppStatus | undefined>();
  const control = useAction<string>();
  const action = control.busy;
  const [outboxKey, setOutboxKey] = useState(0);
  const now = useNow();

  useEffect(() => {
    if (status.data) setLive(status.data);
  }, [status.data]);

  useServerEvents(['whatsapp.state', 'whatsapp.qr'], (event) => {
    setLive((current) => {
      if (!current) return current;
      if (event.type === 'whatsapp.qr') return { ...current, qr: event.data.qr };
      return { ...current, ...event.data };
    });
    if (event.type === 'whatsapp.state') status.reload();
  });

  // buttons a role cannot use are not shown (the door would refuse them anyway)
  const role = useSession().state.user?.role;
  const manages = role ? roleAllows(role, 'whatsapp.manage') : false;
  const canSimulate = role ? roleAllows(role, 'simulator') : false;

  const run = (label: string, fn: () => Promise<unknown>) =>
    control.run(async () => {
      await fn();
      status.reload();
      setOutboxKey((k) => k + 1);
    }, label);

  const s = live;
  return (
    <Screen
      title="WhatsApp"
      aside={
        s && manages && (
          <div className="wa-actions">
            <button type="button" className="secondary" disabled={action !== null} onClick={() => void run('restart', () => api.call('whatsapp.restart', {}))}>
              {action === 'restart' ? 'Restarting…' : s.state === 'logged_out' || s.state === 'failed' ? 'Link a number' : 'Restart'}
            </button>
            <button
              type="button"
              className="danger"
              disabled={action !== null || s.state === 'logged_out'}
              onClick={() => {
                if (window.confirm('Unlink the office number from LexDesk? The bot stops answering until someone scans a new QR code.')) {
                  void run('logout', () => api.call('whatsapp.logout', {}));
                }
              }}
            >
              {action === 'logout' ? 'Logging out…' : 'Log out'}
            </button>
          </div>
        )
      }
    >
      {status.error && !s && <ErrorBox message={status.error.message} onRetry={status.reload} />}
      {!s && !status.error && <p className="muted">Loading…</p>}
      {control.error && <ErrorBox message={control.error} />}

      {s && (
        <div className="cards">
          <Card title="Link">
            <p className="wa-state">
              <span className={`pill pill-${STATE_TONE[s.state]}`} data-testid="whatsapp-state" data-state={s.state}>
                <span className="dot" aria-hidden="true" />
                {STATE_LABEL[s.state]}
              </span>{' '}
              <span className="muted" data-testid="whatsapp-state-for">
                for {duration(now - new Date(s.since).getTime())}
              </span>
            </p>
            {s.state === 'ready' && (
              <p className="muted">Linked and connected: client messages arrive and answers go out.</p>
            )}
            {(s.state === 'starting' || s.state === 'authenticated') && (
              <p className="muted">Connecting to WhatsApp; this can take up to a minute.</p>
            )}
            {s.reason && s.state !== 'ready' && <p className="wa-reason">{s.reason}</p>}
            {s.state === 'reconnecting' && s.retryAt && (
              <p className="muted">Next attempt in {duration(new Date(s.retryAt).getTime() - now)}.</p>
            )}
            {s.state === 'qr' && s.qr && (
              <QrCode
                payload={s.qr}
                onScan={s.transport === 'simulator' ? () => void run('pair', () => api.call('simulator.pair', {})) : undefined}
              />
            )}
            {s.state === 'qr' && !s.qr && (
              <p className="muted">The number is waiting to be linked. Ask an admin to open this screen and scan the QR code.</p>
            )}
            {s.state === 'logged_out' && (
              <p className="muted">No number is linked. Press “Link a number” to show a QR code to scan with the office phone.</p>
            )}
            {s.transport === 'simulator' && canSimulate && (
              <div className="wa-simulator" aria-label="Simulator controls">
                <span className="muted">Simulator:</span>
                <button
                  type="button"
                  className="secondary"
                  disabled={s.state !== 'qr' || action !== null}
                  onClick={() => void run('pair', () => api.call('simulator.pair', {}))}
                >
                  Scan the QR code
                </button>
                <button
                  type="button"
                  className="secondary"
                  disabled={s.state !== 'ready' || action !== null}
                  onClick={() => void run('drop', () => api.call('simulator.drop', {}))}
                >
                  Drop the connection
                </button>
              </div>
            )}
          </Card>

          <Card title="Activity">
            <dl className="facts">
              <dt>Linked number</dt>
              <dd data-testid="whatsapp-number">{s.number ? `+${s.number}` : '—'}</dd>
              <dt>Connection</dt>
              <dd>{s.transport === 'simulator' ? 'Simulator (no real WhatsApp)' : 'WhatsApp Web'}</dd>
              <dt>Reconnections</dt>
              <dd data-testid="whatsapp-reconnects">{s.reconnects}</dd>
              <dt>Last message in</dt>
              <dd>{s.lastInboundAt ? whenAgo(s.lastInboundAt, now) : 'never'}</dd>
              <dt>Last message out</dt>
              <dd>{s.lastOutboundAt ? whenAgo(s.lastOutboundAt, now) : 'never'}</dd>
              <dt>Waiting to be sent</dt>
              <dd data-testid="whatsapp-queue">{s.queueDepth}</dd>
              <dt>Could not be sent</dt>
              <dd>{s.failedCount}</dd>
            </dl>
            <p className="muted wa-note">
              Since LexDesk started: {s.counters.inboundStored} received ({s.counters.inboundDuplicates} duplicates ignored),{' '}
              {s.counters.outboundSent} sent, {s.counters.sendErrors} send errors.
            </p>
          </Card>
        </div>
      )}

      {s && (
        <Card title="Messages that could not be sent" label="Failed messages" className="wa-outbox">
          <FailedOutbox refreshKey={outboxKey} />
        </Card>
      )}
    </Screen>
  );
}
