import { LocalHostChannel, SshHostChannel } from '@genesis/host-channel';
import { clusterHostChannelsFromEnv } from './connections';
import type { DesiredSpec } from '../state/schema';

// Each node's host channel: the single-node settings (GENESIS_HOST=local, PVE_SSH, PVE_SSH_PORT) keyed by node name.
const spec = { nodes: [{ name: 'pve1' }, { name: 'pve2' }, { name: 'pve-3' }] } as unknown as DesiredSpec;

describe('clusterHostChannelsFromEnv', () => {
  it('gives each node its own channel: local, ssh (with its own port or the shared one), or none', () => {
    const hosts = clusterHostChannelsFromEnv(spec, { GENESIS_HOST_PVE1: 'local', PVE_SSH_PVE_3: 'root@192.168.1.13', PVE_SSH_PORT: '2222' });
    expect(hosts.get('pve1')).toBeInstanceOf(LocalHostChannel);
    expect(hosts.has('pve2')).toBe(false);
    expect(hosts.get('pve-3')).toBeInstanceOf(SshHostChannel);
    expect(hosts.get('pve-3')?.description).toContain('root@192.168.1.13');
  });

  it('names the variable of a port that is not one', () => {
    expect(() => clusterHostChannelsFromEnv(spec, { PVE_SSH_PVE2: 'root@192.168.1.12', PVE_SSH_PORT_PVE2: 'ssh' })).toThrow('PVE_SSH_PORT_PVE2=ssh is not a TCP port; set it to a number such as 22');
  });
});
