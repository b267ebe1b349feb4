// Completes tools/generators/dist after `tsc`: the files Nx reads at run time that tsc does not
// emit (package.json, generators.json, schema.json, the ejs templates under files/), so dist/ is
// an installable package (`npm pack tools/generators/dist`).
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

function walk(dir, visit) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, visit);
    else visit(full);
  }
}

// `--clean` (the build's first step): dist/ starts empty, so a template or module deleted from
// src/ does not live on in the package.
if (process.argv.includes('--clean')) {
  fs.rmSync(dist, { recursive: true, force: true });
  process.exit(0);
}

// The package entry is TypeScript in the source folder (Nx transpiles it) and JavaScript in dist.
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf-8'));
packageJson.main = packageJson.main.replace(/\.ts$/, '.js');
// tsconfig.lib.json emits declarations beside the JavaScript.
packageJson.types = packageJson.main.replace(/\.js$/, '.d.ts');
fs.mkdirSync(dist, { recursive: true });
fs.writeFileSync(path.join(dist, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
copy(path.join(root, 'generators.json'), path.join(dist, 'generators.json'));
copy(path.join(root, 'README.md'), path.join(dist, 'README.md'));
walk(path.join(root, 'src'), (file) => {
  const rel = path.relative(root, file);
  const isTemplate = rel.split(path.sep).includes('files');
  if (isTemplate || path.basename(file) === 'schema.json') copy(file, path.join(dist, rel));
});
