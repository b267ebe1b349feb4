// The targets a genesis.yaml gives its project: plan, provision and verify, one target per step
// (run alone), and the network's render and rehearse. Never cached: each one reads or changes a
// live host. `provision` is one process (the CLI runs every step in order); it does not depend on
// the step targets, which exist to run a single step.
import type { TargetConfiguration, TargetDependencyConfig } from '@nx/devkit';

export interface GenesisPluginOptions {
  /** The engine CLI: `<engine> <plan|provision|verify|step> --file <genesis.yaml>`. */
  engine?: string;
  /**
   * The network CLI (`render`, `rehearse`); defaults to the engine, whose `genesis` bin has both
   * commands (then they also get `engineDependsOn`).
   */
  network?: string;
  /** The host steps, each its own target, in the order `provision` runs them. */
  steps?: string[];
  /**
   * What the engine targets need first, as Nx `dependsOn` entries: where the engine is built in the
   * workspace (this repository: `[{ "projects": ["proxmox"], "target": "build-cli" }]`, the bundle).
   */
  engineDependsOn?: (string | TargetDependencyConfig)[];
}

/**
 * The `genesis` bin of the installed engine package (@genesis/proxmox), by path: `npx genesis`
 * would fetch an unrelated registry package named `genesis` when the engine is missing. This
 * repository runs its bundled build instead (nx.json options).
 */
export const defaultEngine = 'node_modules/.bin/genesis';
export const defaultSteps: readonly string[] = ['storage', 'bridges', 'firewall', 'templates', 'gpu', 'vms'];

export interface NormalizedPluginOptions {
  engine: string;
  network: string;
  steps: string[];
  engineDependsOn: (string | TargetDependencyConfig)[];
  /** What render and rehearse need first: the engine's dependencies when they run the engine. */
  networkDependsOn: (string | TargetDependencyConfig)[];
}

export function normalizePluginOptions(options: GenesisPluginOptions = {}): NormalizedPluginOptions {
  const engine = options.engine ?? defaultEngine;
  const steps = options.steps ?? [...defaultSteps];
  for (const step of steps) {
    if (
      !/^[a-z][a-z0-9-]*$/.test(step) ||
      ['plan', 'provision', 'verify', 'render', 'rehearse'].includes(step)
    ) {
      throw new Error(
        `nx.json plugins["@genesis/repo"].options.steps: "${step}" is not a step name ` +
          '(lowercase kebab-case, not plan/provision/verify/render/rehearse); fix or remove it',
      );
    }
  }
  const engineDependsOn = options.engineDependsOn ?? [];
  const network = options.network ?? engine;
  return { engine, network, steps, engineDependsOn, networkDependsOn: network === engine ? engineDependsOn : [] };
}

const descriptions: Record<string, string> = {
  plan: 'What provision would change on the host (read-only).',
  provision: 'Converge the host to genesis.yaml: every step, in order, in one process.',
  verify: 'Check the host against genesis.yaml, every step (read-only).',
  render: 'Write the host network files (interfaces, nftables) under dist/.',
  rehearse: 'Apply the network in throw-away namespaces and check it.',
};

function target(command: string, description: string, dependsOn: (string | TargetDependencyConfig)[] = []): TargetConfiguration {
  return {
    executor: 'nx:run-commands',
    options: { command },
    cache: false,
    ...(dependsOn.length ? { dependsOn } : {}),
    metadata: { description },
  };
}

/** `configFile` is the genesis.yaml path from the workspace root, `projectRoot` its folder. */
export function inferGenesisTargets(
  configFile: string,
  projectRoot: string,
  options: NormalizedPluginOptions,
): Record<string, TargetConfiguration> {
  const file = `--file ${configFile}`;
  const needs = options.engineDependsOn;
  const targets: Record<string, TargetConfiguration> = {
    plan: target(`${options.engine} plan ${file}`, descriptions.plan, needs),
  };
  for (const step of options.steps) {
    targets[step] = target(`${options.engine} ${step} ${file}`, `Run the ${step} step alone.`, needs);
  }
  targets.provision = target(`${options.engine} provision ${file}`, descriptions.provision, needs);
  const networkNeeds = options.networkDependsOn;
  targets.render = target(`${options.network} render ${file} --out dist/${projectRoot}`, descriptions.render, networkNeeds);
  targets.rehearse = target(`${options.network} rehearse ${file}`, descriptions.rehearse, networkNeeds);
  targets.verify = target(`${options.engine} verify ${file}`, descriptions.verify, needs);
  return targets;
}
