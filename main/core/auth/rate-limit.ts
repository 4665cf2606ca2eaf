/**
 * Counts attempts per key (a client address) in fixed windows, in memory. Used
 * for sign-in and set-up in headless mode; the desktop has one user at the
 * keyboard and account lockout.
 */
export class AttemptLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Counts one attempt; the seconds to wait when over the limit, else null. */
  hit(key: string, now: number): number | null {
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      window = { start: now, count: 0 };
      this.windows.delete(key);
      if (this.windows.size >= this.maxKeys) this.evict(now);
      this.windows.set(key, window);
    }
    window.count += 1;
    if (window.count > this.max) return Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
    return null;
  }

  private evict(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.start >= this.windowMs) this.windows.delete(key);
    }
    // still full: drop the oldest (Map keeps insertion order)
    while (this.windows.size >= this.maxKeys) {
      const oldest = this.windows.keys().next().value;
      if (oldest === undefined) break;
      this.windows.delete(oldest);
    }
  }
}

/**
 * Addresses that failed a sign-in within the window, so that the password workers
 * serve addresses without recent failures first. Only a priority: forgetting an
 * address (the map is bounded) reveals nothing about any account.
 */
export class RecentFailures {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  fail(key: string | undefined, now: number): void {
    if (!key) return;
    this.last.delete(key);
    this.last.set(key, now);
    while (this.last.size > this.maxKeys) {
      const oldest = this.last.keys().next().value;
      if (oldest === undefined) break;
      this.last.delete(oldest);
    }
  }

  has(key: string | undefined, now: number): boolean {
    if (!key) return false;
    const at = this.last.get(key);
    return at !== undefined && now - at < this.windowMs;
  }
}
