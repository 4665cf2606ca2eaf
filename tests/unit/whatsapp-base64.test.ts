import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBase64, fromLibraryMedia } from '../../main/core/whatsapp/wwebjs.js';

async function pieces(text: string, sliceChars?: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const piece of decodeBase64(text, sliceChars)) out.push(piece);
  return out;
}

describe("the library's base64 decoded a slice at a time", () => {
  it('gives the bytes the whole string decodes to, in pieces no larger than a slice', async () => {
    const data = randomBytes(100_003);
    const text = data.toString('base64');
    const out = await pieces(text, 4096);
    expect(Buffer.concat(out).equals(data)).toBe(true);
    expect(out.length).toBe(Math.ceil(text.length / 4096));
    expect(Math.max(...out.map((p) => p.length))).toBeLessThanOrEqual(3072);
  });

  it('decodes as Buffer.from does when the text has line breaks, spaces, padding inside or the URL alphabet', async () => {
    const data = randomBytes(5000);
    const wrapped = data.toString('base64').replace(/.{76}/g, '$&\r\n');
    const spaced = data.toString('base64').replace(/.{10}/g, '$& ');
    const url = data.toString('base64url');
    const padded = `${randomBytes(1000).toString('base64')}${randomBytes(1000).toString('base64')}`;
    for (const text of [wrapped, spaced, url, padded, '', 'QQ==', 'QUI', 'Q', '====']) {
      for (const slice of [4, 8, 100, 1024]) {
        expect(Buffer.concat(await pieces(text, slice)).equals(Buffer.from(text, 'base64'))).toBe(true);
      }
    }
  });

  it('refuses a slice that is not a whole number of base64 groups', async () => {
    await expect(pieces('QUJD', 6)).rejects.toThrow(/multiple of 4/);
  });

  it("hands the library's media over as pieces, and nothing for a missing one", async () => {
    const data = randomBytes(700_000);
    const media = fromLibraryMedia({ mimetype: 'application/pdf', data: data.toString('base64'), filename: 'a.pdf' })!;
    expect(media).toMatchObject({ mimetype: 'application/pdf', fileName: 'a.pdf', size: null });
    const out: Buffer[] = [];
    for await (const piece of media.chunks) out.push(piece);
    expect(out.length).toBeGreaterThan(1);
    expect(Buffer.concat(out).equals(data)).toBe(true);
    expect(fromLibraryMedia(undefined)).toBeNull();
  });
});
