import { parse } from 'yaml';
import { initializedWorkspace } from '../../../testing/tree';
import { addServiceProject } from './add-service-project';
import { normalizeServiceOptions } from './normalize-options';
import { registerInCi } from './register-in-ci';

describe('registerInCi', () => {
  it('puts a service with a Dockerfile into the build-images matrix', async () => {
    const tree = await initializedWorkspace();
    addServiceProject(tree, normalizeServiceOptions(tree, 'trader'));
    registerInCi(tree);
    const matrix = parse(tree.read('.github/workflows/build-images.yaml', 'utf-8')!).jobs.image.strategy
      .matrix;
    expect(matrix.include.map((entry: { service: string }) => entry.service)).toEqual([
      'banker',
      'core',
      'exporters',
      'trader',
    ]);
  });
});
