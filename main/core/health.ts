import type { CheckStatus, HealthReport } from '../../shared/contract/index.js';

export interface CheckResult {
  status: CheckStatus;
  /** a short sentence for staff; never a stack trace or a path */
  message?: string;
}

export type HealthCheck = () => CheckResult | Promise<CheckResult>;

/** Named health checks that capabilities register; the worst status wins. */
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  has(name: string): boolean {
    return this.checks.has(name);
  }

  async report(version: string): Promise<HealthReport> {
    const checks: HealthReport['checks'] = [];
    for (const [name, check] of this.checks) {
      try {
        const result = await check();
        checks.push({ name, status: result.status, ...(result.message ? { message: result.message } : {}) });
      } catch {
        checks.push({ name, status: 'down', message: 'The check itself failed.' });
      }
    }
    const rank = { ok: 0, degraded: 1, down: 2 } as const;
    const worst = checks.reduce<CheckStatus>((acc, c) => (rank[c.status] > rank[acc] ? c.status : acc), 'ok');
    return { status: worst, version, checks };
  }
}
