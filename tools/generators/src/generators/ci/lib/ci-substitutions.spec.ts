import { ciSubstitutions } from './ci-substitutions';

describe('ciSubstitutions', () => {
  it('pins the actions and tests on every Node.js major the engines range promises', () => {
    const substitutions = ciSubstitutions();
    expect(substitutions.actions.nxSetShas).toBe('nrwl/nx-set-shas@v4');
    expect(substitutions.nodeVersion).toBe('20');
    expect(substitutions.nodeVersions).toEqual(['20', '22', '24']);
  });
});
