import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './server.js';

export const DASHBOARD_FILE = join(REPO_ROOT, 'build', 'grafana', 'dashboards', 'lexdesk.json');

/** The PromQL of every panel of the provisioned Grafana dashboard. */
export function dashboardQueries(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
}
