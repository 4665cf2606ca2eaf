import type { ProbeRequest, SystemProbe, SystemReading } from '../../main/core/monitoring/probe.js';
import type { AlertNotifier } from '../../main/core/monitoring/index.js';

const GB = 1e9;

/**
 * A probe whose readings the test sets: the same shape as the real one's, with
 * a quiet machine by default (20 % CPU, 40 % memory, a half-empty 100 GB disk).
 */
export class FakeProbe implements SystemProbe {
  reading: SystemReading = {
    cpuPercent: 20,
    cores: 4,
    memoryTotalBytes: 16 * GB,
    memoryAvailableBytes: 9.6 * GB,
    processCpuPercent: 1,
    processRssBytes: 150e6,
    volumes: [],
    databaseBytes: 1e6,
    walBytes: 0,
    browser: null,
  };
  /** free space per volume, as a share of 100 GB */
  freePercent: Record<string, number> = { data: 50, backup: 50 };
  requests: ProbeRequest[] = [];

  async read(request: ProbeRequest): Promise<SystemReading> {
    this.requests.push(request);
    return {
      ...this.reading,
      volumes: request.volumes.map((v) => ({
        name: v.name,
        totalBytes: 100 * GB,
        freeBytes: ((this.freePercent[v.name] ?? 50) / 100) * 100 * GB,
      })),
    };
  }
}

/** Records every notification, as the desktop's OS notification would show it. */
export class RecordingNotifier implements AlertNotifier {
  readonly shown: { title: string; body: string; severity: string }[] = [];
  notify(notification: { title: string; body: string; severity: 'warning' | 'critical' }): void {
    this.shown.push(notification);
  }
}
