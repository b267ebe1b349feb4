import { emptyWorkspace } from '../testing/tree';
import { portForService, portVariable, readPortRegistry } from './ports';

describe('ports', () => {
  it('names the variable after the service', () => {
    expect(portVariable('risk-engine')).toBe('RISK_ENGINE_HOST_PORT');
  });

  it('prefers the recorded port, then the agreed one, then the first free one from 3003', () => {
    const tree = emptyWorkspace();
    tree.write('infra/compose/.env.example', 'CORE_HOST_PORT=4001\nTRADER_HOST_PORT=3003\n# X_HOST_PORT=3004\n');
    expect(readPortRegistry(tree)).toEqual(
      new Map([
        ['CORE_HOST_PORT', 4001],
        ['TRADER_HOST_PORT', 3003],
      ]),
    );
    expect(portForService(tree, 'core')).toBe(4001);
    expect(portForService(tree, 'banker')).toBe(3002);
    expect(portForService(tree, 'risk')).toBe(3004);
  });

  it('says where to look when the range is exhausted', () => {
    const tree = emptyWorkspace();
    const lines = Array.from({ length: 97 }, (_, i) => `S${i}_HOST_PORT=${3003 + i}`);
    tree.write('infra/compose/.env.example', lines.join('\n'));
    expect(() => portForService(tree, 'late')).toThrow(
      /infra\/compose\/.env.example: every port from 3003 to 3099 is taken/,
    );
  });
});
