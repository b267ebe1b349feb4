import { addProjectConfiguration } from '@nx/devkit';
import { emptyWorkspace } from '../testing/tree';
import { validateProjectName } from './names';

describe('validateProjectName', () => {
  it.each(['trader', 'risk-engine', 'a1', 'x-2'])('accepts %s', (name) => {
    expect(validateProjectName(emptyWorkspace(), name, 'service')).toBe(name);
  });

  it.each(['Trader', 'risk_engine', '-x', 'x-', 'a--b', '9lives', 'a'.repeat(41)])('rejects %s', (name) => {
    expect(() => validateProjectName(emptyWorkspace(), name, 'service')).toThrow(/use kebab-case/);
  });

  it('rejects reserved and taken names, naming the fix', () => {
    const tree = emptyWorkspace();
    addProjectConfiguration(tree, 'trader', { root: 'apps/trader' });
    expect(() => validateProjectName(tree, 'grafana', 'service')).toThrow(/reserved/);
    expect(() => validateProjectName(tree, 'trader', 'library')).toThrow(
      'A project named "trader" already exists at apps/trader: pick another name or edit apps/trader directly',
    );
  });
});
