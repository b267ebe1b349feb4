import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { addProjectConfiguration, logger, readJson, updateJson } from '@nx/devkit';
import type { Tree } from '@nx/devkit';
import { emptyWorkspace } from '../../../testing/tree';
import {
  addEngineDependencies,
  enginePackages,
  engineDependencies,
  pluginVersion,
  tarballName,
} from './engine-packages';

const withDevDependencies = (tree: Tree, devDependencies: Record<string, string>) =>
  updateJson(tree, 'package.json', (json) => ({ ...json, devDependencies }));

describe('the engine packages init adds', () => {
  let packs: string;
  beforeEach(() => {
    packs = mkdtempSync(join(tmpdir(), 'genesis-packs-'));
  });
  afterEach(() => rmSync(packs, { recursive: true, force: true }));
  const writePacks = (names: string[]) => {
    for (const name of names) writeFileSync(join(packs, tarballName(name, '0.1.0')), '');
  };

  it('names tarballs as npm pack does', () => {
    expect(tarballName('@genesis/pve-sim', '1.2.3')).toBe('genesis-pve-sim-1.2.3.tgz');
    expect(pluginVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('takes every engine package from the tarballs beside the installed plugin tarball', () => {
    const tree = emptyWorkspace();
    writePacks(['@genesis/repo', ...enginePackages]);
    withDevDependencies(tree, { '@genesis/repo': `file:${join(packs, 'genesis-repo-0.1.0.tgz')}` });
    expect(engineDependencies(tree, '/work/ws', '0.1.0')).toEqual({
      '@genesis/proxmox': `file:${join(packs, 'genesis-proxmox-0.1.0.tgz')}`,
      '@genesis/pve-sim': `file:${join(packs, 'genesis-pve-sim-0.1.0.tgz')}`,
      '@genesis/gpu': `file:${join(packs, 'genesis-gpu-0.1.0.tgz')}`,
      '@genesis/host-channel': `file:${join(packs, 'genesis-host-channel-0.1.0.tgz')}`,
    });
  });

  it('keeps a relative file: spec relative to the workspace, as npm writes it', () => {
    const tree = emptyWorkspace();
    writePacks(['@genesis/repo', ...enginePackages]);
    const root = join(packs, 'ws');
    withDevDependencies(tree, {
      '@genesis/repo': `file:${relative(root, join(packs, 'genesis-repo-0.1.0.tgz'))}`,
    });
    expect(engineDependencies(tree, root, '0.1.0')['@genesis/gpu']).toBe('file:../genesis-gpu-0.1.0.tgz');
  });

  it('asks the registry, with the reason, when a tarball is missing beside the plugin', () => {
    const tree = emptyWorkspace();
    writePacks(['@genesis/repo', '@genesis/proxmox']);
    withDevDependencies(tree, { '@genesis/repo': `file:${join(packs, 'genesis-repo-0.1.0.tgz')}` });
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    expect(engineDependencies(tree, '/', '0.1.0')).toEqual({ '@genesis/proxmox': '0.1.0' });
    expect(warn.mock.calls[0][0]).toMatch(
      /genesis-pve-sim-0.1.0.tgz.*are not beside it: run `npx nx run-many -t pack`/,
    );
    warn.mockRestore();
  });

  it('takes the engine from the registry at the plugin version when the plugin came from there', () => {
    const tree = emptyWorkspace();
    withDevDependencies(tree, { '@genesis/repo': '0.1.0' });
    expect(engineDependencies(tree, '/', '0.1.0')).toEqual({ '@genesis/proxmox': '0.1.0' });
  });

  it('adds nothing when the workspace has the engine, as a dependency or as its own project', () => {
    const installed = emptyWorkspace();
    withDevDependencies(installed, { '@genesis/proxmox': 'file:../x.tgz' });
    addEngineDependencies(installed);
    expect(readJson(installed, 'package.json').devDependencies).toEqual({
      '@genesis/proxmox': 'file:../x.tgz',
    });

    const genesis = emptyWorkspace();
    addProjectConfiguration(genesis, 'proxmox', { root: 'libs/proxmox', projectType: 'library' });
    genesis.write('libs/proxmox/package.json', '{ "name": "@genesis/proxmox", "version": "0.1.0" }\n');
    expect(engineDependencies(genesis, '/', '0.1.0')).toEqual({});
  });
});
