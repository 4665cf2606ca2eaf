import archiver from 'archiver';

export interface BundleEntry {
  name: string;
  data: Buffer | string;
}

/**
 * A ZIP of the given files (archiver: deflate runs in zlib's thread pool, not on
 * the event loop), with fixed dates so the same content makes the same bundle.
 */
export function zipBundle(entries: BundleEntry[], at: Date): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = archiver('zip', { zlib: { level: 6 } });
    const chunks: Buffer[] = [];
    zip.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.on('end', () => resolve(Buffer.concat(chunks)));
    zip.on('warning', reject);
    zip.on('error', reject);
    for (const entry of entries) zip.append(typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data, { name: entry.name, date: at });
    void zip.finalize();
  });
}

/** A name safe inside a ZIP on every system: no folders, no control or reserved characters. */
export function entryName(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[\\/:*?"<>|\p{Cc}\p{Cf}]/gu, '_')
    .replace(/^\.+/, '_')
    .slice(0, 120);
  return cleaned || 'file';
}
