// This repository is the output of its own `init`: run it over the checkout (a tree read from
// disk, nothing flushed) and fail if a generator-owned file would change. Created-once files
// that exist are untouched by construction (see utils/ownership.ts).
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FsTree } from 'nx/src/generators/tree';
import { initGenerator } from './generators/init/generator';
import { ownedFiles } from './utils/ownership';
import { addInfraFiles } from './generators/infra/lib/add-infra-files';
import { emptyWorkspace } from './testing/tree';

/** Scripts init creates once that this repository also runs: the same bytes in both. */
const generatedCiScripts = ['scripts/ci/prepare-docker.sh', 'scripts/ci/build-base-image.sh'];

const workspaceRoot = resolve(__dirname, '..', '..', '..');

function lineDiff(expected: string, actual: string): string {
  const a = actual.split('\n');
  const e = expected.split('\n');
  const lines: string[] = [];
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i] === e[i]) continue;
    if (a[i] !== undefined) lines.push(`  ${i + 1} repo:      ${a[i]}`);
    if (e[i] !== undefined) lines.push(`  ${i + 1} generated: ${e[i]}`);
    if (lines.length > 40) break;
  }
  return lines.join('\n');
}

describe('self-check: this repository against its own init', () => {
  it('has every generator-owned file exactly as init renders it', async () => {
    const tree = new FsTree(workspaceRoot, false);
    await initGenerator(tree, { skipFormat: true, skipInstall: true });
    const drift = ownedFiles.flatMap((path) => {
      const onDisk = join(workspaceRoot, path);
      const generated = tree.read(path, 'utf-8') ?? '';
      if (!existsSync(onDisk)) return [`${path}: missing from the repository`];
      const actual = readFileSync(onDisk, 'utf-8');
      return actual === generated ? [] : [`${path}:\n${lineDiff(generated, actual)}`];
    });
    if (drift.length > 0) {
      throw new Error(
        'Generator-owned files differ from what `nx g @genesis/repo:init` renders. Change the templates in ' +
          'tools/generators/src/generators/ci/files (not the files), then run `npx nx g @genesis/repo:init`:\n' +
          drift.join('\n'),
      );
    }
  });

  it('changes no file at all: the kept-in-step registrations are already in place', async () => {
    const tree = new FsTree(workspaceRoot, false);
    await initGenerator(tree, { skipFormat: true, skipInstall: true });
    const changed = tree
      .listChanges()
      .filter((change) => {
        const onDisk = join(workspaceRoot, change.path);
        if (change.type !== 'UPDATE' || !existsSync(onDisk)) return true;
        return readFileSync(onDisk, 'utf-8') !== change.content?.toString('utf-8');
      })
      .map((change) => `${change.type} ${change.path}`);
    expect(changed).toEqual([]);
  });

  it("has the Docker scripts a generated workspace gets, as this repository runs them", () => {
    // Created once there (infra/files/scripts/ci), so init never rewrites them here: the templates
    // follow this repository's copies, which CI and the Makefile run.
    const tree = emptyWorkspace();
    addInfraFiles(tree);
    const drift = generatedCiScripts.flatMap((path) => {
      const generated = tree.read(path, 'utf-8');
      const actual = readFileSync(join(workspaceRoot, path), 'utf-8');
      return generated === actual ? [] : [`${path}:\n${lineDiff(generated ?? '', actual)}`];
    });
    if (drift.length > 0) {
      throw new Error(
        'These scripts differ from their templates: copy the repository file over ' +
          `tools/generators/src/generators/infra/files/<path>__tmpl__:\n${drift.join('\n')}`,
      );
    }
  });
});
