import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { syncDir } from '../../fs.js';
import { destinationMessage } from '../folder.js';
import { isObjectName, isPartialName, partialName, TargetError, type RemoteObject, type Target } from './target.js';

/** Another folder: a NAS share, an external disk, a folder a cloud client syncs. Temp name, flush, rename. */
export class FolderTarget implements Target {
  readonly label: string;
  constructor(private readonly root: string) {
    this.label = root;
  }

  private path(name: string): string {
    return join(this.root, ...name.split('/'));
  }

  async connect(): Promise<void> {
    try {
      const info = await stat(this.root);
      if (!info.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    } catch (err) {
      throw new TargetError(destinationMessage(this.root, err).replace('The backup folder', 'The off-site folder'), false);
    }
  }

  async close(): Promise<void> {}

  private async walk(): Promise<{ objects: RemoteObject[]; partials: string[] }> {
    const objects: RemoteObject[] = [];
    const partials: string[] = [];
    const visit = async (dir: string, prefix: string) => {
      const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' && prefix !== '') return [];
        throw err;
      });
      for (const entry of entries) {
        const name = `${prefix}${entry.name}`;
        if (entry.isDirectory()) {
          if (!entry.name.startsWith('.')) await visit(join(dir, entry.name), `${name}/`);
        } else if (entry.isFile()) {
          if (isPartialName(name)) partials.push(name);
          else if (isObjectName(name)) objects.push({ name, size: (await stat(join(dir, entry.name))).size });
        }
      }
    };
    try {
      await visit(this.root, '');
    } catch (err) {
      throw new TargetError(destinationMessage(this.root, err).replace('The backup folder', 'The off-site folder'), true);
    }
    return { objects, partials };
  }

  scan(): Promise<{ objects: RemoteObject[]; partials: string[] }> {
    return this.walk();
  }

  async list(): Promise<RemoteObject[]> {
    return (await this.walk()).objects;
  }

  async listPartials(): Promise<string[]> {
    return (await this.walk()).partials;
  }

  async stat(name: string): Promise<RemoteObject | null> {
    try {
      const info = await stat(this.path(name));
      return info.isFile() ? { name, size: info.size } : null;
    } catch {
      return null;
    }
  }

  async put(name: string, body: () => Readable, _size: number): Promise<void> {
    const file = this.path(name);
    const temp = this.path(partialName(name, randomBytes(4).toString('hex')));
    await mkdir(dirname(file), { recursive: true });
    try {
      await pipeline(body(), createWriteStream(temp, { mode: 0o600, flush: true }));
      await rename(temp, file);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    await syncDir(dirname(file));
  }

  async get(name: string): Promise<Readable> {
    const file = this.path(name);
    await stat(file);
    return createReadStream(file);
  }

  async delete(name: string): Promise<void> {
    await rm(this.path(name), { force: true });
  }
}
