// A runtime input for Nx (nx.json `sharedFixtures`): one line that changes whenever anything under
// ../shared changes (the official PVE schemas, the nvidia-smi captures, the installer corpus). Those
// files live outside the workspace, where Nx's own file hashing cannot see them; without this a
// cached test would pass on fixtures it never read.
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');

const shared = resolve(__dirname, '../../../../shared');

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

if (!existsSync(shared)) {
  process.stdout.write('shared: absent\n');
} else {
  const hash = createHash('sha256');
  for (const file of files(shared)) hash.update(relative(shared, file)).update('\0').update(readFileSync(file)).update('\0');
  process.stdout.write(`shared: ${hash.digest('hex')}\n`);
}
