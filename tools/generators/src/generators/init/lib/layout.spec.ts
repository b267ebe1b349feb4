import { wellKnownPorts } from '../../../utils/ports';
import { initialServices } from './layout';

describe('init layout', () => {
  it('gives every initial service an agreed port', () => {
    for (const service of initialServices) expect(wellKnownPorts[service]).toBeGreaterThan(0);
  });
});
