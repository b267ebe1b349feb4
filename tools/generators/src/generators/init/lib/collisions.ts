// Before init writes anything: a project of the user's that holds a name init uses for something
// else (a library `core` where init registers the service `core`) is refused, with the reason.
import { getProjects, joinPathFragments } from '@nx/devkit';
import type { Tree } from '@nx/devkit';
import { initialServices } from './layout';

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
  const infra = projects.get('infra');
  if (infra && infra.root !== 'infra') {
    problems.push(`"infra" is your project at ${infra.root}, but init's infra project lives at infra/`);
  }
  if (problems.length > 0) {
    throw new Error(
      `Cannot run init here: ${problems.join('; ')}. Rename your project ` +
        '(`nx g @nx/workspace:move --projectName <name> --newProjectName <other> --destination <dir>`) ' +
        'and run init again; nothing was written.',
    );
  }
}
