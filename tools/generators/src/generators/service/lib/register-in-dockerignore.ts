// Kept in step: the root .dockerignore lets the service's bundle (dist/<root>/) into the build
// context that its Dockerfile copies from; every other path stays excluded.
import type { Tree } from '@nx/devkit';
import { addDockerignoreEntry } from '../../../utils/dockerignore';
import { listServices } from '../../../utils/services';
import type { NormalizedService } from './normalize-options';

export function registerInDockerignore(tree: Tree, service: NormalizedService): void {
  addDockerignoreEntry(
    tree,
    service.root,
    listServices(tree).map((s) => s.root),
  );
}
