/**
 * Services that write to the database on their own (the bot, the outbox, the
 * scheduler…) register here, so that a restore can pause them all before it closes
 * the database and resume them once the restored one is open.
 *
 * @example
 *   const unregister = services.writers.register({
 *     name: 'outbox',
 *     pause: async () => { timer.stop(); await inFlight; },
 *     resume: () => timer.start(),
 *   });
 */
export interface PausableWriter {
  name: string;
  /** stop writing; resolve once nothing is in flight */
  pause(reason: string): void | Promise<void>;
  resume(): void | Promise<void>;
}

export class WriterRegistry {
  private readonly writers = new Set<PausableWriter>();
  private pausedFor: string | null = null;

  register(writer: PausableWriter): () => void {
    this.writers.add(writer);
    return () => this.writers.delete(writer);
  }

  /** Why writers are paused, or null when they run. */
  get pausedReason(): string | null {
    return this.pausedFor;
  }

  get names(): string[] {
    return [...this.writers].map((w) => w.name);
  }

  /**
   * Pauses every writer in registration order and returns the function that
   * resumes them (in reverse order). If one cannot pause, those already paused
   * are resumed and the error is thrown.
   */
  async pauseAll(reason: string): Promise<() => Promise<void>> {
    if (this.pausedFor) throw new Error(`writers are already paused (${this.pausedFor})`);
    const paused: PausableWriter[] = [];
    this.pausedFor = reason;
    const resume = async (): Promise<void> => {
      const errors: unknown[] = [];
      for (const writer of paused.reverse()) {
        try {
          await writer.resume();
        } catch (err) {
          errors.push(err);
        }
      }
      paused.length = 0;
      this.pausedFor = null;
      if (errors.length > 0) throw errors[0];
    };
    try {
      for (const writer of this.writers) {
        await writer.pause(reason);
        paused.push(writer);
      }
    } catch (err) {
      await resume().catch(() => undefined);
      throw err;
    }
    return resume;
  }
}
