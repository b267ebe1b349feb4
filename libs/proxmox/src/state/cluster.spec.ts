import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterYaml } from '../testing/sim-cluster';
import { genesisState, REPO_ROOT } from '../testing/desired-state';
import { projectNode } from './cluster';
import { DesiredStateError, loadDesiredState } from './load';

const NODES = [
  { name: 'pve1', port: 8006, address: '192.168.1.11' },
  { name: 'pve2', port: 8007, address: '192.168.1.12' },
  { name: 'pve3', port: 8008, address: '192.168.1.13' },
];

describe('a cluster in genesis.yaml', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'genesis-cluster-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const load = (text: string) => {
    writeFileSync(join(dir, 'genesis.yaml'), text);
    return loadDesiredState(join(dir, 'genesis.yaml'), {}, dir);
  };
  const problems = (text: string) => {
    try {
      load(text);
    } catch (e) {
      if (e instanceof DesiredStateError) return e.problems.map((p) => `${p.line}: ${p.path}: ${p.message}`);
      throw e;
    }
    return [];
  };

  it('loads: node and endpoint are the first node, each node projects to its own single-node file', () => {
    const state = load(clusterYaml(NODES));
    expect([state.node, state.endpoint, state.cluster?.name, state.nodes?.map((n) => n.name)]).toEqual(['pve1', { host: '127.0.0.1', port: 8006 }, 'hive', ['pve1', 'pve2', 'pve3']]);
    const pve1 = projectNode(state, 'pve1').spec;
    expect([pve1.gpus.map((g) => g.mapping), pve1.templates.map((t) => t.id), pve1.vms.map((v) => v.id), pve1.bridges[0].cidr]).toEqual([['rtx3090'], [9000], [100], '192.168.1.11/24']);
    const pve2 = projectNode(state, 'pve2').spec;
    expect([pve2.gpus, pve2.templates.map((t) => t.id), pve2.vms.map((v) => v.id), pve2.endpoint.port]).toEqual([[], [9001], [110], 8007]);
    // An HA VM the HA manager moved is planned where it runs.
    expect(projectNode(state, 'pve3', new Map([[110, 'pve3']])).spec.vms.map((v) => v.id)).toEqual([110]);
    // Cluster-wide rules resolve @vmbr0 from the first node's bridge.
    expect(state.firewall.rules[0].source).toBe('192.168.1.0/24');
  });

  it('the example infra/cluster/genesis.yaml loads: Banker HA on pve2 then pve3, Brain pinned to pve1 with the GPU', () => {
    const state = loadDesiredState(join(REPO_ROOT, 'infra/cluster/genesis.yaml'), {}, REPO_ROOT);
    expect(state.vms.map((v) => [v.id, v.node, v.gpu ?? null, v.ha?.nodes ?? null, v.replicate ?? null])).toEqual([
      [100, 'pve1', 'rtx3090', null, null],
      [110, 'pve2', null, ['pve2', 'pve3'], { to: ['pve3'], schedule: '*/15' }],
    ]);
    expect(state.firewall.rules[2]).toMatchObject({ source: '192.168.1.0/24', dport: '5405:5412' });
  });

  it('replicate: refuses, with line and field, what PVE would refuse (pve-manager PVE/API2/ReplicationConfig.pm create, PVE/CLI/pvesr.pm $replicatable_storage_types, $check_wanted_volid) and an HA VM on a local pool without a copy where HA may start it', () => {
    const base = clusterYaml(NODES);
    expect(base).toContain('ha: { nodes: [pve2, pve3] }, replicate: { to: [pve3] }');
    expect(load(base).vms[1].replicate).toEqual({ to: ['pve3'], schedule: '*/15' });
    expect(problems(base.replace('replicate: { to: [pve3] }', "replicate: { to: [pve2, pve9, pve3, pve3], schedule: '*/5', rate: 0 }"))).toEqual([
      expect.stringMatching(/: vms\[1\]\.replicate\.rate: 0 is below 1; PVE takes a rate limit of at least 1 MB\/s/),
    ]);
    expect(problems(base.replace('replicate: { to: [pve3] }', "replicate: { to: [pve2, pve9, pve3, pve3], schedule: '*/5' }"))).toEqual([
      expect.stringMatching(/: vms\[1\]\.replicate\.to\[0\]: pve2 is VM 110's own node \(PVE: "Source and target must not be identical"\)/),
      expect.stringMatching(/: vms\[1\]\.replicate\.to\[1\]: node "pve9" is not declared under nodes:/),
      expect.stringMatching(/: vms\[1\]\.replicate\.to\[3\]: pve3 is named twice; PVE keeps one replication job per guest and target/),
    ]);
    // HA on a local pool without a copy on pve3: the recovery would fail (pve-ha-manager Manager.pm next_state_started).
    expect(problems(base.replace(', replicate: { to: [pve3] }', ''))).toEqual([
      expect.stringMatching(/: vms\[1\]\.ha: VM 110's disks are on tank, a ZFS pool of pve2 only: HA cannot start it on pve3 when pve2 fails .*add replicate: \{ to: \[pve3\] \}.*or list only pve2 under ha\.nodes/),
    ]);
    // The target must have the storage; only ZFS pools replicate.
    const noTankOnPve3 = base.replace(/(- name: pve3[\s\S]*?storage:\n) {6}- \{ id: tank[^\n]*\n/, '$1');
    expect(problems(noTankOnPve3)).toEqual([expect.stringMatching(/: vms\[1\]\.replicate\.to\[0\]: node pve3 has no storage "tank": .*storage 'tank' is not available on node 'pve3'.*declare tank under nodes\[2\]\.storage/)]);
    const onDir = base.replace('id: 9001, name: tpl-pve2, node: pve2, ostype: l26, bridge: vmbr1, disk: { storage: tank', 'id: 9001, name: tpl-pve2, node: pve2, ostype: l26, bridge: vmbr1, disk: { storage: local');
    expect(problems(onDir)).toEqual(expect.arrayContaining([expect.stringMatching(/: vms\[1\]\.replicate: VM 110's disks are on local, a dir storage; PVE replicates only ZFS pools \(missing replicate feature on volume 'local:vm-110-disk-0'\)/)]));
    expect(problems(base.replace("replicate: { to: [pve3] }", "replicate: { to: [pve3], schedule: 'every {15}' }"))).toEqual([expect.stringMatching(/: vms\[1\]\.replicate\.schedule: "every \{15\}" is not a calendar event/)]);
  });

  it("replicate.schedule: PVE's calendar events are taken (pvesr docs, pve-common test/calendar_event_test.pl), others refused at their line with the reason and the fix (pve-common PVE/CalendarEvent.pm parse_calendar_event)", () => {
    const base = clusterYaml(NODES);
    const line = base.split('\n').findIndex((l) => l.includes('replicate: { to: [pve3] }')) + 1;
    const withSchedule = (schedule: string) => base.replace('replicate: { to: [pve3] }', `replicate: { to: [pve3], schedule: '${schedule}' }`);
    for (const schedule of ['*/15', 'mon..fri 22:30', 'sat 8:00', 'daily', 'hourly', '*/5', '2,22:30', 'sun 01:00 UTC']) expect(load(withSchedule(schedule)).vms[1].replicate?.schedule).toBe(schedule);
    // No hour 25, so PVE reads 25:61 as minutes:seconds (calendar_event.rs parse_time_spec: [H:]M[:S]), and 61 is no second.
    expect(problems(withSchedule('mon..fri 25:61'))).toEqual([
      `${line}: vms[1].replicate.schedule: "mon..fri 25:61" is not a calendar event PVE parses (second 61 is out of range (below 60)); write a calendar event such as '*/15' (every 15 minutes), 'hourly', 'daily', 'mon..fri 22:30' or 'sat 8:00'`,
    ]);
    expect(problems(withSchedule('every 15 minutes'))).toEqual([expect.stringMatching(new RegExp(`^${line}: vms\\[1\\]\\.replicate\\.schedule: "every 15 minutes" is not a calendar event PVE parses \\('every' is not a weekday`))]);
    expect(problems(withSchedule('*/61'))).toEqual([expect.stringMatching(/: vms\[1\]\.replicate\.schedule: "\*\/61" is not a calendar event PVE parses \(minute repetition 61 is out of range/)]);
    expect(problems(withSchedule('Daily at 8'))).toEqual([expect.stringMatching(/"Daily at 8" is not a calendar event PVE parses \('Daily' is not a weekday/)]);
  });

  it('the single-node infra/genesis.yaml stays valid as it is', () => {
    const state = genesisState();
    expect([state.nodes, state.cluster, state.node]).toEqual([undefined, undefined, 'pve']);
  });

  it('refuses, with line and field: HA on the GPU VM, an unknown node, a template on another node, a link outside its network, top-level bridges, duplicate ids', () => {
    const text = clusterYaml(NODES)
      .replace('firewall: { group: intranet } }\n  - { id: 110', 'firewall: { group: intranet }, ha: { nodes: [pve2] } }\n  - { id: 110')
      .replace('node: pve2, template: 9001', 'node: pve2, template: 9000')
      .replace('links: [192.168.1.13]', 'links: [10.9.9.9]')
      .replace('ha: { nodes: [pve2, pve3] }', 'ha: { nodes: [pve2, pve7] }')
      .replace('id: 9001,', 'id: 100,')
      .replace('firewall:\n  enable: true', 'bridges: [{ name: vmbr5 }]\nfirewall:\n  enable: true');
    const found = problems(text);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/: nodes\[2\]\.links: address 10\.9\.9\.9 is not in link0's network 192\.168\.1\.0\/24/),
        expect.stringMatching(/: bridges: is per node in a cluster file; move it under nodes\[N\]\.bridges/),
        expect.stringMatching(/: templates\[1\]\.id: VM id 100 is already used by|: vms\[0\]\.id: VM id 100 is already used by/),
        expect.stringMatching(/: vms\[0\]\.ha: VM 100 passes through GPU rtx3090, which cannot move to another node; remove ha/),
        expect.stringMatching(/: vms\[1\]\.template: template 9000 is on node pve1 but VM 110 on pve2/),
        expect.stringMatching(/: vms\[1\]\.ha\.nodes\[1\]: node "pve7" is not declared under nodes: \(pve1, pve2, pve3\)/),
      ]),
    );
    for (const p of found) expect(p).toMatch(/^\d+: /);
  });

  it('refuses a storage id or a PCI mapping declared differently on two nodes: storage.cfg and mapping/pci.cfg are one file for the cluster', () => {
    const text = clusterYaml(NODES, { gpuNodes: 2 })
      .replace(/(name: pve2[\s\S]*?)content: \[iso, vztmpl, backup, import, snippets\]/, '$1content: [iso]')
      .replace(/(name: pve2[\s\S]*?)description: RTX 3090 and its audio/, '$1description: another card');
    expect(problems(text)).toEqual([
      expect.stringMatching(/: nodes\[1\]\.storage\[1\]: storage "local" is one storage.cfg entry for the whole cluster, declared on nodes\[0\] as dir path=\/var\/lib\/vz content=backup,import,iso,snippets,vztmpl but here as dir path=\/var\/lib\/vz content=iso; declare it the same/),
      expect.stringMatching(/: nodes\[1\]\.gpus\[0\]\.description: PCI mapping "rtx3090" is one mapping for the whole cluster \(one map entry per node\); its description differs/),
    ]);
    // The same GPU on two nodes, declared alike, is valid: one mapping, two entries.
    expect(problems(clusterYaml(NODES, { gpuNodes: 2 }))).toEqual([]);
  });

  it('refuses ha and nodes on a single-node file, and nodes without a cluster', () => {
    const single = problems('version: 1\nnode: pve\nendpoint: { host: 10.0.0.1 }\nvms:\n  - { id: 100, name: a, template: 9000, bridge: vmbr0, ha: {} }\n');
    expect(single).toEqual(expect.arrayContaining([expect.stringMatching(/^5: vms\[0\]\.ha: needs a cluster/)]));
    expect(problems(clusterYaml(NODES).replace(/cluster:\n {2}name: hive\n {2}links: \[\{ network: 192.168.1.0\/24 \}\]\n/, ''))).toEqual([
      expect.stringMatching(/nodes: declares nodes but no cluster; add cluster:/),
    ]);
  });
});
