import { featureProblems, parseRelease, qemuOf, releaseProblems } from './release';
import { genesisState } from '../testing/desired-state';

const v = (version: string, release: string) => ({ version, release, repoid: '0123456789abcdef' });

describe('host release', () => {
  it('reads version and release as pve-manager /version answers them', () => {
    expect(parseRelease(v('9.1.3', '9.1'))).toEqual({ version: '9.1.3', major: 9, minor: 1 });
    expect(parseRelease(v('8.4.2', '8.4'))).toEqual({ version: '8.4.2', major: 8, minor: 4 });
    const qemu = (version: string, release: string) => qemuOf({ version, major: Number(release[0]), minor: Number(release[2]) });
    expect(qemu('8.4.2', '8.4')).toEqual([9, 2]);
    expect(qemu('9.0.6', '9.0')).toEqual([10, 0]);
    expect(qemu('9.2.1', '9.2')).toEqual([10, 1]);
  });

  it('supports 8.4 and 9.x; refuses older releases with the minimum, the reason and the fix', () => {
    expect(releaseProblems(v('8.4.2', '8.4'))).toEqual([]);
    expect(releaseProblems(v('9.1.3', '9.1'))).toEqual([]);
    const [problem] = releaseProblems(v('8.3.5', '8.3'));
    expect(problem).toMatch(/^the host runs Proxmox VE 8\.3\.5; Genesis needs 8\.4 or newer \(cloud images go into 'import' storage content .*\)\. Fix: upgrade the host/);
    expect(releaseProblems(v('7.4.17', '7.4'))).toHaveLength(1);
    expect(releaseProblems({ version: 'x', release: 'y', repoid: '' })[0]).toMatch(/not a Proxmox VE release Genesis can read/);
  });

  it("names the field, the release and the fix for a machine version newer than the host's QEMU", () => {
    const state = genesisState();
    state.templates[1].machine = 'pc-q35-10.1';
    expect(featureProblems(state, v('9.1.3', '9.1'))).toEqual([]);
    expect(featureProblems(state, v('8.4.2', '8.4'))).toEqual([
      expect.stringMatching(/genesis\.yaml: templates\[1\]\.machine: pc-q35-10\.1 needs QEMU 10\.1, and Proxmox VE 8\.4\.2 ships QEMU 9\.2\. Fix: write machine: q35/),
    ]);
  });
});
