// The infra project and the stack around it, created once: a file that exists is the user's.
import { join } from 'node:path';
import type { Tree } from '@nx/devkit';
import { composeVariants } from '../../../utils/paths';
import { wellKnownPorts } from '../../../utils/ports';
import { renderTemplates } from '../../../utils/templates';
import { baseImage, grafanaImage, prometheusImage } from '../../../utils/versions';

export function addInfraFiles(tree: Tree): void {
  renderTemplates(
    tree,
    join(__dirname, '..', 'files'),
    '.',
    { ports: wellKnownPorts, composeVariants, baseImage, grafanaImage, prometheusImage },
    'createOnce',
  );
}
