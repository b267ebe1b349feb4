import { emptyWorkspace, snapshotTree } from '../../testing/tree';
import { initGenerator } from '../init/generator';
import { presetGenerator } from './generator';

describe('preset', () => {
  it('makes the same workspace as init, ignoring the options create-nx-workspace passes', async () => {
    const viaPreset = emptyWorkspace();
    await presetGenerator(viaPreset, { name: 'hive', skipFormat: true, skipInstall: true });
    const viaInit = emptyWorkspace();
    await initGenerator(viaInit, { skipFormat: true, skipInstall: true });
    expect(snapshotTree(viaPreset)).toEqual(snapshotTree(viaInit));
    expect(viaPreset.exists('infra/genesis.yaml')).toBe(true);
  });
});
