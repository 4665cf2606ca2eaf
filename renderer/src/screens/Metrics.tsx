import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Alert, Rule, Series, SeriesName, SeriesUnit } from '../../../shared/contract/monitoring.js';
import { formatBytes } from '../../../shared/format.js';
import { roleAllows } from '../../../shared/permissions.js';
import { HealthCard } from '../components/HealthCard.js';
import { Card, Screen } from '../components/Layout.js';
import { ErrorBox, QueryStatus, StatusPill } from '../components/Status.js';
import { Table } from '../components/Table.js';
import { TimeChart, type ChartLine } from '../components/TimeChart.js';
import { useApi } from '../context.js';
import { formatDuration, formatValue, RULE_UNIT_LABEL, when } from '../format.js';
import { useAction, useQuery, useServerEvents } from '../hooks.js';
import { useSession } from '../session.js';

const RANGES = [
  { id: '15m', label: '15 min', seconds: 900 },
  { id: '1h', label: '1 hour', seconds: 3600 },
  { id: '6h', label: '6 hours', seconds: 6 * 3600 },
  { id: '24h', label: '24 hours', seconds: 86_400 },
  { id: '7d', label: '7 days', seconds: 7 * 86_400 },
  { id: '30d', label: '30 days', seconds: 30 * 86_400 },
  { id: '1y', label: '1 year', seconds: 365 * 86_400 },
] as const;
type RangeId = (typeof RANGES)[number]['id'];

interface ChartDef {
  id: string;
  title: string;
  unit: SeriesUnit | 'per-minute';
  /** each series on the chart, and its name in the legend */
  metrics: Partial<Record<SeriesName, string>>;
}

const CHARTS: ChartDef[] = [
  { id: 'cpu', title: 'CPU', unit: 'percent', metrics: { 'system.cpu': 'Machine', 'process.cpu': 'LexDesk', 'browser.cpu': 'WhatsApp browser' } },
  { id: 'memory', title: 'Memory in use', unit: 'percent', metrics: { 'system.memory': 'Machine' } },
  { id: 'disk', title: 'Free disk space', unit: 'percent', metrics: { 'disk.data.free_percent': 'Data folder', 'disk.backup.free_percent': 'Backup folder' } },
  { id: 'eventloop', title: 'Event-loop delay', unit: 'ms', metrics: { 'eventloop.p99': 'p99', 'eventloop.max': 'max' } },
  { id: 'latency', title: 'Operation latency', unit: 'ms', metrics: { 'operations.p50': 'p50', 'operations.p95': 'p95', 'operations.p99': 'p99' } },
  { id: 'messages', title: 'WhatsApp messages', unit: 'per-minute', metrics: { 'whatsapp.in': 'Received', 'whatsapp.out': 'Sent' } },
  { id: 'errors', title: 'Errors', unit: 'per-minute', metrics: { 'operations.errors': 'Operation errors', 'whatsapp.failed': 'Messages failed' } },
];

function seriesOf(chart: ChartDef): [SeriesName, string][] {
  return Object.entries(chart.metrics) as [SeriesName, string][];
}

/** Every chart's series over the chosen range, fetched together and refreshed. */
function useCharts(rangeSeconds: number, refreshMs: number) {
  const api = useApi();
  const [state, setState] = useState<{
    series: Map<SeriesName, Series>;
    from: number;
    to: number;
    error?: string;
    loading: boolean;
  }>({ series: new Map(), from: 0, to: 0, loading: true });
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let cancelled = false;
    const to = Date.now();
    const from = to - rangeSeconds * 1000;
    const names = [...new Set(CHARTS.flatMap((chart) => seriesOf(chart).map(([name]) => name)))];
    setState((s) => ({ ...s, loading: true }));
    Promise.all(
      names.map((metric) =>
        api.call('monitoring.series', { metric, from: new Date(from).toISOString(), to: new Date(to).toISOString() }),
      ),
    )
      .then((results) => {
        if (cancelled) return;
        setState({ series: new Map(results.map((r) => [r.metric, r])), from: from / 1000, to: to / 1000, loading: false });
      })
      .catch((err: Error) => {
        if (!cancelled) setState((s) => ({ ...s, loading: false, error: err.message }));
      });
    return () => {
      cancelled = true;
    };
  }, [api, rangeSeconds, tick]);

  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs]);

  return { ...state, reload: useCallback(() => setTick((t) => t + 1), []) };
}

function Reading({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="reading" data-testid={testId}>
      <span className="reading-value">{value}</span>
      <span className="reading-label">{label}</span>
    </div>
  );
}

function AlertList({ onChange }: { onChange: () => void }) {
  const api = useApi();
  const alerts = useQuery('monitoring.alerts.list', { state: 'all', limit: 50 }, { refreshMs: 30_000 });
  const role = useSession().state.user?.role;
  const mayAcknowledge = role ? roleAllows(role, 'monitoring.manage') : false;
  const ack = useAction<number>();
  const { reload } = alerts;
  useServerEvents(['monitoring.alert'], reload);

  const acknowledge = (alert: Alert) =>
    ack.run(async () => {
      await api.call('monitoring.alerts.ack', { id: alert.id });
      reload();
      onChange();
    }, alert.id);

  return (
    <Card title="Alerts" className="wide">
      <QueryStatus query={alerts} />
      {ack.error && <ErrorBox message={ack.error} />}
      {alerts.data && alerts.data.alerts.length === 0 && (
        <p className="muted">No alerts so far. When a rule below is broken for its duration, the alert appears here and on every screen.</p>
      )}
      {alerts.data && alerts.data.alerts.length > 0 && (
        <Table testId="alert-list" columns={['State', 'Alert', 'Fired', 'Resolved', 'Acknowledged']}>
          {alerts.data.alerts.map((alert) => (
            <tr key={alert.id} data-rule={alert.ruleId} data-state={alert.state}>
              <td>
                <StatusPill
                  status={alert.state === 'resolved' ? 'ok' : alert.severity === 'critical' ? 'down' : 'degraded'}
                  label={alert.state === 'resolved' ? 'Resolved' : alert.severity === 'critical' ? 'Critical' : 'Warning'}
                />
              </td>
              <td>
                <strong>{alert.title}</strong>
                <div className="muted">{alert.message}</div>
              </td>
              <td>{when(alert.firedAt)}</td>
              <td>{when(alert.resolvedAt)}</td>
              <td>
                {alert.acknowledgedAt ? (
                  <span>
                    {alert.acknowledgedBy} · {when(alert.acknowledgedAt)}
                  </span>
                ) : mayAcknowledge ? (
                  <button type="button" className="secondary" disabled={ack.busy === alert.id} onClick={() => void acknowledge(alert)}>
                    Acknowledge
                  </button>
                ) : (
                  <span className="muted">Not yet</span>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}

function RuleRow({ rule, canEdit, onSaved }: { rule: Rule; canEdit: boolean; onSaved: () => void }) {
  const api = useApi();
  const [threshold, setThreshold] = useState(String(rule.threshold));
  const [minutes, setMinutes] = useState(String(rule.forSeconds / 60));
  const [enabled, setEnabled] = useState(rule.enabled);
  const saving = useAction();

  useEffect(() => {
    setThreshold(String(rule.threshold));
    setMinutes(String(rule.forSeconds / 60));
    setEnabled(rule.enabled);
  }, [rule.threshold, rule.forSeconds, rule.enabled]);

  const changed =
    enabled !== rule.enabled || Number(minutes) * 60 !== rule.forSeconds || (rule.thresholdEditable && Number(threshold) !== rule.threshold);

  const save = (reset = false) =>
    saving.run(async () => {
      const seconds = Math.round(Number(minutes) * 60);
      if (!reset && (!Number.isFinite(seconds) || seconds < 0)) throw new Error('The duration must be a number of minutes, 0 or more.');
      await api.call(
        'monitoring.rules.update',
        reset
          ? { id: rule.id, reset: true }
          : {
              id: rule.id,
              enabled,
              forSeconds: seconds,
              ...(rule.thresholdEditable ? { threshold: Number(threshold) } : {}),
            },
      );
      onSaved();
    });

  const unit = RULE_UNIT_LABEL[rule.unit];
  const stateLabel = { ok: 'OK', pending: 'Pending', firing: 'Firing', no_data: 'No data yet', disabled: 'Off' }[rule.state];
  return (
    <tr data-rule={rule.id}>
      <td>
        <strong>{rule.title}</strong>
        <div className="muted">{rule.description}</div>
        {saving.error && <div className="field-error">{saving.error}</div>}
      </td>
      <td>
        {canEdit && rule.thresholdEditable ? (
          <label className="inline">
            {rule.comparator === 'above' ? '>' : '<'}
            <input
              type="number"
              step="any"
              min={rule.thresholdMin}
              max={rule.thresholdMax}
              value={threshold}
              onChange={(e) => setThreshold(e.target.value)}
              aria-label={`Threshold of ${rule.title}`}
            />
            {unit}
          </label>
        ) : rule.unit === 'flag' ? (
          <span className="muted">when it happens</span>
        ) : (
          <span>
            {rule.comparator === 'above' ? '>' : '<'} {rule.threshold} {unit}
          </span>
        )}
      </td>
      <td>
        {canEdit ? (
          <label className="inline">
            <input
              type="number"
              step="any"
              min={0}
              value={minutes}
              onChange={(e) => setMinutes(e.target.value)}
              aria-label={`Minutes before ${rule.title} fires`}
            />
            min
          </label>
        ) : (
          formatDuration(rule.forSeconds)
        )}
      </td>
      <td>
        {canEdit ? (
          <label className="inline">
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} aria-label={`${rule.title} is on`} />
            On
          </label>
        ) : rule.enabled ? (
          'On'
        ) : (
          'Off'
        )}
      </td>
      <td data-testid="rule-state">{stateLabel}</td>
      {canEdit && (
        <td className="actions">
          <button type="button" disabled={!changed || saving.busy !== null} onClick={() => void save()}>
            Save
          </button>
          {rule.updatedAt && (
            <button type="button" className="secondary" disabled={saving.busy !== null} onClick={() => void save(true)} title="Back to the defaults">
              Reset
            </button>
          )}
        </td>
      )}
    </tr>
  );
}

function RuleList() {
  const rules = useQuery('monitoring.rules.list', {}, { refreshMs: 60_000 });
  const { reload } = rules;
  // a rule's state changes when its alert fires or resolves
  useServerEvents(['monitoring.alert'], reload);
  return (
    <Card title="Alert rules" className="wide">
      <QueryStatus query={rules} />
      {rules.data && (
        <>
          <p className="muted">
            {rules.data.canEdit
              ? 'An alert fires when its condition holds for the duration; change a threshold or duration and save the row.'
              : 'An alert fires when its condition holds for the duration. An admin can change these.'}
          </p>
          <Table
            className="table rules"
            testId="rule-list"
            columns={['Rule', 'Threshold', 'For', 'On', 'Now', ...(rules.data.canEdit ? [{ hidden: 'Actions' }] : [])]}
          >
            {rules.data.rules.map((rule) => (
              <RuleRow key={rule.id} rule={rule} canEdit={rules.data!.canEdit} onSaved={rules.reload} />
            ))}
          </Table>
        </>
      )}
    </Card>
  );
}

export function Metrics() {
  const [denied, setDenied] = useState(false);
  // once refused (signed out, or a role without monitoring), stop asking: every call is audited
  const dashboard = useQuery('monitoring.dashboard', {}, { refreshMs: denied ? undefined : 15_000 });
  useEffect(() => {
    const code = dashboard.error?.code;
    setDenied(code === 'unauthenticated' || code === 'forbidden');
  }, [dashboard.error]);

  if (denied) {
    return (
      <Screen title="Metrics">
        <ErrorBox message={dashboard.error!.message} />
      </Screen>
    );
  }
  return <MetricsBody dashboard={dashboard} />;
}

function MetricsBody({ dashboard }: { dashboard: ReturnType<typeof useQuery<'monitoring.dashboard'>> }) {
  const [rangeId, setRangeId] = useState<RangeId>('1h');
  const range = RANGES.find((r) => r.id === rangeId)!;
  const health = useQuery('monitoring.health', {}, { refreshMs: 15_000 });
  const charts = useCharts(range.seconds, range.seconds <= 6 * 3600 ? 15_000 : 60_000);
  useServerEvents(['monitoring.alert'], () => {
    health.reload();
    dashboard.reload();
  });

  const lines = useMemo(() => {
    const byChart = new Map<string, ChartLine[]>();
    for (const chart of CHARTS) {
      byChart.set(
        chart.id,
        seriesOf(chart)
          .map(([name, label]) => ({ label, s: charts.series.get(name) }))
          .filter(({ s }) => s && s.t.length > 0)
          .map(({ label, s }) => ({ label, t: s!.t, value: s!.value, step: s!.step })),
      );
    }
    return byChart;
  }, [charts.series]);

  const d = dashboard.data;

  return (
    <Screen
      title="Metrics"
      aside={
        <div className="segmented" role="group" aria-label="Range">
          <button
            type="button"
            className="secondary"
            onClick={() => {
              charts.reload();
              dashboard.reload();
              health.reload();
            }}
          >
            Refresh
          </button>
          {RANGES.map((r) => (
            <button
              key={r.id}
              type="button"
              className={r.id === rangeId ? '' : 'secondary'}
              aria-pressed={r.id === rangeId}
              onClick={() => setRangeId(r.id)}
            >
              {r.label}
            </button>
          ))}
        </div>
      }
    >
      <div className="cards">
        <HealthCard health={health} />

        <Card title="Now">
          <QueryStatus query={dashboard} />
          {d && !d.collectedAt && (
            <p className="muted">The first sample is on its way: LexDesk takes one every {d.intervalSeconds} seconds.</p>
          )}
          {d?.collectedAt && (
            <>
              <div className="readings">
                <Reading label="CPU" value={formatValue(d.system.cpuPercent, 'percent')} testId="now-cpu" />
                <Reading label="Memory in use" value={formatValue(d.system.memoryPercent, 'percent')} />
                {d.volumes.map((v) => (
                  <Reading key={v.name} label={`Free, ${v.name} folder`} value={`${formatBytes(v.freeBytes)} (${formatValue(v.freePercent, 'percent')})`} />
                ))}
                <Reading label="Event-loop delay p99" value={formatValue(d.eventLoop.p99Ms, 'ms')} />
                <Reading label="LexDesk memory" value={formatValue(d.process.memoryBytes, 'bytes')} />
                <Reading label="Database" value={formatValue(d.database.sizeBytes, 'bytes')} />
                {d.whatsapp && <Reading label="WhatsApp" value={d.whatsapp.ready ? 'ready' : d.whatsapp.state} />}
                {d.backup && <Reading label="Last good backup" value={d.backup.ageHours === null ? 'none' : `${formatValue(d.backup.ageHours, 'hours')} ago`} />}
              </div>
              <p className="muted small">Sampled {when(d.collectedAt)}, every {d.intervalSeconds} s.</p>
            </>
          )}
        </Card>
      </div>

      <h2 className="section-title">History</h2>
      {charts.error && <ErrorBox message={charts.error} onRetry={charts.reload} />}
      <div className="charts">
        {CHARTS.map((chart) => (
          <article key={chart.id} className="card" aria-label={chart.title}>
            <h3>{chart.title}</h3>
            {charts.loading && charts.series.size === 0 ? (
              <p className="muted">Loading…</p>
            ) : (
              <TimeChart id={chart.id} lines={lines.get(chart.id) ?? []} unit={chart.unit} from={charts.from} to={charts.to} />
            )}
          </article>
        ))}
      </div>

      <AlertList onChange={dashboard.reload} />
      <RuleList />
    </Screen>
  );
}
