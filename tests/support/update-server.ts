import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions, type Server } from 'node:http';
import { join } from 'node:path';
import { configureRequestOptions, configureRequestUrl, HttpExecutor, type DownloadOptions } from 'builder-util-runtime';
import { DebUpdater, type AppUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter.js';
import { tempDir } from './server.js';

/**
 * A folder of updates as electron-builder publishes it to a generic HTTPS host:
 * `latest-linux.yml` (version, files with their sha512 and size, release date) and
 * the artefact it names, served over HTTP on 127.0.0.1.
 */
export class UpdateFolder {
  readonly requests: string[] = [];
  private server: Server | null = null;
  version = '0.2.0';
  artefact = Buffer.from('LexDesk 0.2.0 package '.repeat(4096));
  /** what the yml claims the artefact's sha512 is (a tampered file keeps the old claim) */
  claimedSha512: string | null = null;

  get fileName(): string {
    return `LexDesk-${this.version}.deb`;
  }

  latestYml(): string {
    const sha512 = this.claimedSha512 ?? createHash('sha512').update(this.artefact).digest('base64');
    return [
      `version: ${this.version}`,
      'files:',
      `  - url: ${this.fileName}`,
      `    sha512: ${sha512}`,
      `    size: ${this.artefact.length}`,
      `path: ${this.fileName}`,
      `sha512: ${sha512}`,
      "releaseDate: '2026-12-01T10:00:00.000Z'",
      '',
    ].join('\n');
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      this.requests.push(path);
      if (path === '/updates/latest-linux.yml') {
        res.setHeader('content-type', 'text/yaml');
        res.end(this.latestYml());
      } else if (path === `/updates/${this.fileName}`) {
        res.setHeader('content-length', String(this.artefact.length));
        res.end(this.artefact);
      } else {
        res.statusCode = 404;
        res.end('not found');
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address() as { port: number };
    return `http://127.0.0.1:${address.port}/updates/`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/**
 * electron-updater's HTTP client without Electron: Node's http, and the same
 * download path as its ElectronHttpExecutor (builder-util-runtime's doDownload
 * checks the sha512 while it writes).
 */
class NodeHttpExecutor extends HttpExecutor<ClientRequest> {
  createRequest(options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest {
    return httpRequest(options, callback);
  }
  download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return options.cancellationToken.createPromise((resolve, reject, onCancel) => {
      const requestOptions = { headers: options.headers || undefined, redirect: 'manual' };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(
        requestOptions,
        { destination, options, onCancel, callback: (error) => (error == null ? resolve(destination) : reject(error)), responseHandler: null },
        0,
      );
    });
  }
}

/**
 * The real electron-updater (its Linux .deb updater) running in Node: an installed
 * app's adapter pointing at a temp folder, and Node's HTTP. Everything it does
 * up to the install (feed, latest-linux.yml, version compare, download, sha512
 * check, the pending update on disk) is the library's own code.
 */
export function nodeDebUpdater(version = '0.1.0'): { updater: AppUpdater; cacheDir: string; configFile: string } {
  const dir = tempDir();
  const adapter: AppAdapter = {
    version,
    name: 'LexDesk',
    isPackaged: true,
    appUpdateConfigPath: join(dir, 'app-update.yml'),
    userDataPath: dir,
    baseCachePath: dir,
    whenReady: async () => undefined,
    relaunch: () => undefined,
    quit: () => undefined,
    onQuit: () => undefined,
  };
  // no resources/app-update.yml: an installer built without a feed (the controller writes its own)
  const updater = new DebUpdater(null, adapter);
  (updater as unknown as { httpExecutor: HttpExecutor<ClientRequest> }).httpExecutor = new NodeHttpExecutor();
  return { updater, cacheDir: join(dir, 'lexdesk-updater'), configFile: join(dir, 'feed-update.yml') };
}
