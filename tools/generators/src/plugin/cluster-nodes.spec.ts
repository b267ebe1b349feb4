import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateNodesContextV2 } from '@nx/devkit';
import { tempDir } from '../testing/tree';
import { createNodesV2 } from './create-nodes';
import { clusterNodeNames } from './cluster-nodes';

const CLUSTER = `version: 1
cluster: { name: hive, links: [{ network: 192.168.1.0/24 }] }
nodes:
  - name: \${PVE1_NAME:-pve1}
    endpoint: { host: 192.168.1.11 }
  - name: pve2
    endpoint: { host: 192.168.1.12 }
  - name: pve3
    endpoint: { host: 192.168.1.13 }
`;

describe('createNodesV2 on a cluster genesis.yaml', () => {
  let workspace: ReturnType<typeof tempDir>;
  beforeEach(() => {
    workspace = tempDir('genesis-cluster-plugin-');
    mkdirSync(join(workspace.dir, 'infra'), { recursive: true });
    writeFileSync(join(workspace.dir, 'infra/project.json'), '{ "name": "infra" }');
    writeFileSync(join(workspace.dir, 'infra/genesis.yaml'), CLUSTER);
  });
  afterEach(() => workspace.remove());

  it('makes each node a project (plan, provision, verify with --node) whose provision depends on the cluster-wide provision', async () => {
    const [, createNodes] = createNodesV2;
    const context: CreateNodesContextV2 = { nxJsonConfiguration: {}, workspaceRoot: workspace.dir };
    const [[, result]] = await createNodes(['infra/genesis.yaml'], { engine: 'genesis', engineDependsOn: [{ projects: ['proxmox'], target: 'build-cli' }] }, context);
    const projects = result.projects!;
    expect(Object.keys(projects)).toEqual(['infra', 'infra/nodes/pve1', 'infra/nodes/pve2', 'infra/nodes/pve3']);
    expect(Object.keys(projects.infra.targets!)).toEqual(['plan', 'provision', 'verify', 'drain']);
    expect(projects.infra.targets!.provision.options.command).toBe('genesis provision --file infra/genesis.yaml --cluster-wide');
    const pve2 = projects['infra/nodes/pve2'];
    expect(pve2.name).toBe('node-pve2');
    expect(Object.keys(pve2.targets!)).toEqual(['plan', 'provision', 'verify']);
    expect(pve2.targets!.plan).toMatchObject({ options: { command: 'genesis plan --file infra/genesis.yaml --node pve2' }, cache: false, inputs: [], dependsOn: [{ projects: ['proxmox'], target: 'build-cli' }] });
    // Plans have no dependency on each other or on the cluster: run-many reads every node at once.
    expect(pve2.targets!.provision.dependsOn).toEqual([{ projects: ['proxmox'], target: 'build-cli' }, { projects: ['infra'], target: 'provision' }]);
  });

  it('reads node names (with ${VAR:-default}) and leaves single-node and broken files to the single-node targets', () => {
    expect(clusterNodeNames(CLUSTER)).toEqual(['pve1', 'pve2', 'pve3']);
    expect(clusterNodeNames('version: 1\nnode: pve\n')).toBeUndefined();
    expect(clusterNodeNames('nodes: [ {')).toBeUndefined();
    expect(clusterNodeNames('nodes:\n  - name: pve1\n')).toBeUndefined();
  });
});
