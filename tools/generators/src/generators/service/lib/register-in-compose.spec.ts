import { parse } from 'yaml';
import { initializedWorkspace } from '../../../testing/tree';
import { normalizeServiceOptions } from './normalize-options';
import { registerInCompose } from './register-in-compose';

describe('registerInCompose', () => {
  it('adds the block to every variant, keeping comments and the other services as they were', async () => {
    const tree = await initializedWorkspace();
    const path = 'infra/compose/docker-compose.dev.yml';
    tree.write(
      path,
      `# my comment\n${tree.read(path, 'utf-8')}  # hand-written\n  grafana-extra:\n    image: x # pinned by hand\n`,
    );
    const before = tree.read(path, 'utf-8')!;
    registerInCompose(tree, normalizeServiceOptions(tree, 'trader'));
    const after = tree.read(path, 'utf-8')!;
    expect(after.startsWith(before)).toBe(true);
    expect(parse(after).services.trader).toEqual({ ports: ['127.0.0.1:${TRADER_HOST_PORT:-3003}:3003'] });
    expect(parse(tree.read('infra/compose/docker-compose.mock.yml', 'utf-8')!).services.trader).toEqual({
      environment: { GENESIS_MODE: 'mock' },
    });
    expect(parse(tree.read('infra/compose/docker-compose.prod.yml', 'utf-8')!).services.trader.restart).toBe(
      'unless-stopped',
    );
  });

  it('never changes a block that is already there', async () => {
    const tree = await initializedWorkspace();
    const path = 'infra/compose/docker-compose.yml';
    const doc = parse(tree.read(path, 'utf-8')!);
    doc.services.core.environment.PORT = '4000';
    const { stringify } = jest.requireActual<typeof import('yaml')>('yaml');
    tree.write(path, stringify(doc));
    registerInCompose(tree, normalizeServiceOptions(tree, 'core', { allowExisting: true }));
    expect(parse(tree.read(path, 'utf-8')!).services.core.environment.PORT).toBe('4000');
  });

  it('fills an empty `services: {}` of a variant as a block mapping', async () => {
    const tree = await initializedWorkspace();
    tree.write('infra/compose/docker-compose.mock.yml', 'services: {}\n');
    registerInCompose(tree, normalizeServiceOptions(tree, 'trader'));
    expect(tree.read('infra/compose/docker-compose.mock.yml', 'utf-8')).toBe(
      'services:\n  trader:\n    environment:\n      GENESIS_MODE: mock\n',
    );
  });
});
