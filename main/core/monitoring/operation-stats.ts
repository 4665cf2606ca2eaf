import type { OperationObserver } from '../dispatch.js';
import type { PromMetrics } from './prometheus.js';

export interface OperationWindow {
  count: number;
  /** operations that failed on our side (internal, not_found, conflict); refusals and bad input are not errors here */
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** How many durations one window keeps for its percentiles; beyond that, a uniform sample of them. */
const RESERVOIR = 4096;

/**
 * The dispatch door's timing observer. Every call lands in the Prometheus
 * histogram (by operation, face, outcome) and, for failures, the error counter
 * (by code); the collector takes a window of them at each tick for the history:
 * count, errors and latency percentiles.
 */
export class OperationStats implements OperationObserver {
  private durations: number[] = [];
  private seen = 0;
  private errors = 0;

  constructor(private readonly prom: PromMetrics) {}

  observe(sample: Parameters<OperationObserver['observe']>[0]): void {
    this.prom.operationDuration.observe(
      { operation: sample.operation, face: sample.face, outcome: sample.outcome },
      sample.seconds,
    );
    if (sample.code) this.prom.operationErrors.inc({ operation: sample.operation, code: sample.code });
    if (sample.outcome === 'error') this.errors += 1;
    this.seen += 1;
    const ms = sample.seconds * 1000;
    if (this.durations.length < RESERVOIR) {
      this.durations.push(ms);
    } else {
      // reservoir sampling keeps every call equally likely to count
      const slot = Math.floor(Math.random() * this.seen);
      if (slot < RESERVOIR) this.durations[slot] = ms;
    }
  }

  takeWindow(): OperationWindow {
    const sorted = this.durations.sort((a, b) => a - b);
    const at = (q: number) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
    const window: OperationWindow = {
      count: this.seen,
      errors: this.errors,
      p50Ms: at(0.5),
      p95Ms: at(0.95),
      p99Ms: at(0.99),
    };
    this.durations = [];
    this.seen = 0;
    this.errors = 0;
    return window;
  }
}
