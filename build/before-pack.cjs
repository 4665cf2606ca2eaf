// Before packaging: build Electron's native modules into .native/electron.
exports.default = async function beforePack() {
  const { ensureElectronNative } = await import('../scripts/electron-native.mjs');
  await ensureElectronNative();
};
