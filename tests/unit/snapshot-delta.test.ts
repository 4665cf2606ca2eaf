import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BackupFileError } from '../../main/core/backup/format.js';
import {
  CHUNK_BYTES,
  DELTA_BLOCK,
  applyDelta,
  chunkName,
  deltaPayload,
  openChunk,
  openSealed,
  sealChunk,
  sealDelta,
  snapshotKeys,
} from '../../main/core/backup/snapshots.js';

const keys = snapshotKeys(randomBytes(32), '0123456789abcdef');

/** A piece of `length` bytes, and a copy with the given byte ranges overwritten. */
const changes = fc
  .integer({ min: 1, max: CHUNK_BYTES })
  .chain((length) =>
    fc.tuple(
      fc.constant(length),
      fc.array(fc.tuple(fc.integer({ min: 0, max: length - 1 }), fc.integer({ min: 1, max: 3000 })), { maxLength: 40 }),
    ),
  );

describe('snapshot deltas', () => {
  it('a delta over a base gives back the changed piece exactly, or is refused when more than half of its blocks changed', () => {
    fc.assert(
      fc.property(changes, ([length, edits]) => {
        const base = randomBytes(length);
        const plain = Buffer.from(base);
        for (const [at, n] of edits) randomBytes(Math.min(n, length - at)).copy(plain, at);
        const payload = deltaPayload(base, plain);
        const blocks = Math.ceil(length / DELTA_BLOCK);
        let changed = 0;
        for (let b = 0; b < blocks; b++) {
          const start = b * DELTA_BLOCK;
          const end = Math.min(start + DELTA_BLOCK, length);
          if (!base.subarray(start, end).equals(plain.subarray(start, end))) changed++;
        }
        if (changed * 2 > blocks) {
          expect(payload).toBeNull();
          return;
        }
        expect(payload).not.toBeNull();
        // the payload holds the changed blocks only
        expect(payload!.length).toBeLessThanOrEqual(2 + changed * (2 + DELTA_BLOCK));
        expect(applyDelta('x', base, payload!).equals(plain)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('a sealed delta opens over its base and hashes to its name; over another piece, or altered, it is refused and named', () => {
    const base = randomBytes(CHUNK_BYTES);
    const plain = Buffer.from(base);
    randomBytes(700).copy(plain, 10_000);
    randomBytes(50).copy(plain, CHUNK_BYTES - 50);
    const baseName = chunkName(keys, base);
    const name = chunkName(keys, plain);
    const sealedBase = sealChunk(keys, baseName, base);
    const sealed = sealDelta(keys, name, baseName, deltaPayload(base, plain)!);
    expect(sealed.length).toBeLessThan(4 * 1024);
    expect(openChunk(keys, name, sealed, () => sealedBase).equals(plain)).toBe(true);
    expect(openSealed(keys, name, sealed)).toMatchObject({ kind: 'delta', base: baseName });

    // the same blocks over another whole piece do not hash to the name
    const other = randomBytes(CHUNK_BYTES);
    const otherName = chunkName(keys, other);
    const onOther = sealDelta(keys, name, otherName, deltaPayload(base, plain)!);
    expect(() => openChunk(keys, name, onOther, () => sealChunk(keys, otherName, other))).toThrow(name);
    // the base named in the clear header cannot be swapped: it is authenticated
    const swapped = Buffer.from(sealed);
    Buffer.from(otherName, 'hex').copy(swapped, 5);
    expect(() => openSealed(keys, name, swapped)).toThrow(BackupFileError);
    // a flipped byte anywhere
    for (const at of [4, 30, sealed.length - 3]) {
      const bad = Buffer.from(sealed);
      bad[at] = bad[at]! ^ 0x01;
      expect(() => openChunk(keys, name, bad, () => sealedBase), `byte ${at}`).toThrow(name);
    }
    // a delta without its base cannot be told whole
    expect(() => openChunk(keys, name, sealed)).toThrow(name);
  });
});
