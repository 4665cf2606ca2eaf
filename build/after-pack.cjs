// After packaging: replace the Node builds of the native modules inside the app with
// the Electron builds from .native/electron, leaving the repository's node_modules alone.
const { copyFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const MODULES = {
  'better-sqlite3': 'build/Release/better_sqlite3.node',
  keytar: 'build/Release/keytar.node',
};

exports.default = async function afterPack(context) {
  const resources =
    context.electronPlatformName === 'darwin'
      ? join(context.appOutDir, `${context.packager.appInfo.productFilename}.app`, 'Contents', 'Resources')
      : join(context.appOutDir, 'resources');
  const native = join(__dirname, '..', '.native', 'electron', 'node_modules');
  for (const [name, file] of Object.entries(MODULES)) {
    const from = join(native, name, file);
    const to = join(resources, 'app.asar.unpacked', 'node_modules', name, file);
    if (!existsSync(from)) {
      if (name === 'keytar') continue; // optional: the secret store falls back and says so
      throw new Error(`missing the Electron build of ${name} (${from})`);
    }
    copyFileSync(from, to);
  }
};
