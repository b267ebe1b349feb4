// Project names the generators accept: kebab-case, not reserved, not taken.
import { getProjects } from '@nx/devkit';
import type { Tree } from '@nx/devkit';

const kebabCase = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Names that would collide with workspace folders, compose services or Nx itself. */
export const reservedNames: readonly string[] = [
  'apps',
  'libs',
  'tools',
  'infra',
  'compose',
  'bench',
  'scripts',
  'dist',
  'node_modules',
  'nx',
  'workspace',
  'generators',
  'repo',
  'prometheus',
  'grafana',
  'test',
  'e2e',
];

export type ProjectKind = 'service' | 'library';

/** Throws a message naming the option, the rule and a fix; returns the name otherwise. */
export function validateProjectName(tree: Tree, name: unknown, kind: ProjectKind): string {
  const example = kind === 'service' ? 'trader' : 'market-data';
  if (typeof name !== 'string' || name.length === 0) {
    throw new Error(`${kind} name is missing: pass one, e.g. nx g @genesis/repo:${kind} ${example}`);
  }
  if (!kebabCase.test(name) || name.length > 40) {
    throw new Error(
      `Invalid ${kind} name "${name}": use kebab-case (lowercase letters, digits and single dashes, ` +
        `starting with a letter, at most 40 characters), e.g. "${example}"`,
    );
  }
  if (reservedNames.includes(name)) {
    throw new Error(
      `Invalid ${kind} name "${name}": it is reserved (${reservedNames.join(', ')}); pick another`,
    );
  }
  const existing = getProjects(tree).get(name);
  if (existing) {
    throw new Error(
      `A project named "${name}" already exists at ${existing.root}: pick another name ` +
        `or edit ${existing.root} directly`,
    );
  }
  return name;
}
