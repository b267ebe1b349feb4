// A cluster genesis.yaml (`cluster:` and `nodes:`) gives each node its own inferred project,
// `node-<name>` (plan, provision, verify with `--node <name>`), so `nx run-many -t plan` reads
// every node at once and `nx run-many -t provision` converges the nodes side by side. The project
// beside the file keeps plan/provision/verify for the cluster-wide part (`--cluster-wide`:
// membership, the firewall), and every node's provision depends on that provision: once, before them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectConfiguration, TargetConfiguration, TargetDependencyConfig } from '@nx/devkit';
import { parse } from 'yaml';
import type { NormalizedPluginOptions } from './infer-targets';

/** `${VAR:-default}` → default (the plugin reads the file without the environment). */
const withDefaults = (v: string) => v.replace(/\$\{[A-Z_][A-Z0-9_]*(?::-([^}]*))?\}/g, (_m, d: string | undefined) => d ?? '');

/** The node names of a cluster file, or undefined for a single-node file (or one that does not parse: the engine reports it). */
export function clusterNodeNames(text: string): string[] | undefined {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== 'object' || !('cluster' in doc) || !Array.isArray((doc as { nodes?: unknown }).nodes)) return undefined;
  const names = ((doc as unknown as { nodes: Array<{ name?: unknown }> }).nodes ?? [])
    .map((n) => (n && typeof n.name === 'string' ? withDefaults(n.name) : ''))
    .filter((n) => /^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/.test(n));
  return names.length ? [...new Set(names)] : undefined;
}

function target(command: string, description: string, dependsOn: (string | TargetDependencyConfig)[]): TargetConfiguration {
  // No inputs: never cached, and a node project has no files of its own (its root is virtual), which Nx's hasher would look for.
  return { executor: 'nx:run-commands', options: { command }, cache: false, inputs: [], ...(dependsOn.length ? { dependsOn } : {}), metadata: { description } };
}

export interface ClusterProjects {
  /** The targets of the project beside genesis.yaml (the cluster-wide part, and drain). */
  targets: Record<string, TargetConfiguration>;
  /** `node-<name>` projects by their (virtual) root, `<projectRoot>/nodes/<name>`. */
  nodes: Record<string, ProjectConfiguration>;
}

export function clusterProjects(
  configFile: string,
  projectRoot: string,
  projectName: string,
  workspaceRoot: string,
  options: NormalizedPluginOptions,
): ClusterProjects | undefined {
  let text: string;
  try {
    text = readFileSync(join(workspaceRoot, configFile), 'utf8');
  } catch {
    return undefined;
  }
  const names = clusterNodeNames(text);
  if (!names) return undefined;
  const file = `--file ${configFile}`;
  const needs = options.engineDependsOn;
  const engine = options.engine;
  const targets: Record<string, TargetConfiguration> = {
    plan: target(`${engine} plan ${file} --cluster-wide`, 'The cluster-wide part of the plan: membership and the firewall (read-only).', needs),
    provision: target(`${engine} provision ${file} --cluster-wide`, 'Create the cluster, join the nodes, converge the firewall; every node-* provision runs after it.', needs),
    verify: target(`${engine} verify ${file} --cluster-wide`, 'Quorum, every node online and a member, the links, HA placement (read-only).', needs),
    drain: target(`${engine} drain ${file}`, 'Live-migrate a node\'s guests away before maintenance: nx run <project>:drain -- <node>.', needs),
  };
  const nodes: Record<string, ProjectConfiguration> = {};
  for (const name of names) {
    const root = `${projectRoot}/nodes/${name}`;
    nodes[root] = {
      root,
      name: `node-${name}`,
      projectType: 'application',
      tags: ['type:infra', 'genesis:node'],
      targets: {
        plan: target(`${engine} plan ${file} --node ${name}`, `What provision would change on ${name} (read-only).`, needs),
        provision: target(`${engine} provision ${file} --node ${name}`, `Converge ${name} to its part of genesis.yaml, after the cluster-wide part.`, [
          ...needs,
          { projects: [projectName], target: 'provision' },
        ]),
        verify: target(`${engine} verify ${file} --node ${name}`, `Check ${name} against genesis.yaml (read-only).`, needs),
      },
      metadata: { technologies: ['genesis'] },
    };
  }
  return { targets, nodes };
}

/** The name project.json (or package.json) gives the project at `projectRoot`; else its folder name. */
export function projectNameAt(workspaceRoot: string, projectRoot: string): string {
  for (const file of ['project.json', 'package.json']) {
    try {
      const name = (JSON.parse(readFileSync(join(workspaceRoot, projectRoot, file), 'utf8')) as { name?: unknown }).name;
      if (typeof name === 'string' && name) return name;
    } catch {
      // not there, or not JSON: the next one
    }
  }
  return projectRoot.split('/').pop() ?? projectRoot;
}
