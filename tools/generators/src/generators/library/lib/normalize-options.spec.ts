import { emptyWorkspace } from '../../../testing/tree';
import { normalizeLibraryOptions } from './normalize-options';

describe('normalizeLibraryOptions', () => {
  it('derives the root, the identifier and the description', () => {
    expect(normalizeLibraryOptions(emptyWorkspace(), 'gpu')).toMatchObject({
      root: 'libs/gpu',
      offset: '../../',
      propertyName: 'gpu',
      description: expect.stringContaining('nvidia-smi'),
    });
  });

  it('rejects a name that is not kebab-case', () => {
    expect(() => normalizeLibraryOptions(emptyWorkspace(), 'MarketData')).toThrow(/use kebab-case/);
  });
});
