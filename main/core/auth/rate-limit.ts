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
 * Lockout bookkeeping for usernames that have no account, so that "locked" is
 * answered for unknown names exactly as for real ones and cannot reveal which
 * usernames exist.
 */
export class PhantomLockouts {
  private readonly entries = new Map<string, { failures: number; lockedUntil: number }>();

  constructor(private readonly maxKeys = 10_000) {}

  lockedUntil(key: string, now: number): number | null {
    const entry = this.entries.get(key);
    return entry && entry.lockedUntil > now ? entry.lockedUntil : null;
  }

  /** Counts a failure; returns the lock's end when this failure locks. */
  fail(key: string, now: number, threshold: number, lockMs: number): number | null {
    let entry = this.entries.get(key);
    if (!entry) {
      if (this.entries.size >= this.maxKeys) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
      entry = { failures: 0, lockedUntil: 0 };
      this.entries.set(key, entry);
    }
    entry.failures += 1;
    if (entry.failures >= threshold) {
      entry.failures = 0;
      entry.lockedUntil = now + lockMs;
      return entry.lockedUntil;
    }
    return null;
  }
}
