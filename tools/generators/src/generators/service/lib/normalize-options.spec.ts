import { initializedWorkspace } from '../../../testing/tree';
import { normalizeServiceOptions } from './normalize-options';

describe('normalizeServiceOptions', () => {
  it('places a new service under apps/ with the next free port', async () => {
    const tree = await initializedWorkspace();
    expect(normalizeServiceOptions(tree, 'trader')).toEqual({
      name: 'trader',
      root: 'apps/trader',
      offset: '../../',
      port: 3003,
      portVariable: 'TRADER_HOST_PORT',
      existing: false,
    });
  });

  it('accepts an existing project only when init asks, keeping its recorded port', async () => {
    const tree = await initializedWorkspace();
    expect(() => normalizeServiceOptions(tree, 'banker')).toThrow(/already exists/);
    expect(normalizeServiceOptions(tree, 'banker', { allowExisting: true })).toMatchObject({
      port: 3002,
      existing: true,
    });
  });

  it('refuses a folder that is in the way', async () => {
    const tree = await initializedWorkspace();
    tree.write('apps/trader/notes.txt', 'mine');
    expect(() => normalizeServiceOptions(tree, 'trader')).toThrow(
      /apps\/trader already exists but is not an Nx project/,
    );
  });
});
