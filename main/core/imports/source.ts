import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import streamArray from 'stream-json/streamers/stream-array.js';

/**
 * Reading files that other programs wrote: UTF-8 (with or without a byte-order
 * mark) or, from older Windows installs, Windows-1252. Every read is a stream of
 * small chunks, so a 2 GB file costs the same memory as a 2 KB one.
 */

export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'windows-1252';

export interface SourceFile {
  name: string;
  bytes: number;
  sha256: string;
  encoding: TextEncoding;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * One pass over a file: its size, its SHA-256 and its encoding (a BOM; else UTF-8
 * when every byte sequence is valid UTF-8; else Windows-1252, where every byte is
 * a character).
 */
export async function inspectFile(path: string, name: string): Promise<SourceFile> {
  const hash = createHash('sha256');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let valid = true;
  let bytes = 0;
  let head: Buffer | null = null;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    if (head === null) head = chunk.subarray(0, 3);
    hash.update(chunk);
    bytes += chunk.length;
    if (valid) {
      try {
        utf8.decode(chunk, { stream: true });
      } catch {
        valid = false;
      }
    }
  }
  if (valid) {
    try {
      utf8.decode();
    } catch {
      valid = false;
    }
  }
  const bom = head !== null && head.length === 3 && head.equals(BOM);
  return { name, bytes, sha256: hash.digest('hex'), encoding: bom ? 'utf-8-bom' : valid ? 'utf-8' : 'windows-1252' };
}

/** The file as text chunks in its encoding, without the BOM. */
export function textStream(path: string, encoding: TextEncoding): Readable {
  const decoder = new TextDecoder(encoding === 'windows-1252' ? 'windows-1252' : 'utf-8', { ignoreBOM: false });
  async function* chunks() {
    for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
      const text = decoder.decode(chunk, { stream: true });
      if (text) yield text;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  }
  return Readable.from(chunks(), { objectMode: false, encoding: 'utf8' });
}

/** A JSON file that is not one array of values: what is wrong with it, for the report. */
export class JsonShapeError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'JsonShapeError';
  }
}

/**
 * The elements of a file holding one JSON array, one at a time, with their index.
 * Empty, truncated or non-array files throw a JsonShapeError saying so (after the
 * elements that could be read).
 */
export async function* jsonArray(path: string, name: string, file: SourceFile): AsyncGenerator<{ index: number; value: unknown }> {
  if (file.bytes === 0 || (file.encoding === 'utf-8-bom' && file.bytes === 3)) {
    throw new JsonShapeError(name, 'the file is empty (a file with no records holds [])');
  }
  const parser = textStream(path, file.encoding).pipe(streamArray.withParserAsStream());
  let last = -1;
  try {
    for await (const item of parser as AsyncIterable<{ key: number; value: unknown }>) {
      last = item.key;
      yield { index: item.key, value: item.value };
    }
  } catch (err) {
    const why = (err as Error).message;
    if (/top-level object should be an array/i.test(why)) throw new JsonShapeError(name, 'the file must hold one JSON array of records ([ {…}, {…} ])');
    throw new JsonShapeError(
      name,
      last < 0 ? `the file is not valid JSON (${why})` : `the file is cut short or damaged after record #${last + 1} (${why})`,
    );
  } finally {
    parser.destroy();
  }
}

/** A file holding one JSON object (settings.json), read whole: such files are small. */
export async function jsonObject(path: string, name: string, file: SourceFile): Promise<Record<string, unknown>> {
  if (file.bytes > 8 * 1024 * 1024) throw new JsonShapeError(name, 'the file is larger than 8 MB; it should hold one small object');
  let text = '';
  for await (const chunk of textStream(path, file.encoding)) text += chunk as string;
  if (!text.trim()) throw new JsonShapeError(name, 'the file is empty');
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new JsonShapeError(name, `the file is not valid JSON (${(err as Error).message})`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new JsonShapeError(name, 'the file must hold one JSON object ({ … })');
  return value as Record<string, unknown>;
}
