// `nx g @genesis/repo:service <name>`: one command, every place a service must be known.
import { formatFiles, installPackagesTask } from '@nx/devkit';
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { assertNxWorkspace } from '../../utils/nx-workspace';
import { makeScriptsExecutable } from '../../utils/templates';
import { addServiceProject } from './lib/add-service-project';
import { normalizeServiceOptions } from './lib/normalize-options';
import { registerInCompose } from './lib/register-in-compose';
import { registerInDockerignore } from './lib/register-in-dockerignore';
import { registerInEnvExample } from './lib/register-in-env-example';
import { registerInPrometheus } from './lib/register-in-prometheus';
import type { ServiceGeneratorSchema } from './schema';

/** The steps without formatting; `init` calls this for core, banker and exporters. */
export async function addService(
  tree: Tree,
  name: string,
  options: { allowExisting?: boolean } = {},
): Promise<void> {
  const service = normalizeServiceOptions(tree, name, options);
  await addServiceProject(tree, service);
  registerInEnvExample(tree, service);
  registerInCompose(tree, service);
  registerInDockerignore(tree, service);
  registerInPrometheus(tree, service);
  // CI needs no entry: build-images builds every affected project with a docker:build target.
}

export async function serviceGenerator(
  tree: Tree,
  options: ServiceGeneratorSchema,
): Promise<GeneratorCallback> {
  assertNxWorkspace(tree);
  await addService(tree, options.name);
  makeScriptsExecutable(tree);
  if (!options.skipFormat) await formatFiles(tree);
  // A new npm workspace: package-lock.json must list it, or `npm ci` fails in CI.
  return () => {
    if (!options.skipInstall) installPackagesTask(tree, true);
  };
}

export default serviceGenerator;
