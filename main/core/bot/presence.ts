import type { Clock } from '../clock.js';

/** How long "Ana is replying" lasts without a new keystroke from Ana's screen. */
export const PRESENCE_TTL_MS = 30_000;

interface Writer {
  userId: string;
  name: string;
  at: number;
}

/**
 * Who is writing in which conversation, in memory only (it is gone after a
 * restart, as it should be): each screen says so while its draft is not empty,
 * and a member who said nothing for 30 s is no longer shown.
 */
export class Presence {
  private readonly writers = new Map<number, Map<string, Writer>>();

  constructor(private readonly clock: Clock) {}

  /** Records that `userId` is (or stopped) writing; true when that changed what others see. */
  set(conversationId: number, userId: string, name: string, typing: boolean): boolean {
    const now = this.clock.now().getTime();
    let here = this.writers.get(conversationId);
    const was = here?.get(userId);
    const wasShown = was !== undefined && now - was.at < PRESENCE_TTL_MS;
    if (typing) {
      if (!here) this.writers.set(conversationId, (here = new Map()));
      here.set(userId, { userId, name, at: now });
      return !wasShown;
    }
    here?.delete(userId);
    if (here?.size === 0) this.writers.delete(conversationId);
    return wasShown;
  }

  /** The members writing in the conversation now, other than `except`. */
  others(conversationId: number, except: string): { userId: string; name: string }[] {
    const now = this.clock.now().getTime();
    const here = this.writers.get(conversationId);
    if (!here) return [];
    const out: { userId: string; name: string }[] = [];
    for (const writer of here.values()) {
      if (now - writer.at >= PRESENCE_TTL_MS) here.delete(writer.userId);
      else if (writer.userId !== except) out.push({ userId: writer.userId, name: writer.name });
    }
    return out;
  }

  /** The conversation was resolved: nobody is writing in it. */
  forgetConversation(conversationId: number): void {
    this.writers.delete(conversationId);
  }

  /** A member signed out or sent: not writing anywhere any more. */
  forget(userId: string): void {
    for (const [id, here] of this.writers) {
      here.delete(userId);
      if (here.size === 0) this.writers.delete(id);
    }
  }
}
