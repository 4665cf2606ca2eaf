// Desktop installers: `npm run dist` (electron-builder --config electron-builder.config.cjs).
// The configuration is built from this machine's environment (the update feed, signing,
// notarisation): see build/builder-config.cjs and the README's "Packaging".
// Native modules: node_modules keeps the Node builds that the tests use; the Electron
// builds come from .native/electron (scripts/electron-native.mjs) and are put into the
// packaged app by build/after-pack.cjs, so packaging never rebuilds node_modules in place.
const { builderConfig, signingOf } = require('./build/builder-config.cjs');

const signing = signingOf(process.env);
if (!signing.windows || !signing.mac) {
  process.stderr.write(
    `lexdesk: packaging ${signing.windows ? '' : 'unsigned for Windows (no CSC_LINK/WIN_CSC_LINK) '}${
      signing.mac ? (signing.notarize ? '' : 'not notarised for macOS ') : 'unsigned for macOS (no CSC_LINK) '
    }\n`,
  );
}

module.exports = builderConfig(process.env);
