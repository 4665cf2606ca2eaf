// Build-time check: every worker thread LexDesk starts must load in the packaged app.
//
// It lists each `new Worker(` and `startWorker(new URL('./x.js', import.meta.url))` in
// main/, maps the target to its compiled file under dist/, and checks it against the
// installer's layout (build/builder-config.cjs): the file is packed (matched by `files`,
// not excluded), everything it imports is packed too and lives on the same side of the
// asar (a worker unpacked by `asarUnpack` cannot import a module left inside the asar),
// and every package it imports is a dependency (a devDependency is not in the app).
// With a build present (dist/main), the compiled files must exist as well.
//
//   node scripts/check-workers.mjs            # exit 0 and the list, or exit 1 and the problems
//   node scripts/check-workers.mjs --built    # also require dist/ to be built
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const REPO = join(here, '..');
/** The generic launcher (main/core/workers.ts) is the only place allowed a `new Worker(` of a variable. */
const LAUNCHER = 'main/core/workers.ts';

const posix = (path) => path.split(sep).join('/');

/** A glob as electron-builder's `files` / `asarUnpack` use them: **, *, ?, {a,b}. */
export function globToRegExp(glob) {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else out += '.*';
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      out += `(?:${glob.slice(i + 1, end).split(',').map((part) => part.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')).join('|')})`;
      i = end;
    } else out += /[.+^$()|[\]\\]/.test(c) ? `\\${c}` : c;
  }
  return new RegExp(`^${out}$`);
}

const matchesAny = (path, globs) => globs.some((glob) => globToRegExp(glob).test(path));
/** Whether the app's `files` list packs `path` (last matching pattern wins, as in electron-builder). */
function packed(path, files) {
  let inside = false;
  for (const pattern of files) {
    if (pattern.startsWith('!')) {
      if (globToRegExp(pattern.slice(1)).test(path)) inside = false;
    } else if (globToRegExp(pattern).test(path)) inside = true;
  }
  return inside;
}

function sourcesUnder(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourcesUnder(full));
    else if (/\.(ts|cts|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** Value imports of a source file (type-only ones are erased by tsc and cost nothing at run time). */
function importsOf(text) {
  const found = new Set();
  const statement = /^\s*(?:import|export)\s+(type\s+)?[^'";]*?\sfrom\s+['"]([^'"]+)['"]/gm;
  for (const match of text.matchAll(statement)) if (!match[1]) found.add(match[2]);
  for (const match of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.add(match[1]);
  for (const match of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.add(match[1]);
  return [...found];
}

const packageOf = (specifier) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
const BUILTIN = new Set(builtinModules);

/**
 * Every worker target in `root`'s main/, with the problems that would stop it from
 * loading in the packaged app. `config` is electron-builder's (files, asarUnpack).
 */
export function checkWorkers({ root = REPO, config, requireBuilt = false } = {}) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const shipped = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})]);
  const files = config.files ?? ['**/*'];
  const unpack = config.asar === false ? ['**/*'] : (config.asarUnpack ?? []);
  const built = requireBuilt || existsSync(join(root, 'dist', 'main'));
  const problems = [];
  const workers = [];

  for (const file of sourcesUnder(join(root, 'main'))) {
    const source = posix(relative(root, file));
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\bnew Worker\(\s*([^,)]*)/g)) {
      if (source === LAUNCHER) continue;
      if (!/^new URL\(/.test(match[1].trim())) {
        problems.push(`${source}: new Worker(${match[1].trim()}…) does not say which file it loads; start workers with startWorker(new URL('./x.js', import.meta.url))`);
      }
    }
    const calls = /\b(?:startWorker|new Worker)\(\s*new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g;
    for (const match of text.matchAll(calls)) workers.push({ caller: source, target: posix(relative(root, resolve(dirname(file), match[1]))) });
  }

  for (const worker of workers) {
    const entry = worker.target.replace(/\.js$/, '.ts');
    if (!existsSync(join(root, entry))) {
      problems.push(`${worker.caller}: its worker ${worker.target} has no source (${entry})`);
      continue;
    }
    // the worker and everything it imports, as compiled files under dist/
    const closure = new Map();
    const packages = new Set();
    const pending = [entry];
    while (pending.length > 0) {
      const current = pending.pop();
      if (closure.has(current)) continue;
      const compiled = `dist/${current.replace(/\.(ts|cts|mts)$/, (ext) => ({ '.ts': '.js', '.cts': '.cjs', '.mts': '.mjs' })[ext])}`;
      closure.set(current, compiled);
      for (const specifier of importsOf(readFileSync(join(root, current), 'utf8'))) {
        if (specifier.startsWith('.')) {
          const next = posix(relative(root, resolve(dirname(join(root, current)), specifier))).replace(/\.js$/, '.ts').replace(/\.cjs$/, '.cts');
          if (!existsSync(join(root, next))) problems.push(`${worker.target}: ${current} imports ${specifier}, which does not exist`);
          else pending.push(next);
        } else if (!specifier.startsWith('node:') && !BUILTIN.has(specifier)) packages.add(packageOf(specifier));
      }
    }
    const compiledEntry = closure.get(entry);
    const entryUnpacked = matchesAny(compiledEntry, unpack);
    for (const [sourceFile, compiled] of closure) {
      if (!packed(compiled, files)) problems.push(`${worker.target}: ${compiled} (from ${sourceFile}) is not in the packaged app (electron-builder "files")`);
      else if (matchesAny(compiled, unpack) !== entryUnpacked) {
        problems.push(`${worker.target}: ${compiled} is ${entryUnpacked ? 'inside the asar while the worker is unpacked' : 'unpacked while the worker is inside the asar'}; a worker's imports must be on its side`);
      }
      if (built && !existsSync(join(root, compiled))) problems.push(`${worker.target}: ${compiled} is not built (npm run build)`);
    }
    for (const name of packages) {
      if (!shipped.has(name)) problems.push(`${worker.target}: imports the package ${name}, which is not a dependency, so not in the app`);
      else if (!packed(`node_modules/${name}/package.json`, files)) problems.push(`${worker.target}: the package ${name} is not in the packaged app`);
    }
    worker.compiled = compiledEntry;
    worker.unpacked = entryUnpacked;
    worker.files = closure.size;
    worker.packages = [...packages].sort();
  }
  if (workers.length === 0) problems.push('no worker found: the check looks for startWorker(new URL(…, import.meta.url)) in main/');
  return { workers, problems };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const require = createRequire(import.meta.url);
  const { builderConfig } = require('../build/builder-config.cjs');
  const { workers, problems } = checkWorkers({ config: builderConfig({}), requireBuilt: process.argv.includes('--built') });
  for (const w of workers) {
    process.stdout.write(`worker ${w.compiled} (${w.unpacked ? 'unpacked' : 'in app.asar'}; ${w.files} files; ${w.packages.join(', ') || 'no packages'}) from ${w.caller}\n`);
  }
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`check-workers: ${p}\n`);
    process.exit(1);
  }
  process.stdout.write(`check-workers: ${workers.length} workers load from the packaged layout\n`);
}
