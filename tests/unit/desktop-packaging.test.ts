import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUpdateFeed } from '../../main/core/update-feed.js';
import { checkWorkers } from '../../scripts/check-workers.mjs';
import { REPO_ROOT, tempDir } from '../support/server.js';

const require = createRequire(import.meta.url);
type Config = Record<string, any>;
const { builderConfig, parseUpdateFeed: parseInBuilder } = require('../../build/builder-config.cjs') as {
  builderConfig: (env: Record<string, string>) => Config;
  parseUpdateFeed: (value: string) => unknown;
};
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration: (config: Config, logger: unknown) => Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

const SIGNED = {
  LEXDESK_UPDATE_URL: 'https://updates.office.example/lexdesk',
  CSC_LINK: '/secure/developer-id.p12',
  CSC_KEY_PASSWORD: 'p',
  APPLE_ID: 'it@office.example',
  APPLE_APP_SPECIFIC_PASSWORD: 'abcd-efgh-ijkl-mnop',
  APPLE_TEAM_ID: 'TEAM123456',
};

describe('the installers (electron-builder configuration)', () => {
  it('is accepted by electron-builder’s own schema, signed or not', async () => {
    await validateConfiguration(builderConfig({}), new DebugLogger(false));
    await validateConfiguration(builderConfig(SIGNED), new DebugLogger(false));
  });

  it('builds NSIS for Windows, a DMG for macOS, an AppImage and a deb for Linux', () => {
    const config = builderConfig({});
    expect(config.win.target.map((t: { target: string }) => t.target)).toEqual(['nsis']);
    expect(config.mac.target.map((t: { target: string }) => t.target)).toEqual(['dmg']);
    expect(config.linux.target.map((t: { target: string }) => t.target)).toEqual(['AppImage', 'deb']);
    expect(config.asarUnpack).toEqual(['**/*.node']);
  });

  it('takes its publish section from LEXDESK_UPDATE_URL: a generic folder or GitHub releases; none without one', () => {
    expect(builderConfig({}).publish).toBeNull();
    expect(builderConfig({ LEXDESK_UPDATE_URL: 'https://updates.office.example/lexdesk' }).publish).toEqual([
      { provider: 'generic', url: 'https://updates.office.example/lexdesk/' },
    ]);
    expect(builderConfig({ LEXDESK_UPDATE_URL: 'github:acme/lexdesk' }).publish).toEqual([{ provider: 'github', owner: 'acme', repo: 'lexdesk' }]);
    expect(() => builderConfig({ LEXDESK_UPDATE_URL: 'http://updates.office.example/' })).toThrow(/https/);
  });

  it('reads the feed exactly as the app does', () => {
    const samples = [
      'https://updates.office.example/lexdesk',
      'https://updates.office.example/lexdesk/',
      'github:acme/lexdesk',
      'https://github.com/acme/lexdesk',
      'https://github.com/acme/lexdesk/releases',
      'http://127.0.0.1:8080/updates',
      'http://updates.office.example/',
      'https://user:pw@updates.office.example/',
      'ftp://updates.office.example/',
      'github:acme',
      'not a url',
    ];
    for (const sample of samples) expect(parseInBuilder(sample), sample).toEqual(parseUpdateFeed(sample));
  });

  it('signs and notarises only with the credentials in the environment, and builds unsigned without them', () => {
    const unsigned = builderConfig({});
    expect(unsigned.win.signtoolOptions).toBeNull();
    expect(unsigned.mac).toMatchObject({ identity: null, notarize: false, hardenedRuntime: true });
    const signed = builderConfig(SIGNED);
    expect(signed.win.signtoolOptions).toEqual({ signingHashAlgorithms: ['sha256'] });
    expect(signed.mac.identity).toBeUndefined();
    expect(signed.mac.notarize).toBe(true);
    const { APPLE_TEAM_ID: _team, ...incomplete } = SIGNED;
    expect(builderConfig(incomplete).mac.notarize).toBe(false);
  });
});

describe('scripts/check-workers.mjs: every worker loads from the packed layout', () => {
  it('finds the workers of this repository, each packed with everything it imports', () => {
    const { workers, problems } = checkWorkers({ root: REPO_ROOT, config: builderConfig({}) });
    expect(problems).toEqual([]);
    expect(workers.map((w: { compiled: string }) => w.compiled).sort()).toEqual(
      expect.arrayContaining([
        'dist/main/core/audit/verify-worker.js',
        'dist/main/core/auth/password-worker.js',
        'dist/main/core/backup/worker.js',
        'dist/main/core/pdf/pdf-worker.js',
      ]),
    );
  });

  function fixture(files: Record<string, string>, pkg: Record<string, unknown> = { dependencies: { pdfkit: '1' }, devDependencies: { tsx: '1' } }) {
    const root = tempDir();
    writeFileSync(join(root, 'package.json'), JSON.stringify(pkg));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, name)), { recursive: true });
      writeFileSync(join(root, name), text);
    }
    return root;
  }
  const caller = "import { startWorker } from '../workers.js';\nexport const start = () => startWorker(new URL('./job-worker.js', import.meta.url));\n";
  const launcher = "import { Worker } from 'node:worker_threads';\nexport const startWorker = (url: URL) => new Worker(url);\n";

  it('fails on a worker whose file does not exist', () => {
    const root = fixture({ 'main/core/workers.ts': launcher, 'main/core/jobs/start.ts': caller });
    const { problems } = checkWorkers({ root, config: builderConfig({}) });
    expect(problems.join('\n')).toMatch(/job-worker\.js has no source/);
  });

  it('fails on a worker that imports a development dependency, which the app does not carry', () => {
    const root = fixture({
      'main/core/workers.ts': launcher,
      'main/core/jobs/start.ts': caller,
      'main/core/jobs/job-worker.ts': "import 'tsx';\nimport PDFDocument from 'pdfkit';\nexport default PDFDocument;\n",
    });
    const { problems } = checkWorkers({ root, config: builderConfig({}) });
    expect(problems).toEqual(['main/core/jobs/job-worker.js: imports the package tsx, which is not a dependency, so not in the app']);
  });

  it('fails on a worker unpacked from the asar while its imports stay inside, and on one left out of the files', () => {
    const root = fixture({
      'main/core/workers.ts': launcher,
      'main/core/jobs/start.ts': caller,
      'main/core/jobs/job-worker.ts': "import { step } from './step.js';\nstep();\n",
      'main/core/jobs/step.ts': 'export function step() {}\n',
    });
    const config = builderConfig({});
    const unpacked = checkWorkers({ root, config: { ...config, asarUnpack: [...config.asarUnpack, '**/job-worker.js'] } });
    expect(unpacked.problems.join('\n')).toMatch(/step\.js is inside the asar while the worker is unpacked/);
    const excluded = checkWorkers({ root, config: { ...config, files: [...config.files, '!dist/main/core/jobs/step.js'] } });
    expect(excluded.problems.join('\n')).toMatch(/dist\/main\/core\/jobs\/step\.js .* is not in the packaged app/);
  });

  it('fails on a new Worker( that does not say which file it loads', () => {
    const root = fixture({
      'main/core/workers.ts': launcher,
      'main/core/jobs/start.ts': "import { Worker } from 'node:worker_threads';\nconst file = process.env.X!;\nexport const w = () => new Worker(file);\n",
    });
    const { problems } = checkWorkers({ root, config: builderConfig({}) });
    expect(problems.join('\n')).toMatch(/new Worker\(file…\) does not say which file it loads/);
  });
});
