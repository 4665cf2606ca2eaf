import { describe, expect, test } from 'vitest';
import type { OfficeHours } from '../../shared/bot.js';
import { describeHours, isOpen, localTime, nextOpening } from '../../main/core/bot/hours.js';

const nine = [{ open: '09:00', close: '18:00' }];
const hours = (over: Partial<OfficeHours> = {}): OfficeHours => ({
  timeZone: 'America/Sao_Paulo',
  week: { mon: nine, tue: nine, wed: nine, thu: nine, fri: [{ open: '09:00', close: '12:00' }, { open: '14:00', close: '17:00' }], sat: [], sun: [] },
  closedDates: [],
  ...over,
});

describe('office hours', () => {
  test('open and closed follow the office time zone, not the machine’s', () => {
    // 11:30 UTC is 08:30 in São Paulo (UTC-3): not yet open
    expect(isOpen(new Date('2026-03-02T11:30:00Z'), hours())).toBe(false);
    expect(isOpen(new Date('2026-03-02T12:30:00Z'), hours())).toBe(true);
    // Friday lunch break
    expect(isOpen(new Date('2026-03-06T16:00:00Z'), hours())).toBe(false);
    // closing time is exclusive
    expect(isOpen(new Date('2026-03-02T21:00:00Z'), hours())).toBe(false);
  });

  test('a holiday is closed all day', () => {
    expect(isOpen(new Date('2026-03-02T15:00:00Z'), hours({ closedDates: ['2026-03-02'] }))).toBe(false);
  });

  test('the next opening is said in words', () => {
    expect(nextOpening(new Date('2026-03-02T11:00:00Z'), hours())).toBe('today at 09:00');
    expect(nextOpening(new Date('2026-03-06T16:00:00Z'), hours())).toBe('today at 14:00');
    expect(nextOpening(new Date('2026-03-06T22:00:00Z'), hours())).toBe('Monday at 09:00');
    expect(nextOpening(new Date('2026-03-05T22:00:00Z'), hours())).toBe('tomorrow at 09:00');
    const never = hours({ week: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } });
    expect(nextOpening(new Date('2026-03-05T22:00:00Z'), never)).toBeNull();
  });

  test('the week is described with days of equal hours grouped', () => {
    expect(describeHours(hours(), 'by appointment')).toBe('Mon–Thu 09:00–18:00; Fri 09:00–12:00, 14:00–17:00');
    expect(describeHours(hours({ week: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } }), 'by appointment')).toBe('by appointment');
  });

  test('local time crosses daylight saving correctly', () => {
    // Lisbon: 29 March 2026 clocks go forward at 01:00 UTC
    expect(localTime(new Date('2026-03-29T00:30:00Z'), 'Europe/Lisbon').time).toBe('00:30');
    expect(localTime(new Date('2026-03-29T01:30:00Z'), 'Europe/Lisbon').time).toBe('02:30');
  });
});
