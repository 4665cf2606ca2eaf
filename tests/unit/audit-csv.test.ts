import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvHeader, csvLine } from '../../main/core/audit/csv.js';

const cell = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', '=', '+', '-', '@', '\t', ' ', '\uFF1D', "'", 'é'), maxLength: 8 }),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.constant(null),
);

describe('audit CSV', () => {
  it('writes every record exactly as csv-stringify does with escape_formulas', () => {
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 18 }), (cells) => {
        expect(csvLine(cells)).toBe(stringify([cells], { escape_formulas: true }));
      }),
      { numRuns: 2000 },
    );
  });

  it('neutralises formulas and quotes what needs quoting', () => {
    expect(csvLine(['=HYPERLINK("x")', '-1', -1, 'a,b', 'say "hi"', 'two\nlines', null, ''])).toBe(
      `"'=HYPERLINK(""x"")",'-1,-1,"a,b","say ""hi""","two\nlines",,\n`,
    );
    expect(csvHeader(['id', 'at'])).toBe('\uFEFFid,at\n');
  });
});
