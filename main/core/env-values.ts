import { z } from 'zod';

/**
 * The rules environment variables are read with, shared by the core's settings
 * (config.ts) and the WhatsApp link's (whatsapp/config.ts). An error names the
 * allowed values, so that IT can fix the variable from the message alone.
 */

/** A whole number from `min` to `max`; `unit` joins the message ("a whole number of seconds from 1 to 3600"). */
export function wholeNumber(min: number, max: number, unit?: string) {
  const message = `must be a whole number ${unit ? `of ${unit} ` : ''}from ${min} to ${max}`;
  return z.coerce.number({ message }).int(message).min(min, message).max(max, message);
}

/** true/false, 1/0 or yes/no. */
export const yesNo = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
