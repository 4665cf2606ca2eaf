/**
 * Time, injectable so that tests can move it (lockout, expiry, retention, alerts).
 *
 * `now()` is the wall clock: for what is shown and stored. Waits, rate limits,
 * back-off, retries, watchdogs and timers measure with the monotonic clock
 * (`monotonicNow`), which a person or NTP setting the computer's clock never
 * moves.
 */
export interface Clock {
  now(): Date;
  /** milliseconds on a clock that only moves forward (default: performance.now()) */
  monotonic?(): number;
}

export const systemClock: Clock = { now: () => new Date(), monotonic: () => performance.now() };

/** The monotonic time of `clock` in ms. */
export function monotonicNow(clock: Clock): number {
  return clock.monotonic ? clock.monotonic() : performance.now();
}

/** A clock that stands still until told to move. */
export class ManualClock implements Clock {
  private current: number;
  private elapsed = 0;
  constructor(start: Date | string | number = '2026-01-05T09:00:00Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  monotonic(): number {
    return this.elapsed;
  }
  /** time passes: both clocks move (a move backwards moves only the wall clock) */
  set(to: Date | string | number): void {
    const next = new Date(to).getTime();
    if (next > this.current) this.elapsed += next - this.current;
    this.current = next;
  }
  advance(ms: number): void {
    this.current += ms;
    this.elapsed += Math.max(0, ms);
  }
  /** someone sets the computer's clock: only the wall clock moves */
  jump(ms: number): void {
    this.current += ms;
  }
}
