#!/usr/bin/env node
// `nx run <project>:pack` (nx.json targetDefaults): the installable tarball of one package under
// dist/packages/. Usage: node tools/generators/scripts/pack.cjs <projectRoot> [--from <dir>]
//
// The package is assembled in a temporary folder, so no target's output is ever changed: <dir>
// (default dist/<projectRoot>, what the `package` target writes), the .d.ts files of
// dist/types/<projectRoot> (what the `declarations` target writes, when there), and the package.json
// a user installs: the source manifest with its `publishConfig` entry points (main, exports, bin:
// the built .js files; types: the .d.ts) in place of the workspace's TypeScript ones. Then `npm pack`
// writes dist/packages/<scope>-<name>-<version>.tgz (an older version of the same package is
// removed). A folder that already holds its package.json (tools/generators/dist, from
// copy-assets.cjs) is packed with that manifest.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const workspaceRoot = path.resolve(__dirname, '..', '..', '..');
const entryFields = ['main', 'types', 'exports', 'bin'];

function fail(message) {
  throw new Error(`pack: ${message}`);
}

/** The manifest of the built package: publishConfig's entry points replace the source ones. */
function distManifest(source) {
  const { publishConfig, ...manifest } = source;
  if (!publishConfig || !publishConfig.main) {
    return null;
  }
  for (const field of entryFields) delete manifest[field];
  for (const field of entryFields) {
    if (publishConfig[field] !== undefined) manifest[field] = publishConfig[field];
  }
  return manifest;
}

/** Every file the manifest points at (main, types, exports, bin), relative to the package folder. */
function entryFiles(manifest) {
  const files = [];
  const collect = (value) => {
    if (typeof value === 'string') files.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(manifest.main);
  collect(manifest.types);
  collect(manifest.exports);
  collect(manifest.bin);
  return files;
}

/** Packs one package; `root` is the workspace (this repository unless a test says otherwise). */
function pack(argv, root = workspaceRoot) {
  const [projectRoot, ...rest] = argv;
  if (!projectRoot) fail('usage: pack.cjs <projectRoot> [--from <dir>]');
  const fromAt = rest.indexOf('--from');
  const from = path.resolve(root, fromAt >= 0 ? rest[fromAt + 1] : path.join('dist', projectRoot));
  const sourceManifestPath = path.join(root, projectRoot, 'package.json');
  const source = JSON.parse(fs.readFileSync(sourceManifestPath, 'utf-8'));
  if (!fs.existsSync(from)) {
    fail(
      `${path.relative(root, from)} does not exist: build the package first (the pack target depends on it)`,
    );
  }

  const built = distManifest(source);
  if (!built && !fs.existsSync(path.join(from, 'package.json'))) {
    fail(
      `${path.relative(root, sourceManifestPath)} has no publishConfig.main and ` +
        `${path.relative(root, from)} no package.json: add publishConfig.main (the built entry, e.g. "./index.js")`,
    );
  }
  const types = path.join(root, 'dist', 'types', projectRoot);
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'genesis-pack-'));
  try {
    fs.cpSync(from, stage, { recursive: true });
    if (fs.existsSync(types)) {
      fs.cpSync(types, stage, { recursive: true, filter: (file) => fs.statSync(file).isDirectory() || file.endsWith('.d.ts') });
    }
    if (built) fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(built, null, 2)}\n`);
    return packStaged(stage, root, [from, types].map((dir) => path.relative(root, dir)));
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

/** Checks the assembled folder's entry points and bins, then `npm pack`s it into dist/packages. */
function packStaged(stage, root, builtFrom) {
  const manifest = JSON.parse(fs.readFileSync(path.join(stage, 'package.json'), 'utf-8'));
  for (const file of entryFiles(manifest)) {
    if (!fs.existsSync(path.join(stage, file))) {
      fail(
        `${manifest.name}: ${file} (named in its package.json) is not in ${builtFrom.join(' or ')}; check the package target's entry points`,
      );
    }
  }
  for (const bin of Object.values(manifest.bin ?? {})) fs.chmodSync(path.join(stage, bin), 0o755);

  const destination = path.join(root, 'dist', 'packages');
  fs.mkdirSync(destination, { recursive: true });
  const base = manifest.name.replace(/^@/, '').replace('/', '-');
  for (const old of fs.readdirSync(destination)) {
    if (old.startsWith(`${base}-`) && /^\d/.test(old.slice(base.length + 1)) && old.endsWith('.tgz')) {
      fs.rmSync(path.join(destination, old));
    }
  }
  const output = execFileSync(
    'npm',
    ['pack', stage, '--pack-destination', destination, '--json', '--loglevel=error'],
    {
      encoding: 'utf-8',
    },
  );
  const [{ filename, entryCount, size }] = JSON.parse(output);
  console.log(
    `dist/packages/${filename}: ${manifest.name}@${manifest.version}, ${entryCount} files, ${size} bytes`,
  );
  return path.join(destination, filename);
}

module.exports = { distManifest, entryFiles, pack };

if (require.main === module) {
  try {
    pack(process.argv.slice(2));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
