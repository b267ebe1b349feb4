import { diffVms, type VmCurrent, type VmHostState } from './vm';
import { vmConfig } from './vm-config';
import { genesisState } from '../testing/desired-state';

const state = genesisState();

function converged(id: number): VmHostState {
  const spec = state.vms.find((v) => v.id === id)!;
  const config = { ...vmConfig(spec, state), digest: `d${id}` } as Record<string, string | number>;
  config.net0 = String(config.net0).replace('virtio,', 'virtio=BC:24:11:00:00:01,');
  return {
    config,
    firewall: { enable: 1, policy_in: 'DROP', policy_out: 'ACCEPT' },
    rules: [{ pos: 0, type: 'group', action: spec.firewall!.group, enable: 1 }],
  };
}
const all = (): VmCurrent => ({
  vms: state.vms.map((v) => ({ vmid: v.id, name: v.name, status: 'running' })),
  byId: Object.fromEntries(state.vms.map((v) => [v.id, converged(v.id)])),
});

describe('vm diff', () => {
  it('creates every VM as a clone with bridge, static address, GPU mapping and firewall group', () => {
    const changes = diffVms(state, { vms: [], byId: {} }, false);
    expect(changes.map((c) => [c.id, c.action])).toEqual([
      ['vm 100 (brain)', 'create'],
      ['vm 110 (banker)', 'create'],
      ['vm 200 (arena)', 'create'],
    ]);
    const brain = Object.fromEntries(changes[0].fields.map((f) => [f.field, f.to]));
    expect(brain).toMatchObject({
      clone: 'linked clone of 9000 (Template-Ubuntu-AI)',
      net0: 'virtio,bridge=vmbr1,firewall=1',
      ipconfig0: 'ip=10.0.1.100/24,gw=10.0.1.1',
      hostpci0: 'mapping=rtx3090,pcie=1',
      'firewall.rules': 'type=group action=intranet',
    });
    const arena = Object.fromEntries(changes[2].fields.map((f) => [f.field, f.to]));
    expect(arena).toMatchObject({ net0: 'virtio,bridge=vmbr2,firewall=1', ipconfig0: 'ip=10.0.2.200/24,gw=10.0.2.1', 'firewall.rules': 'type=group action=dmz' });
    expect(arena.hostpci0).toBeUndefined();
  });

  it('is unchanged on a converged host (MAC addresses PVE generated do not count)', () => {
    expect(diffVms(state, all(), false).every((c) => c.action === 'unchanged')).toBe(true);
  });

  it('names the changed fields, removes a GPU that is no longer declared, and carries the digest', () => {
    const host = all();
    host.byId[110].config.memory = 2048;
    host.byId[110].config.hostpci0 = 'mapping=rtx3090,pcie=1';
    host.byId[200].rules = [];
    const changes = diffVms(state, host, false);
    expect(changes[1]).toMatchObject({
      action: 'update',
      fields: [
        { field: 'memory', from: 2048, to: 4096 },
        { field: 'hostpci0', from: 'mapping=rtx3090,pcie=1', to: undefined },
      ],
      desired: { set: { memory: 4096 }, remove: ['hostpci0'], digest: 'd110' },
    });
    expect(changes[2].fields).toEqual([{ field: 'firewall.rules', from: undefined, to: 'type=group action=dmz' }]);
  });

  it('deletes an undeclared VM only when --prune names it, never templates', () => {
    const host = all();
    host.vms.push({ vmid: 300, name: 'old', status: 'running' }, { vmid: 9000, status: 'stopped', template: 1 });
    expect(diffVms(state, host, false).some((c) => c.action === 'delete')).toBe(false);
    expect(diffVms(state, host, true).find((c) => c.id === 'vm 300 (old)')).toMatchObject({ action: 'unchanged', notes: [expect.stringContaining('--prune=300 deletes it')] });
    expect(diffVms(state, host, true, { prune: true, pruneNames: ['300'] }).filter((c) => c.action === 'delete').map((c) => c.id)).toEqual(['vm 300 (old)']);
  });
});
