// The installers' configuration (electron-builder), built from the environment of the
// machine that packages: electron-builder.config.cjs calls builderConfig(process.env).
// Kept as a function so that the tests build it from an environment of their own.
//
// - LEXDESK_UPDATE_URL: the update feed (https:// folder, or github:owner/repo): the
//   `publish` section, so installed apps look there and `--publish` uploads there.
//   main/core/update-feed.ts reads the same value the same way (a test compares them).
// - Windows signing: CSC_LINK (a .pfx file or its base64) and CSC_KEY_PASSWORD
//   (WIN_CSC_LINK / WIN_CSC_KEY_PASSWORD for a Windows-only certificate).
// - macOS signing: CSC_LINK and CSC_KEY_PASSWORD (a Developer ID Application .p12);
//   notarisation: APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD and APPLE_TEAM_ID, or
//   APPLE_API_KEY, APPLE_API_KEY_ID and APPLE_API_ISSUER.
// Without them the installers are built unsigned and not notarised, and say so.

const GITHUB_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,99})$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The feed a LEXDESK_UPDATE_URL names, as main/core/update-feed.ts's parseUpdateFeed. */
function parseUpdateFeed(value) {
  const text = String(value).trim();
  const github = /^github:([^/\s]+)\/([^/\s]+)$/.exec(text);
  if (github) {
    const [, owner, repo] = github;
    return GITHUB_NAME.test(owner) && GITHUB_NAME.test(repo) ? { provider: 'github', owner, repo } : null;
  }
  let url;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.username || url.password || url.search || url.hash) return null;
  if (url.protocol === 'https:' && url.hostname === 'github.com') {
    const [owner = '', repo = '', ...rest] = url.pathname.split('/').filter(Boolean);
    if (rest.length === 0 && GITHUB_NAME.test(owner) && GITHUB_NAME.test(repo)) return { provider: 'github', owner, repo: repo.replace(/\.git$/, '') };
    return null;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) return null;
  return { provider: 'generic', url: url.href.endsWith('/') ? url.href : `${url.href}/` };
}

const has = (env, ...names) => names.every((name) => typeof env[name] === 'string' && env[name].trim() !== '');

/** What signing and notarisation the environment allows, for the build's log and the README. */
function signingOf(env) {
  const windows = has(env, 'WIN_CSC_LINK') || has(env, 'CSC_LINK');
  const mac = has(env, 'CSC_LINK');
  const notarize =
    mac && (has(env, 'APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID') || has(env, 'APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER'));
  return { windows, mac, notarize };
}

function builderConfig(env = process.env) {
  const raw = env.LEXDESK_UPDATE_URL && env.LEXDESK_UPDATE_URL.trim();
  const feed = raw ? parseUpdateFeed(raw) : null;
  if (raw && !feed) {
    throw new Error(
      'LEXDESK_UPDATE_URL must be an https:// address of the folder holding latest.yml, or github:owner/repo',
    );
  }
  const signing = signingOf(env);
  return {
    appId: 'law.lexdesk.desktop',
    productName: 'LexDesk',
    copyright: 'Copyright © LexDesk',
    directories: { output: 'release', buildResources: 'build' },
    files: [
      'package.json',
      'dist/**/*',
      '!dist/**/*.map',
      'node_modules/**/*',
      // the intake PDF embeds DejaVu Sans and Sans Bold only
      '!node_modules/dejavu-fonts-ttf/ttf/DejaVu{Serif,SansMono,SansCondensed,MathTeXGyre}*',
      '!node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-{ExtraLight,Oblique,BoldOblique}.ttf',
    ],
    // Worker threads (passwords, PDFs, backups, the audit walk, documents) load from
    // inside the asar: Electron reads it for them. Only native modules must be on disk
    // (scripts/check-workers.mjs checks every `new Worker(` target against this layout).
    asar: true,
    asarUnpack: ['**/*.node'],
    // Electron fuses, flipped in the packaged binary (as Signal Desktop and VS Code do): no
    // running the app as plain Node (ELECTRON_RUN_AS_NODE), no NODE_OPTIONS and no --inspect
    // arguments to inject code, cookies encrypted at rest with the OS key, the app loaded
    // only from its asar archive and that archive checked against the hash embedded in the
    // binary, and no extra privileges for file:// (the screens come from the app:// scheme).
    electronFuses: {
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    },
    npmRebuild: false,
    nodeGypRebuild: false,
    beforePack: 'build/before-pack.cjs',
    afterPack: 'build/after-pack.cjs',
    // the feed installed apps check (written into resources/app-update.yml); none: no publish
    publish: feed ? [feed] : null,
    win: {
      target: [{ target: 'nsis', arch: ['x64'] }],
      // signtool with CSC_LINK / CSC_KEY_PASSWORD when given; unsigned otherwise
      signtoolOptions: signing.windows ? { signingHashAlgorithms: ['sha256'] } : null,
    },
    nsis: {
      oneClick: false,
      perMachine: false,
      allowToChangeInstallationDirectory: true,
      // LexDesk starts with the computer from its own setting; the installer leaves it running in the tray
      runAfterFinish: true,
    },
    mac: {
      target: [{ target: 'dmg', arch: ['x64', 'arm64'] }],
      category: 'public.app-category.business',
      hardenedRuntime: true,
      // no certificate: an unsigned build (identity null skips the keychain search)
      ...(signing.mac ? {} : { identity: null }),
      notarize: signing.notarize,
    },
    dmg: { sign: false },
    linux: {
      target: [
        { target: 'AppImage', arch: ['x64'] },
        { target: 'deb', arch: ['x64'] },
      ],
      category: 'Office',
      maintainer: 'LexDesk',
    },
    deb: {
      // the tray icon and notifications on a plain desktop
      depends: ['libnotify4', 'libxtst6', 'libnss3', 'libsecret-1-0', 'libappindicator3-1 | libayatana-appindicator3-1'],
    },
  };
}

module.exports = { builderConfig, parseUpdateFeed, signingOf };
