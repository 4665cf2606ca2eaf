import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CONFLICT_THRESHOLD } from '../../main/core/bot/conflicts.js';
import { foldName, nameKey, nameSimilarity, trigramQuery } from '../../main/core/bot/names.js';

const similar = (a: string, b: string) => nameSimilarity(nameKey(a), nameKey(b));

describe('name normalisation', () => {
  test('case, accents and punctuation fold away', () => {
    expect(foldName('José  NÚÑEZ-García')).toBe('jose nunez garcia');
    expect(foldName("O'Brien, Seán")).toBe('o brien sean');
    expect(foldName('Straße Øresund Łódź')).toBe('strasse oresund lodz');
  });

  test('word order does not change the key', () => {
    expect(nameKey('Smith, John')).toBe(nameKey('john smith'));
    expect(nameKey('Núñez García José')).toBe(nameKey('José García Núñez'));
  });

  test('company suffixes are dropped', () => {
    const key = nameKey('Acme');
    for (const variant of ['ACME Ltd.', 'Acme Limited', 'Acme, Inc.', 'Acme S.A.', 'Acme GmbH', 'The Acme Company', 'acme ltda', 'Acme LLC'])
      expect(nameKey(variant), variant).toBe(key);
  });

  test('name particles do not matter', () => {
    expect(nameKey('Maria da Silva')).toBe(nameKey('Maria Silva'));
    expect(nameKey('Ludwig van Beethoven')).toBe(nameKey('Beethoven, Ludwig'));
  });

  test('a name made only of such words keeps them', () => {
    expect(nameKey('The Company')).toBe('company the');
  });

  test('non-Latin names keep their letters', () => {
    // like accents, the breve of й folds away: more near matches, never fewer
    expect(nameKey('Иванов Дмитрий')).toBe('дмитрии иванов');
    expect(nameKey('Αλέξανδρος')).toBe('αλεξανδρος');
  });

  test('the key is the same whatever the case and order of the words (property)', () => {
    const word = fc.stringMatching(/^[A-Za-zÀ-ÿ]{2,10}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), (words) => {
        const shuffled = [...words].reverse().map((w) => w.toUpperCase());
        expect(nameKey(shuffled.join(', '))).toBe(nameKey(words.join(' ')));
      }),
    );
  });
});

describe('name similarity', () => {
  test('variants of one name match fully', () => {
    expect(similar('José Núñez', 'NUNEZ, Jose')).toBe(1);
    expect(similar('Acme Ltd.', 'ACME LIMITED')).toBe(1);
  });

  test('a typo is a near match above the threshold', () => {
    expect(similar('John Smith', 'Jonh Smith')).toBeGreaterThanOrEqual(CONFLICT_THRESHOLD);
    expect(similar('Construtora Horizonte', 'Constructora Horizonte Ltda')).toBeGreaterThanOrEqual(CONFLICT_THRESHOLD);
  });

  test('different people with a shared surname stay below the threshold', () => {
    expect(similar('John Smith', 'Jane Smith')).toBeLessThan(CONFLICT_THRESHOLD);
    expect(similar('Maria Silva', 'Pedro Silva')).toBeLessThan(CONFLICT_THRESHOLD);
    expect(similar('Acme', 'Globex')).toBeLessThan(0.3);
  });

  test('a single word inside a longer name is weak evidence', () => {
    expect(similar('Silva', 'Maria Aparecida Silva')).toBeLessThan(CONFLICT_THRESHOLD);
  });

  test('similarity is symmetric and between 0 and 1 (property)', () => {
    const name = fc.stringMatching(/^[A-Za-z ]{1,30}$/);
    fc.assert(
      fc.property(name, name, (a, b) => {
        const ab = similar(a, b);
        expect(ab).toBeGreaterThanOrEqual(0);
        expect(ab).toBeLessThanOrEqual(1);
        expect(similar(b, a)).toBeCloseTo(ab, 10);
      }),
    );
  });

  test('trigram queries quote every trigram and skip words too short for one', () => {
    expect(trigramQuery('li wu')).toBeNull();
    expect(trigramQuery('jose')).toBe('"jos" OR "ose"');
  });
});
