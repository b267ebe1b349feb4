import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateNodesContextV2 } from '@nx/devkit';
import { tempDir } from '../testing/tree';
import { createNodesV2, genesisConfigGlob } from './create-nodes';

describe('createNodesV2', () => {
  let workspace: ReturnType<typeof tempDir>;

  beforeEach(() => {
    workspace = tempDir('genesis-plugin-');
    const write = (path: string, content: string) => {
      mkdirSync(join(workspace.dir, path, '..'), { recursive: true });
      writeFileSync(join(workspace.dir, path), content);
    };
    write('infra/project.json', '{ "name": "infra" }');
    write('infra/genesis.yaml', 'host: {}\n');
    write('libs/proxmox/src/fixtures/genesis.yaml', 'host: {}\n');
  });
  afterEach(() => workspace.remove());

  it('gives the project beside each genesis.yaml its targets, and makes none for a stray file', async () => {
    const [glob, createNodes] = createNodesV2;
    expect(glob).toBe(genesisConfigGlob);
    const context: CreateNodesContextV2 = { nxJsonConfiguration: {}, workspaceRoot: workspace.dir };
    const results = await createNodes(
      ['infra/genesis.yaml', 'libs/proxmox/src/fixtures/genesis.yaml'],
      { steps: ['storage'] },
      context,
    );
    const byFile = Object.fromEntries(results);
    expect(byFile['libs/proxmox/src/fixtures/genesis.yaml']).toEqual({});
    const infra = byFile['infra/genesis.yaml'].projects!.infra;
    expect(Object.keys(infra.targets!)).toEqual([
      'plan',
      'storage',
      'provision',
      'render',
      'rehearse',
      'verify',
    ]);
    expect(infra.targets!.provision.options.command).toBe('node_modules/.bin/genesis provision --file infra/genesis.yaml');
  });
});
