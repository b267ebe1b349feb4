// Kept in step: the root package.json gains the workspaces, scripts, engine and dependencies a
// Genesis workspace needs. Entries already there (even at another version) are left alone.
import { addDependenciesToPackageJson, updateJson } from '@nx/devkit';
import type { Tree } from '@nx/devkit';
import { nodeEngine, rootDependencies, rootDevDependencies } from '../../../utils/versions';

export const rootWorkspaces = ['apps/*', 'libs/*', 'tools/*'];

export const rootScripts: Record<string, string> = {
  test: 'nx run-many -t lint test build --outputStyle=static',
  provision: 'nx run infra:provision',
  format: 'nx format:write',
  'format:check': 'nx format:check',
};

interface PackageJson {
  name?: string;
  private?: boolean;
  workspaces?: string[];
  scripts?: Record<string, string>;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export function updateRootPackageJson(tree: Tree): void {
  if (!tree.exists('package.json')) tree.write('package.json', '{ "name": "genesis", "private": true }\n');
  updateJson<PackageJson, PackageJson>(tree, 'package.json', (json) => {
    json.private ??= true;
    const workspaces = json.workspaces ?? [];
    json.workspaces = [...workspaces, ...rootWorkspaces.filter((w) => !workspaces.includes(w))];
    json.scripts = addMissing(json.scripts, rootScripts);
    json.engines = addMissing(json.engines, { node: nodeEngine });
    return json;
  });
  // Missing ones only: a package the user has, in either section and at any version, stays as it is.
  addDependenciesToPackageJson(tree, rootDependencies, rootDevDependencies, 'package.json', true);
}

/** `wanted` entries absent from `current`. */
function addMissing(
  current: Record<string, string> | undefined,
  wanted: Record<string, string>,
): Record<string, string> {
  const result = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(wanted)) {
    if (!(key in result)) result[key] = value;
  }
  return result;
}
