// The build-images matrix is derived from the services in the workspace, so registering a
// service in CI is re-rendering the owned workflow once its Dockerfile is in the tree.
import type { Tree } from '@nx/devkit';
import { writeOwnedFiles } from '../../ci/lib/write-owned-files';

export function registerInCi(tree: Tree): void {
  writeOwnedFiles(tree);
}
