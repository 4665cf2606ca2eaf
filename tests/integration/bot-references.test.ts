import { afterEach, describe, expect, test } from 'vitest';
import { nextReference } from '../../main/core/bot/records.js';
import { startTestCore, type TestCore } from '../support/core.js';

describe('matter references', () => {
  let core: TestCore;
  afterEach(async () => core.dispose());

  test('count up per year of the office’s calendar', async () => {
    core = await startTestCore();
    const store = core.services.store;
    const tz = 'Asia/Tokyo';
    // 31 Dec 2025 16:00 UTC is already 1 January 2026 in Tokyo
    expect(nextReference(store, new Date('2025-12-31T14:00:00Z'), tz)).toBe('2025-0001');
    expect(nextReference(store, new Date('2025-12-31T16:00:00Z'), tz)).toBe('2026-0001');
    expect(nextReference(store, new Date('2026-06-01T00:00:00Z'), tz)).toBe('2026-0002');
    store.prepare('UPDATE matter_counters SET last = 9999 WHERE year = 2026').run();
    expect(nextReference(store, new Date('2026-06-01T00:00:00Z'), tz)).toBe('2026-10000');
  });
});
