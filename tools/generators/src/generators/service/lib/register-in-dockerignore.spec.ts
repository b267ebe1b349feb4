import { initializedWorkspace } from '../../../testing/tree';
import { addServiceProject } from './add-service-project';
import { normalizeServiceOptions } from './normalize-options';
import { registerInDockerignore } from './register-in-dockerignore';

describe('registerInDockerignore', () => {
  it("lets the new service's bundle into the build context once, after the others", async () => {
    const tree = await initializedWorkspace();
    const service = normalizeServiceOptions(tree, 'trader');
    await addServiceProject(tree, service);
    registerInDockerignore(tree, service);
    registerInDockerignore(tree, service);
    const lines = (tree.read('.dockerignore', 'utf-8') ?? '').split('\n');
    expect(lines.filter((line) => line.startsWith('!'))).toEqual([
      '!dist/apps/core/',
      '!dist/apps/banker/',
      '!dist/apps/exporters/',
      '!dist/apps/trader/',
    ]);
    expect(lines.indexOf('!dist/apps/trader/')).toBeLessThan(lines.indexOf('**/*.map'));
  });

  it('recreates a deleted .dockerignore with every service, not only the new one', async () => {
    const tree = await initializedWorkspace();
    tree.delete('.dockerignore');
    const service = normalizeServiceOptions(tree, 'trader');
    await addServiceProject(tree, service);
    registerInDockerignore(tree, service);
    expect(tree.read('.dockerignore', 'utf-8')).toContain(
      '\n*\n!dist/apps/banker/\n!dist/apps/core/\n!dist/apps/exporters/\n!dist/apps/trader/\n**/*.map\n',
    );
  });
});
