// The root .dockerignore: the build context is the repository root, but every service image copies
// only its prebuilt bundle, so the file excludes everything (`*`) and re-includes one
// `!dist/<root>/` line per service. Created once (init), then kept in step by `service`.
import type { Tree } from '@nx/devkit';
import { bundleDir, dockerignorePath } from './paths';

const header =
  '# Docker build context = the repository root. Every Dockerfile copies only a prebuilt bundle\n' +
  '# from dist/apps/<name>, so everything else stays out (small, fast, no secrets or sources).\n';

/** The line that lets a service's bundle into the build context. */
export const dockerignoreEntry = (projectRoot: string) => `!${bundleDir(projectRoot)}/`;

/** The created-once file: exclude all, re-include each service's bundle, then drop source maps. */
export function dockerignoreContent(projectRoots: readonly string[]): string {
  return [header + '*', ...projectRoots.map(dockerignoreEntry), '**/*.map', ''].join('\n');
}

/** `!dist/apps/x/`, `!dist/apps/x`, `!/dist/apps/x/**` all re-include the same folder. */
function reincludes(line: string, projectRoot: string): boolean {
  const trimmed = line.trim();
  if (!trimmed.startsWith('!')) return false;
  const pattern = trimmed
    .slice(1)
    .replace(/^\.?\//, '')
    .replace(/\/\*\*$/, '')
    .replace(/\/$/, '');
  return pattern === bundleDir(projectRoot);
}

/**
 * Kept in step: adds the service's `!dist/<root>/` line if missing, right after the last
 * `!dist/` line (or the `*` line), so later exclusions such as `**\/*.map` still apply to it;
 * dockerignore rules are read in order and the last match wins. Creates the file when absent,
 * with every service given, so no other service's bundle is shut out of the context.
 */
export function addDockerignoreEntry(
  tree: Tree,
  projectRoot: string,
  allServiceRoots: readonly string[],
): void {
  const text = tree.read(dockerignorePath, 'utf-8');
  if (text === null) {
    const roots = allServiceRoots.includes(projectRoot) ? allServiceRoots : [...allServiceRoots, projectRoot];
    tree.write(dockerignorePath, dockerignoreContent(roots));
    return;
  }
  const lines = text.split('\n');
  if (lines.some((line) => reincludes(line, projectRoot))) return;
  const lastEntry = lines.findLastIndex((line) => /^!\/?dist\//.test(line.trim()));
  const excludeAll = lines.findIndex((line) => ['*', '/*', '**'].includes(line.trim()));
  const after = lastEntry >= 0 ? lastEntry : excludeAll;
  if (after >= 0) {
    lines.splice(after + 1, 0, dockerignoreEntry(projectRoot));
  } else {
    if (lines.at(-1) === '') lines.pop();
    lines.push(dockerignoreEntry(projectRoot), '');
  }
  tree.write(dockerignorePath, lines.join('\n'));
}
