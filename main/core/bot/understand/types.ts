/** What the bot may take a client's message to mean, and what it knows while reading it. */

export type Intent =
  | 'menu.new'
  | 'menu.status'
  | 'menu.person'
  | 'menu.info'
  | 'menu'
  | 'yes'
  | 'no'
  | 'none'
  | 'stop'
  | 'erase'
  | 'language'
  | 'greeting';

export interface Understanding {
  /** null: not understood. A greeting, or a thank-you alone, is 'greeting' (the bot answers with its menu). */
  intent: Intent | null;
  /** 0..1 */
  confidence: number;
  /** when two intents are close: the bot asks a one-line question instead of guessing */
  alternatives: Intent[];
  /** a configured practice area named in free text, for 'menu.new' or alone (intent null) */
  area?: string;
  /** for intent 'language': the language named, undefined when the client only asked */
  language?: string;
  /** a line of the intake summary to correct (1 name … 5 deadline); comes with intent 'no' */
  line?: number;
}

export type Expecting = 'menu' | 'consent' | 'confirm' | 'none-or-value' | 'free';

export interface UnderstandContext {
  /** the conversation's language ('en' | 'pt-BR' | 'es' or an office-added code) */
  language: string;
  /** the folded phrase list of a `.words` catalog key in that language */
  words: (key: string) => string[];
  /** the office's configured practice area names */
  practiceAreas: string[];
  /**
   * what the bot just asked: 'menu' (options shown), 'consent' (the privacy
   * notice: only a clear yes is a yes), 'confirm' (the summary: yes, or a line
   * to correct), 'none-or-value' (other party, deadline: "none" or a value),
   * 'free' (name, description: only menu, stop, erase, a person asked for
   * explicitly, or a language named, interrupt). Undefined: anything, 'none' included.
   */
  expecting?: Expecting;
}
