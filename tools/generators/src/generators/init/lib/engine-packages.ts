// The engine a Genesis workspace runs: the inferred infra targets call node_modules/.bin/genesis,
// the bin of @genesis/proxmox, which needs the simulator, libs/gpu and the host channel beside it.
// init adds them to devDependencies unless the workspace has the engine already (a dependency, or
// its own project, as in the Genesis repository). Where they come from:
// - @genesis/repo installed from a tarball (`file:<dir>/genesis-repo-<version>.tgz`, what
//   `nx run-many -t pack` writes to dist/packages/): the tarballs beside it, of the same version;
// - otherwise the registry, at the plugin's own version (the packages are versioned together).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { addDependenciesToPackageJson, getProjects, logger, readJson } from '@nx/devkit';
import type { Tree } from '@nx/devkit';

/** The engine and what it needs at run time, in the order a user installs them. */
export const enginePackages = [
  '@genesis/proxmox',
  '@genesis/pve-sim',
  '@genesis/gpu',
  '@genesis/host-channel',
];
export const pluginPackage = '@genesis/repo';

interface PackageJson {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** The version of this plugin (package.json four levels up, in the sources and in dist alike). */
export function pluginVersion(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf-8'));
  return manifest.version;
}

/** `npm pack`'s file name for a package: @genesis/pve-sim@0.1.0 → genesis-pve-sim-0.1.0.tgz. */
export function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

function specOf(manifest: PackageJson, name: string): string | undefined {
  return manifest.devDependencies?.[name] ?? manifest.dependencies?.[name];
}

function hasEngineProject(tree: Tree): boolean {
  for (const project of getProjects(tree).values()) {
    const path = join(project.root, 'package.json');
    if (tree.exists(path) && readJson<PackageJson>(tree, path).name === enginePackages[0]) return true;
  }
  return false;
}

/**
 * The devDependencies to add (none when the workspace has the engine). `workspaceRoot` resolves
 * relative `file:` specs, which npm writes relative to the package.json.
 */
export function engineDependencies(
  tree: Tree,
  workspaceRoot: string,
  version = pluginVersion(),
): Record<string, string> {
  const manifest = readJson<PackageJson>(tree, 'package.json');
  if (specOf(manifest, enginePackages[0]) || hasEngineProject(tree)) return {};
  const plugin = specOf(manifest, pluginPackage)?.match(/^file:(.+\.tgz)$/);
  if (plugin) {
    const pluginPath = resolve(workspaceRoot, plugin[1]);
    const beside = enginePackages.map((name) => join(dirname(pluginPath), tarballName(name, version)));
    const missing = beside.filter((path) => !existsSync(path));
    if (missing.length === 0) {
      const specFor = (path: string) =>
        `file:${isAbsolute(plugin[1]) ? path : relative(workspaceRoot, path)}`;
      return Object.fromEntries(enginePackages.map((name, i) => [name, specFor(beside[i])]));
    }
    logger.warn(
      `${pluginPackage} is installed from ${plugin[1]}, but ${missing.join(', ')} ` +
        `${missing.length === 1 ? 'is' : 'are'} not beside it: run \`npx nx run-many -t pack\` in the Genesis ` +
        `repository (it writes every package to dist/packages/), or install them yourself. ` +
        `Asking the registry for ${enginePackages[0]}@${version} instead.`,
    );
  }
  return { [enginePackages[0]]: version };
}

/** Adds the engine to devDependencies (init's install step installs it). */
export function addEngineDependencies(tree: Tree): void {
  const wanted = engineDependencies(tree, tree.root);
  if (Object.keys(wanted).length > 0) addDependenciesToPackageJson(tree, {}, wanted);
}
