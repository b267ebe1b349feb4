// Before init writes anything: a project of the user's that holds a name init uses for something
// else (a library `core` where init registers the service `core`) is refused, with the reason.
import { getProjects, joinPathFragments } from '@nx/devkit';
import type { Tree } from '@nx/devkit';
import { initialServices } from './layout';

/** The projects the infra generator makes, by the folder each lives in. */
const infraProjectRoots: Record<string, string> = { infra: 'infra', compose: 'infra/compose' };

export function assertNoCollisions(tree: Tree): void {
  const projects = getProjects(tree);
  const problems: string[] = [];
  for (const name of initialServices) {
    const project = projects.get(name);
    if (!project) continue;
    const dockerfile = joinPathFragments(project.root, 'Dockerfile');
    if (project.projectType !== 'application' || !tree.exists(dockerfile)) {
      problems.push(
        `"${name}" is your ${project.projectType ?? 'project'} at ${project.root}, but init registers a service ` +
          `named "${name}" (an application with ${dockerfile}) in compose, CI and Prometheus`,
      );
    }
  }
  for (const [name, root] of Object.entries(infraProjectRoots)) {
    const project = projects.get(name);
    if (project && project.root !== root) {
      problems.push(`"${name}" is your project at ${project.root}, but init's ${name} project lives at ${root}/`);
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `Cannot run init here: ${problems.join('; ')}. Rename your project ` +
        '(`nx g @nx/workspace:move --projectName <name> --newProjectName <other> --destination <dir>`) ' +
        'and run init again; nothing was written.',
    );
  }
}
