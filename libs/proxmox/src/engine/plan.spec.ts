import { orderChanges } from './apply';
import { formatPlan, summarize, type Plan } from './plan';
import type { Change, ResourceKind } from '../resources/types';

const ch = (kind: ResourceKind, id: string, action: Change['action'], fields: Change['fields'] = []): Change => ({ kind, id, action, fields });

describe('dependency order', () => {
  it('runs storage → GPU mapping → bridges → firewall → templates → VMs, deletions last in reverse', () => {
    const shuffled = [
      ch('vm', 'vm 100', 'create'),
      ch('bridge', 'bridge vmbr1', 'create'),
      ch('vm', 'vm 300', 'delete'),
      ch('template', 'template 9000', 'create'),
      ch('storage', 'storage tank', 'create'),
      ch('firewall', 'security group dmz', 'create'),
      ch('bridge', 'bridge vmbr9', 'delete'),
      ch('pci-mapping', 'pci mapping rtx3090', 'create'),
      ch('storage', 'storage local', 'unchanged'),
      ch('template', 'template 8000', 'delete'),
    ];
    expect(orderChanges(shuffled).map((c) => c.id)).toEqual([
      'storage tank',
      'pci mapping rtx3090',
      'bridge vmbr1',
      'security group dmz',
      'template 9000',
      'vm 100',
      'vm 300',
      'template 8000',
      'bridge vmbr9',
    ]);
  });
});

describe('plan output', () => {
  const plan: Plan = {
    node: 'pve',
    kinds: ['storage', 'bridge', 'vm'],
    changes: [
      ch('storage', 'storage tank', 'create', [{ field: 'zfs pool', to: 'tank (single) on /dev/sdb' }]),
      ch('bridge', 'bridge vmbr0', 'unchanged'),
      { ...ch('vm', 'vm 110 (banker)', 'update', [{ field: 'memory', from: 2048, to: 4096 }]), notes: ['a note'] },
      ch('vm', 'vm 300 (old)', 'delete', [{ field: 'status', from: 'running' }]),
    ],
  };

  it('shows each resource with its action and changed fields, then the summary line', () => {
    expect(formatPlan(plan, 'infra/genesis.yaml').split('\n')).toEqual([
      'Plan for node pve from infra/genesis.yaml (storage, bridge, vm):',
      '  + storage tank: create',
      '      zfs pool: tank (single) on /dev/sdb',
      '  = bridge vmbr0',
      '  ~ vm 110 (banker): update',
      '      memory: 2048 → 4096',
      '      note: a note',
      '  - vm 300 (old): delete',
      '      status: running',
      'Plan: 1 to create, 1 to update, 1 to delete, 1 unchanged.',
    ]);
    expect(summarize(plan)).toEqual({ create: 1, update: 1, delete: 1, unchanged: 1 });
  });

  it('says "No changes" when everything is unchanged', () => {
    const converged: Plan = { ...plan, changes: [ch('bridge', 'bridge vmbr0', 'unchanged')] };
    expect(formatPlan(converged, 'f').split('\n').slice(-2)).toEqual([
      'Plan: 0 to create, 0 to update, 0 to delete, 1 unchanged.',
      'No changes: the host matches the desired state.',
    ]);
  });
});
