import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../shared/format.js';

describe('formatBytes', () => {
  it('counts in 1024s and labels KB, MB, GB, TB', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.0 KB');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(22 * 1024 + 300)).toBe('22 KB');
    expect(formatBytes(250 * 1024 ** 2)).toBe('250 MB');
    expect(formatBytes(3.25 * 1024 ** 3)).toBe('3.3 GB');
    expect(formatBytes(2 * 1024 ** 4)).toBe('2.0 TB');
    expect(formatBytes(5000 * 1024 ** 4)).toBe('5000 TB');
  });

  it('says a dash for what is not a size', () => {
    expect(formatBytes(Number.NaN)).toBe('—');
    expect(formatBytes(Number.POSITIVE_INFINITY)).toBe('—');
  });
});
