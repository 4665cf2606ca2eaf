import { useRef, useState } from 'react';
import type { ComputerInfo, DoctorReport, HealthReport, OutputOf } from '../../../shared/contract/index.js';
import { formatBytes } from '../../../shared/format.js';
import { roleAllows } from '../../../shared/permissions.js';
import { HealthCard } from '../components/HealthCard.js';
import { Card, Screen } from '../components/Layout.js';
import { QueryStatus, StatusPill } from '../components/Status.js';
import { useQuery, type QueryState } from '../hooks.js';
import { useSession } from '../session.js';
import { describeCpu, describeOs, describeVersions, describeVolume, supportText, volumeOf } from './support.js';

export function Overview() {
  const role = useSession().state.user?.role;
  // the computer is for those who look after LexDesk; the door refuses the others anyway
  const seesComputer = role ? roleAllows(role, 'monitoring.read') : false;
  const info = useQuery('system.info', {});
  const health = useQuery('system.health', {}, { refreshMs: 15_000 });
  const computer = useQuery('system.computer', {}, { enabled: seesComputer });
  // the production checklist is for administrators (the door's monitoring.manage)
  const seesReadiness = role ? roleAllows(role, 'monitoring.manage') : false;
  const readiness = useQuery('system.doctor', {}, { enabled: seesReadiness });

  return (
    <Screen title="Overview">
      <div className="cards">
        <Card title="This installation" label="About this installation">
          <QueryStatus query={info} />
          {info.data && (
            <dl className="facts">
              <dt>Product</dt>
              <dd>{info.data.product}</dd>
              <dt>Version</dt>
              <dd data-testid="version">{info.data.version}</dd>
              <dt>Running as</dt>
              <dd data-testid="mode">{info.data.mode === 'desktop' ? 'Desktop app' : 'Server (headless)'}</dd>
              <dt>Database schema</dt>
              <dd>version {info.data.schemaVersion}</dd>
            </dl>
          )}
        </Card>

        <HealthCard health={health} fixes={role && roleAllows(role, 'backups.manage') ? { backups: { href: '#/backups', label: 'Open Backups' }, offsite: { href: '#/backups', label: 'Open Backups' } } : {}} />
      </div>

      {seesReadiness && <ReadinessCard readiness={readiness} />}

      {seesComputer && <ComputerCard computer={computer} installation={info.data} health={health.data} />}
    </Screen>
  );
}

const READINESS_PILL = { ok: { status: 'ok', label: 'OK' }, warn: { status: 'degraded', label: 'Look at this' }, fail: { status: 'down', label: 'Fix this' } } as const;

/** "Is this installation ready?": the production checklist (`system.doctor`, also `lexdesk doctor`), with each fix. */
function ReadinessCard({ readiness }: { readiness: QueryState<DoctorReport> }) {
  const report = readiness.data;
  const fails = report?.checks.filter((c) => c.status === 'fail').length ?? 0;
  return (
    <Card title="Is this installation ready?" className="readiness">
      <QueryStatus query={readiness} loading="Checking this installation…" />
      {report && (
        <>
          <p data-testid="readiness-summary">
            {report.ready
              ? 'Ready for the office: nothing to fix.'
              : `Not ready yet: ${fails} ${fails === 1 ? 'thing' : 'things'} to fix before the office relies on it.`}{' '}
            <button type="button" className="secondary" onClick={readiness.reload}>
              Check again
            </button>
          </p>
          <ul className="checks readiness-checks" aria-label="Readiness checks">
            {report.checks.map((check) => (
              <li key={check.id} data-check={check.id} data-status={check.status}>
                <StatusPill status={READINESS_PILL[check.status].status} label={READINESS_PILL[check.status].label} />
                <span>
                  <strong>{check.title}</strong> <span className="muted">{check.detail}</span>
                  {check.fix && <span className="fix"> {check.fix}</span>}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </Card>
  );
}

function ComputerCard({
  computer,
  installation,
  health,
}: {
  computer: QueryState<ComputerInfo>;
  installation: OutputOf<'system.info'> | undefined;
  health: HealthReport | undefined;
}) {
  const c = computer.data;
  return (
    <Card title="This computer" className="computer">
      <QueryStatus query={computer} loading="Reading this computer…" />
      {c && (
        <>
          <dl className="facts">
            <dt>System</dt>
            <dd data-testid="computer-os">{describeOs(c.os)}</dd>
            <dt>Processor</dt>
            <dd data-testid="computer-cpu">{describeCpu(c.cpu)}</dd>
            <dt>Memory</dt>
            <dd>{formatBytes(c.memoryBytes)}</dd>
            <dt>Data folder disk</dt>
            <dd>{describeVolume(volumeOf(c, 'data'))}</dd>
            <dt>Backup folder disk</dt>
            <dd>{describeVolume(volumeOf(c, 'backup'))}</dd>
            <dt>Versions</dt>
            <dd data-testid="computer-versions">{describeVersions(c.versions)}</dd>
          </dl>
          <SupportInfo text={() => supportText({ installation, computer: c, health })} />
        </>
      )}
    </Card>
  );
}

/** The old way to the clipboard, through a selection: it works where the page may not ask for the clipboard. */
function copyThroughSelection(value: string): boolean {
  const area = document.createElement('textarea');
  area.value = value;
  area.readOnly = true;
  area.className = 'sr-only';
  document.body.append(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}

/**
 * "Copy support information": the text goes to the clipboard. Where neither way
 * to the clipboard is allowed, the text is shown selected, to be copied with the keyboard.
 */
function SupportInfo({ text }: { text: () => string }) {
  const [state, setState] = useState<{ copied: boolean; text: string } | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);

  const copy = async () => {
    const value = text();
    let copied = false;
    try {
      await navigator.clipboard.writeText(value);
      copied = true;
    } catch {
      // the desktop app grants pages no permission, the clipboard's included
      copied = copyThroughSelection(value);
    }
    setState({ copied, text: value });
    if (!copied) requestAnimationFrame(() => area.current?.select());
  };

  return (
    <div className="support-info">
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void copy()}>
          Copy support information
        </button>
        {state?.copied && (
          <span className="muted" role="status">
            Copied to the clipboard.
          </span>
        )}
      </div>
      {state && !state.copied && (
        <>
          <p className="muted" role="status">
            The clipboard is not available here: the text below is selected, copy it with Ctrl+C (⌘C on a Mac).
          </p>
          <textarea ref={area} readOnly rows={12} value={state.text} aria-label="Support information" />
        </>
      )}
    </div>
  );
}
