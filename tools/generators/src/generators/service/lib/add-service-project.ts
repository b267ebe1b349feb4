// The app project itself (created once): package.json, project.json, fastify app with health
// endpoints and a spec, Dockerfile.
import { join } from 'node:path';
import type { Tree } from '@nx/devkit';
import { renderTemplates } from '../../../utils/templates';
import * as versions from '../../../utils/versions';
import type { NormalizedService } from './normalize-options';

export function addServiceProject(tree: Tree, service: NormalizedService): void {
  if (service.existing) return;
  renderTemplates(
    tree,
    join(__dirname, '..', 'files'),
    service.root,
    {
      ...service,
      versions,
      baseImage: versions.baseImage,
      nodeVersion: versions.nodeVersion,
    },
    'createOnce',
  );
}
