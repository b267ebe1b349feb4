import { startTestSimulator } from '../server/testing';

type Sim = Awaited<ReturnType<typeof startTestSimulator>>;

describe('firewall', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startTestSimulator();
    await sim.clients.root.task('POST', '/nodes/pve/qemu', { vmid: 100, name: 'brain' });
  });
  afterAll(() => sim.stop());

  it('sets cluster options with digest and delete', async () => {
    const before = await sim.clients.root.get('/cluster/firewall/options');
    await sim.clients.root.put('/cluster/firewall/options', { enable: 1, policy_in: 'DROP', policy_out: 'ACCEPT', digest: before.digest });
    const after = await sim.clients.root.get('/cluster/firewall/options');
    expect(after).toMatchObject({ enable: 1, policy_in: 'DROP', policy_out: 'ACCEPT' });
    const stale = await sim.clients.root.raw('PUT', '/cluster/firewall/options', { enable: 0, digest: before.digest });
    expect(stale.body.message).toMatch(/detected modified configuration/);
    await sim.clients.root.put('/cluster/firewall/options', { delete: 'policy_out' });
    expect((await sim.clients.root.get('/cluster/firewall/options')).policy_out).toBeUndefined();
  });

  it('puts new rules on top, disabled unless enabled, and moves them with moveto', async () => {
    await sim.clients.root.post('/cluster/firewall/rules', { type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '22', comment: 'ssh' });
    await sim.clients.root.post('/cluster/firewall/rules', { type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '8006', enable: 1, comment: 'gui' });
    let rules = await sim.clients.root.get('/cluster/firewall/rules');
    expect(rules.map((r: { comment: string; pos: number; enable: number }) => [r.pos, r.comment, r.enable])).toEqual([[0, 'gui', 1], [1, 'ssh', 0]]);
    await sim.clients.root.put('/cluster/firewall/rules/1', { moveto: 0 });
    rules = await sim.clients.root.get('/cluster/firewall/rules');
    expect(rules.map((r: { comment: string }) => r.comment)).toEqual(['ssh', 'gui']);
    await sim.clients.root.put('/cluster/firewall/rules/0', { enable: 1, digest: rules[0].digest });
    expect((await sim.clients.root.get('/cluster/firewall/rules/0')).enable).toBe(1);
    await sim.clients.root.delete('/cluster/firewall/rules/1');
    expect(await sim.clients.root.get('/cluster/firewall/rules')).toHaveLength(1);
    const ports = await sim.clients.root.raw('POST', '/cluster/firewall/rules', { type: 'in', action: 'ACCEPT', dport: '80' });
    expect(ports.status).toBe(400);
  });

  it('manages security groups, refusing to delete a non-empty one, and references them from VM rules', async () => {
    await sim.clients.root.post('/cluster/firewall/groups', { group: 'dmz-isolate', comment: 'DMZ cannot reach intranet' });
    await sim.clients.root.post('/cluster/firewall/groups/dmz-isolate', { type: 'out', action: 'DROP', dest: '10.0.1.0/24', enable: 1 });
    const notEmpty = await sim.clients.root.raw('DELETE', '/cluster/firewall/groups/dmz-isolate');
    expect(notEmpty.body.message).toBe("Security group 'dmz-isolate' is not empty");
    // verify_rule checks a group rule's name for its characters only, not that the group exists.
    const missing = await sim.clients.root.raw('POST', '/nodes/pve/qemu/100/firewall/rules', { type: 'group', action: 'nope' });
    expect(missing.status).toBe(200);
    await sim.clients.root.delete('/nodes/pve/qemu/100/firewall/rules/0');
    await sim.clients.root.post('/nodes/pve/qemu/100/firewall/rules', { type: 'group', action: 'dmz-isolate', enable: 1 });
    expect(await sim.clients.root.get('/nodes/pve/qemu/100/firewall/rules')).toEqual([expect.objectContaining({ type: 'group', action: 'dmz-isolate', pos: 0 })]);
    await sim.clients.root.put('/nodes/pve/qemu/100/firewall/options', { enable: 1, policy_in: 'DROP' });
    expect(await sim.clients.root.get('/nodes/pve/qemu/100/firewall/options')).toMatchObject({ enable: 1, policy_in: 'DROP' });
    await sim.clients.root.put('/nodes/pve/firewall/options', { enable: 1 });
    expect((await sim.clients.root.get('/nodes/pve/firewall/options')).enable).toBe(1);
  });

  it('manages IP sets and aliases', async () => {
    await sim.clients.root.post('/cluster/firewall/ipset', { name: 'intranet', comment: 'vmbr1' });
    await sim.clients.root.post('/cluster/firewall/ipset/intranet', { cidr: '10.0.1.0/24' });
    expect(await sim.clients.root.get('/cluster/firewall/ipset/intranet')).toEqual([expect.objectContaining({ cidr: '10.0.1.0/24' })]);
    expect(await sim.clients.root.get(`/cluster/firewall/ipset/intranet/${encodeURIComponent('10.0.1.0/24')}`)).toMatchObject({ cidr: '10.0.1.0/24' });
    await sim.clients.root.post('/cluster/firewall/aliases', { name: 'brain', cidr: '10.0.1.10' });
    await sim.clients.root.post('/cluster/firewall/rules', { type: 'in', action: 'ACCEPT', source: '+intranet', dest: 'brain', macro: 'SSH' });
    const rules = await sim.clients.root.get('/cluster/firewall/rules');
    expect(rules[0]).toMatchObject({ source: '+intranet', dest: 'brain', macro: 'SSH' });
  });
});
