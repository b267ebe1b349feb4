import { addProjectConfiguration, readJson, readProjectConfiguration, updateJson } from '@nx/devkit';
import { parse } from 'yaml';
import { changedPaths, emptyWorkspace, readCommonJsConfig, snapshotTree } from '../../testing/tree';
import { dockerignoreContent } from '../../utils/dockerignore';
import { missingIgnores } from '../../utils/gitignore';
import { isGenesisWritten, ownedFiles } from '../../utils/ownership';
import { initGenerator } from './generator';

describe('init', () => {
  it('lays out the whole Genesis workspace in an empty Nx workspace', async () => {
    const tree = emptyWorkspace();
    await initGenerator(tree, { skipFormat: true, skipInstall: true });
    for (const path of [
      'apps/core/src/main.ts',
      'apps/core/Dockerfile',
      'apps/banker/src/app.spec.ts',
      'apps/exporters/project.json',
      'infra/project.json',
      'infra/genesis.yaml',
      'infra/compose/docker-compose.yml',
      'infra/compose/docker-compose.dev.yml',
      'infra/compose/docker-compose.mock.yml',
      'infra/compose/docker-compose.prod.yml',
      'infra/compose/.env.example',
      'infra/compose/prometheus/prometheus.yml',
      'infra/cloud-init/ubuntu-ai.yaml',
      'scripts/setup/setup-nvidia-toolkit.sh',
      'scripts/development/start-dev.sh',
      'scripts/development/stop-dev.sh',
      'scripts/development/reset-data.sh',
      'README.md',
      'CLAUDE.md',
      '.gitignore',
      'eslint.config.mjs',
      'jest.preset.js',
      ...ownedFiles,
    ]) {
      expect(tree.exists(path)).toBe(true);
    }
    // The engine is installed (its packages), not generated: no engine source in the workspace.
    expect(tree.exists('libs/proxmox')).toBe(false);
    expect(tree.exists('libs/gpu')).toBe(false);
    const pkg = readJson(tree, 'package.json');
    expect(pkg.workspaces).toEqual(['apps/*', 'libs/*', 'tools/*']);
    expect(pkg.devDependencies.nx).toBe('22.7.9');
    expect(readJson(tree, 'nx.json').plugins).toEqual(
      expect.arrayContaining([expect.objectContaining({ plugin: '@nx/jest/plugin' })]),
    );
    for (const service of ['banker', 'core', 'exporters']) {
      expect(readProjectConfiguration(tree, service).targets?.['docker:build']).toBeDefined();
    }
    const jobs = parse(tree.read('infra/compose/prometheus/prometheus.yml', 'utf-8')!).scrape_configs;
    expect(jobs.map((job: { job_name: string }) => job.job_name)).toEqual([
      'prometheus',
      'core',
      'banker',
      'exporters',
    ]);
    // Created by `workspace` with no service, then one line per service in registration order:
    // the same bytes as the Genesis root .dockerignore.
    expect(tree.read('.dockerignore', 'utf-8')).toBe(
      dockerignoreContent(['apps/core', 'apps/banker', 'apps/exporters']),
    );
  });

  it('changes nothing on a second run', async () => {
    const tree = emptyWorkspace();
    await initGenerator(tree, { skipFormat: true, skipInstall: true });
    const first = snapshotTree(tree);
    await initGenerator(tree, { skipFormat: true, skipInstall: true });
    expect(changedPaths(first, snapshotTree(tree))).toEqual([]);
  });

  it('never overwrites a file the user changed', async () => {
    const tree = emptyWorkspace();
    await initGenerator(tree, { skipFormat: true, skipInstall: true });
    tree.write('apps/core/src/app.ts', '// mine\n');
    tree.write('README.md', '# mine\n');
    await initGenerator(tree, { skipFormat: true, skipInstall: true });
    expect(tree.read('apps/core/src/app.ts', 'utf-8')).toBe('// mine\n');
    expect(tree.read('README.md', 'utf-8')).toBe('# mine\n');
  });

  it('refuses a folder without nx.json and writes nothing', async () => {
    const tree = emptyWorkspace();
    tree.delete('nx.json');
    const before = snapshotTree(tree);
    await expect(initGenerator(tree, { skipFormat: true, skipInstall: true })).rejects.toThrow(
      /not an Nx workspace \(no nx.json\)/,
    );
    expect(changedPaths(before, snapshotTree(tree))).toEqual([]);
  });

  describe('in a workspace the user already has', () => {
    const userFiles: Record<string, string> = {
      Makefile: 'build:\n\tnpm run build\n',
      '.github/workflows/ci.yaml': 'name: my ci\non: push\n',
      'jest.preset.js':
        "module.exports = { ...require('@nx/jest/preset').default, testEnvironment: 'jsdom' };\n",
      '.gitignore': '# mine\n/node_modules\n*.local\n',
      'tsconfig.base.json': JSON.stringify({
        compilerOptions: { target: 'es2015', paths: { '@me/ui': ['libs/ui/src'] } },
      }),
    };

    function userWorkspace() {
      const tree = emptyWorkspace();
      for (const [path, content] of Object.entries(userFiles)) tree.write(path, content);
      updateJson(tree, 'nx.json', (json) => ({ ...json, affected: { defaultBase: 'trunk' } }));
      updateJson(tree, 'package.json', (json) => ({ ...json, scripts: { start: 'nx serve web' } }));
      return tree;
    }

    it("keeps the user's files, writes Genesis's beside them and merges the shared ones", async () => {
      const tree = userWorkspace();
      await initGenerator(tree, { skipFormat: true, skipInstall: true });
      for (const path of ['Makefile', '.github/workflows/ci.yaml', 'jest.preset.js']) {
        expect(tree.read(path, 'utf-8')).toBe(userFiles[path]);
      }
      for (const beside of [
        'Makefile.genesis',
        '.github/workflows/ci.yaml.genesis',
        'jest.preset.genesis.js',
      ]) {
        expect(isGenesisWritten(tree.read(beside, 'utf-8')!)).toBe(true);
      }
      // The generated projects use Genesis's preset, not the user's.
      expect(readCommonJsConfig(tree, 'apps/core/jest.config.cjs').preset).toBe('../../jest.preset.genesis.js');
      const gitignore = tree.read('.gitignore', 'utf-8')!;
      expect(gitignore.startsWith(userFiles['.gitignore'])).toBe(true);
      expect(missingIgnores(gitignore)).toEqual([]);
      const tsconfig = readJson(tree, 'tsconfig.base.json');
      expect(tsconfig.compilerOptions).toMatchObject({
        target: 'es2015',
        paths: { '@me/ui': ['libs/ui/src'] },
        strict: true,
      });
      expect(readJson(tree, 'nx.json').affected).toEqual({ defaultBase: 'trunk' });
      expect(readJson(tree, 'package.json').scripts).toMatchObject({
        start: 'nx serve web',
        provision: 'nx run infra:provision',
      });

      const first = snapshotTree(tree);
      await initGenerator(tree, { skipFormat: true, skipInstall: true });
      expect(changedPaths(first, snapshotTree(tree))).toEqual([]);
    });

    it('replaces them with --force', async () => {
      const tree = userWorkspace();
      await initGenerator(tree, { skipFormat: true, skipInstall: true, force: true });
      expect(isGenesisWritten(tree.read('Makefile', 'utf-8')!)).toBe(true);
      expect(isGenesisWritten(tree.read('jest.preset.js', 'utf-8')!)).toBe(true);
      expect(tree.exists('Makefile.genesis')).toBe(false);
    });

    it('refuses a user library named core and writes nothing', async () => {
      const tree = userWorkspace();
      addProjectConfiguration(tree, 'core', { root: 'libs/core', projectType: 'library' });
      const before = snapshotTree(tree);
      await expect(initGenerator(tree, { skipFormat: true, skipInstall: true })).rejects.toThrow(
        /"core" is your library at libs\/core, but init registers a service named "core"/,
      );
      expect(changedPaths(before, snapshotTree(tree))).toEqual([]);
    });
  });
});
