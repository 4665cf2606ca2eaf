import { z } from 'zod';
import { defineOperation } from './define.js';

/**
 * Whether the bot answers clients. Paused, WhatsApp stays linked and every message
 * is still stored; the bot answers what arrived once it is resumed.
 */
export const Answering = z.object({
  paused: z.boolean(),
  /** when it was paused or resumed last; null if never */
  since: z.string().nullable(),
  /** who paused or resumed it (display name) */
  by: z.string().nullable(),
});
export type Answering = z.infer<typeof Answering>;

const empty = z.object({}).strict();

export const answeringOperations = {
  'bot.answering': defineOperation({
    summary: 'Whether the bot answers clients now, or is paused (and since when, by whom).',
    input: empty,
    output: Answering,
    access: 'whatsapp.read',
    audit: 'failures',
  }),
  'bot.pause': defineOperation({
    summary: 'Pause the bot: it stops answering clients; their messages are kept and answered when it resumes.',
    input: empty,
    output: Answering,
    access: 'whatsapp.manage',
  }),
  'bot.resume': defineOperation({
    summary: 'Resume the bot: it answers again, starting with what arrived while it was paused.',
    input: empty,
    output: Answering,
    access: 'whatsapp.manage',
  }),
};
