/** An office for tests that talk to the bot: replies go out at once, and it is open around the clock. */

/** The outbox without its pacing: tests wait for replies, not for a realistic send rate. */
export const FAST_SENDS = { LEXDESK_WHATSAPP_SEND_PER_MINUTE: '60000', LEXDESK_WHATSAPP_SEND_BURST: '100', LEXDESK_WHATSAPP_CHAT_SPACING_MS: '0' };

const ALWAYS = [{ open: '00:00', close: '23:59' }];
/** Office hours every day, all day (botSettings `hours.week`). */
export const OPEN_ALL_WEEK = { mon: ALWAYS, tue: ALWAYS, wed: ALWAYS, thu: ALWAYS, fri: ALWAYS, sat: ALWAYS, sun: ALWAYS };
