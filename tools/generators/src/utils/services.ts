// Which projects are services: application projects with a Dockerfile at their root. The
// build-images matrix and the compose/Prometheus registrations are derived from this list.
import { getProjects, joinPathFragments } from '@nx/devkit';
import type { Tree } from '@nx/devkit';

export interface ServiceProject {
  name: string;
  root: string;
  dockerfile: string;
}

export function listServices(tree: Tree): ServiceProject[] {
  const services: ServiceProject[] = [];
  for (const [name, project] of getProjects(tree)) {
    const dockerfile = joinPathFragments(project.root, 'Dockerfile');
    if (project.projectType === 'application' && tree.exists(dockerfile)) {
      services.push({ name, root: project.root, dockerfile });
    }
  }
  return services.sort((a, b) => a.name.localeCompare(b.name));
}
