// `createNodesV2` of @genesis/repo: every genesis.yaml beside a project.json (or package.json)
// gives that project its infra targets (see infer-targets.ts), the way @nx/docker infers from a
// Dockerfile. Options come from the plugin's entry in nx.json.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createNodesFromFiles } from '@nx/devkit';
import type { CreateNodesV2 } from '@nx/devkit';
import { inferGenesisTargets, normalizePluginOptions } from './infer-targets';
import { clusterProjects, projectNameAt } from './cluster-nodes';
import type { GenesisPluginOptions } from './infer-targets';

export const genesisConfigGlob = '**/genesis.yaml';

export const createNodesV2: CreateNodesV2<GenesisPluginOptions> = [
  genesisConfigGlob,
  async (configFiles, options, context) => {
    const normalized = normalizePluginOptions(options);
    return createNodesFromFiles(
      (configFile, _options, ctx) => {
        const projectRoot = dirname(configFile);
        // A genesis.yaml elsewhere (a fixture, an example) makes no project of its own.
        const isProject = ['project.json', 'package.json'].some((file) =>
          existsSync(join(ctx.workspaceRoot, projectRoot, file)),
        );
        if (!isProject) return {};
        // A cluster file: the cluster-wide part here, each node its own project (cluster-nodes.ts).
        const cluster = clusterProjects(configFile, projectRoot, projectNameAt(ctx.workspaceRoot, projectRoot), ctx.workspaceRoot, normalized);
        if (cluster) {
          return { projects: { [projectRoot]: { targets: cluster.targets, metadata: { technologies: ['genesis'] } }, ...cluster.nodes } };
        }
        return {
          projects: {
            [projectRoot]: {
              targets: inferGenesisTargets(configFile, projectRoot, normalized),
              metadata: { technologies: ['genesis'] },
            },
          },
        };
      },
      configFiles,
      options,
      context,
    );
  },
];
