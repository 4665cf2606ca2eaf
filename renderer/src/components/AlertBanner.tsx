import { useEffect, useState } from 'react';
import { roleAllows } from '../../../shared/permissions.js';
import { useApi } from '../context.js';
import { useAction, useQuery, useServerEvents } from '../hooks.js';
import { useSession } from '../session.js';

/**
 * Firing alerts that nobody has acknowledged yet, across the top of every
 * screen. Hidden from those who may not read monitoring (and before sign-in).
 */
export function AlertBanner() {
  const api = useApi();
  const role = useSession().state.user?.role;
  // acknowledging hides the alert from everyone: only those who manage monitoring may (the door checks it)
  const mayAcknowledge = role ? roleAllows(role, 'monitoring.manage') : false;
  const [denied, setDenied] = useState(false);
  // once refused (signed out, or a role without monitoring), stop asking: every call is audited
  const alerts = useQuery('monitoring.alerts.list', { state: 'firing', limit: 20 }, { refreshMs: denied ? undefined : 30_000 });
  const ack = useAction<number>();
  const { reload } = alerts;

  useServerEvents(['monitoring.alert'], reload);
  useEffect(() => {
    const code = alerts.error?.code;
    setDenied(code === 'unauthenticated' || code === 'forbidden');
  }, [alerts.error]);

  const open = (alerts.data?.alerts ?? []).filter((alert) => !alert.acknowledgedAt);
  if (alerts.error || open.length === 0) return null;

  const acknowledge = (id: number) =>
    ack.run(async () => {
      await api.call('monitoring.alerts.ack', { id });
      reload();
    }, id);

  return (
    <section className="alert-banner" role="alert" aria-label="Alerts" data-testid="alert-banner">
      <ul>
        {open.map((alert) => (
          <li key={alert.id} className={`alert-${alert.severity}`} data-rule={alert.ruleId}>
            <span className="alert-text">
              <strong>{alert.title}.</strong> {alert.message}
            </span>
            {/* an alert of a full disk is not stored yet (negative id): it goes away when the disk has room */}
            {mayAcknowledge && alert.id > 0 && (
              <button type="button" className="secondary" disabled={ack.busy === alert.id} onClick={() => void acknowledge(alert.id)}>
                {ack.busy === alert.id ? 'Acknowledging…' : 'Acknowledge'}
              </button>
            )}
          </li>
        ))}
      </ul>
      {ack.error && <p className="alert-error">{ack.error}</p>}
      <a href="#/metrics">All alerts and metrics</a>
    </section>
  );
}
