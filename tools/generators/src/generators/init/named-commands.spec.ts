// Every command that the files init writes tell a person (or CI) to run names something the
// generated workspace has: each `bash <script>` exists, each `nx run <project>:<target>` is a target
// of a generated project or one the plugin infers, each compose file a Makefile line passes exists.
// With the real tools: `make -n` accepts every Makefile target, and the compose project's `config`
// commands pass docker-compose. (The e2e-workspace runs the cheap ones in a real workspace.)
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProjectConfiguration } from '@nx/devkit';
import type { Tree } from '@nx/devkit';
import { inferGenesisTargets, normalizePluginOptions } from '../../plugin/infer-targets';
import { composeVariants } from '../../utils/paths';
import { initializedWorkspace, itWithTool, snapshotTree, tempDir, writeTreeTo } from '../../testing/tree';

/** The files whose commands a user or CI runs. */
const namingFiles = [
  'Makefile',
  'README.md',
  'CLAUDE.md',
  '.github/workflows/ci.yaml',
  '.github/workflows/build-images.yaml',
  '.pre-commit-config.yaml',
];

function targetsOf(tree: Tree, project: string): string[] {
  const config = readProjectConfiguration(tree, project);
  const declared = Object.keys(config.targets ?? {});
  // infra/genesis.yaml gives its project the plugin's targets (createNodesV2, default options).
  const inferred = tree.exists(`${config.root}/genesis.yaml`)
    ? Object.keys(inferGenesisTargets(`${config.root}/genesis.yaml`, config.root, normalizePluginOptions()))
    : [];
  return [...declared, ...inferred];
}

/** The Makefile's variables, for the paths its recipes build from them (VARIANT: each one). */
function expandMakeVariables(line: string, variant: string): string {
  return line.replace(/\$\(COMPOSE_DIR\)/g, 'infra/compose').replace(/\$\(VARIANT\)/g, variant);
}

function makeTargets(makefile: string): string[] {
  return [...makefile.matchAll(/^([a-zA-Z_-]+):.*## /gm)].map((m) => m[1]);
}

describe('the commands the generated files name', () => {
  let tree: Tree;
  let texts: Record<string, string>;
  beforeAll(async () => {
    tree = await initializedWorkspace();
    texts = Object.fromEntries(namingFiles.map((path) => [path, tree.read(path, 'utf-8') ?? '']));
  });

  it('every file that names commands is written', () => {
    for (const path of namingFiles) expect([path, texts[path].length > 0]).toEqual([path, true]);
  });

  it('every script they run with bash exists in the workspace', () => {
    const missing: string[] = [];
    for (const [file, text] of Object.entries(texts)) {
      for (const [, script] of text.matchAll(/\bbash\s+([\w./-]+\.sh)\b/g)) {
        if (!tree.exists(script)) missing.push(`${file}: bash ${script}`);
      }
    }
    expect(missing).toEqual([]);
    // The ones that used to be missing (issue 11): the docker preparation and the base image.
    expect(texts.Makefile).toContain('bash scripts/ci/prepare-docker.sh');
    expect(tree.exists('scripts/ci/build-base-image.sh')).toBe(true);
  });

  it('every `nx run <project>:<target>` is a target of a generated project (declared or inferred)', () => {
    const missing: string[] = [];
    let named = 0;
    for (const [file, text] of Object.entries(texts)) {
      for (const [, project, target] of text.matchAll(/\bnx run ([a-z][\w-]*):([a-z][\w:-]*)/g)) {
        named++;
        let targets: string[];
        try {
          targets = targetsOf(tree, project);
        } catch {
          missing.push(`${file}: nx run ${project}:${target} (no project ${project})`);
          continue;
        }
        if (!targets.includes(target)) missing.push(`${file}: nx run ${project}:${target} (${project} has ${targets.join(', ')})`);
      }
    }
    expect(missing).toEqual([]);
    expect(named).toBeGreaterThanOrEqual(4);
  });

  it('every compose file the Makefile passes exists, for every variant', () => {
    const missing: string[] = [];
    for (const variant of composeVariants) {
      for (const line of texts.Makefile.split('\n').filter((l) => l.includes('docker-compose'))) {
        for (const [, file] of expandMakeVariables(line, variant).matchAll(/ -f (\S+)/g)) {
          if (!tree.exists(file)) missing.push(`${variant}: ${file}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  describe('with the real tools, in the generated files on disk', () => {
    let dir: string;
    let remove: () => void;
    beforeAll(() => {
      ({ dir, remove } = tempDir('genesis-named-commands-'));
      writeTreeTo(tree, dir, [...snapshotTree(tree).keys()]);
      // The lock file the npm install after init writes (the Makefile's install rule starts from it).
      writeFileSync(join(dir, 'package-lock.json'), '{}\n');
    });
    afterAll(() => remove());

    const run = (command: string, args: string[]) => {
      const result = spawnSync(command, args, { cwd: dir, encoding: 'utf-8' });
      return { status: result.status, output: `${result.stdout}${result.stderr}` };
    };

    itWithTool('make')('make -n accepts every Makefile target', () => {
      const targets = makeTargets(texts.Makefile);
      expect(targets).toEqual(expect.arrayContaining(['plan', 'provision', 'verify', 'compose-config', 'base-image', 'test']));
      for (const target of targets) {
        const result = run('make', ['-n', target]);
        expect({ target, status: result.status }).toEqual({ target, status: 0 });
      }
    });

    itWithTool('docker-compose')("the compose project's config commands pass docker-compose", () => {
      const config = readProjectConfiguration(tree, 'compose');
      expect(config.root).toBe('infra/compose');
      const commands: string[] = config.targets!.config.options.commands;
      expect(commands).toHaveLength(composeVariants.length);
      for (const command of commands) {
        const result = run('bash', ['-c', command]);
        expect({ command, ...result }).toEqual({ command, status: 0, output: expect.stringMatching(/: valid\n$/) });
      }
    });
  });
});
