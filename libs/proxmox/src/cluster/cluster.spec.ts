import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { clusterYaml, simulatedCluster, type SimulatedCluster, type TraceLine } from '../testing/sim-cluster';
import { schemaFileFor } from '../testing/simulated-host';
import { drainNode, formatDrain } from './drain';
import { pendingChanges } from '../engine/plan';
import { planCluster, clusterPlanProblems, clusterPlanWrites, formatClusterWide, formatNodes, provisionCluster } from './provision';
import { NoQuorumError } from './quorum';
import { verifyCluster } from './verify';
import { getClusterStatus } from './api';
import { createPciMapping, listPciMappings } from '../api/pci';

const readTrace = (file: string): TraceLine[] =>
  existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as TraceLine) : [];
const writes = (lines: TraceLine[]) => lines.filter((l) => l.method !== 'GET');
const clearTrace = (file: string) => writeFileSync(file, '');
const nodesOf = (c: SimulatedCluster) => c.sims.nodes.map((n, i) => ({ name: n.node, port: n.port, address: `192.168.1.${11 + i}` }));

/** Two requests to different nodes whose [at, at+ms] intervals overlap: the node plans ran side by side. */
function overlappingNodes(lines: TraceLine[]): Set<string> {
  const out = new Set<string>();
  for (const a of lines)
    for (const b of lines)
      if (a.to !== b.to && a.at < b.at + b.ms && b.at < a.at + a.ms) {
        out.add(a.to);
        out.add(b.to);
      }
  return out;
}

const schemasHere = existsSync(schemaFileFor('9.1')) && existsSync(schemaFileFor('8.4'));
const describeSim = schemasHere || process.env.CI === 'true' ? describe : describe.skip;

for (const pveVersion of ['9.1', '8.4'] as const) {
  describeSim(`a simulated 3-node PVE ${pveVersion} cluster from one genesis.yaml`, () => {
    jest.setTimeout(120_000);
    let c: SimulatedCluster;
    const out: string[] = [];
    const say = (line: string) => out.push(line);
    beforeEach(async () => {
      out.length = 0;
      c = await simulatedCluster({ pveVersion, latencyMs: 5 });
    });
    afterEach(async () => {
      await c.close();
    });

    it('from empty: creates the cluster, joins the nodes, converges each; verify PASS; a second run writes nothing; the node plans overlap', async () => {
      const state = c.load();
      const conns = c.connect();
      const before = await planCluster(conns, state, c.env);
      expect(before.membership.steps.map((s) => `${s.action} ${s.node}`)).toEqual(['create pve1', 'join pve2', 'join pve3']);
      // The plan says which storage is whose: fast on pve1 only, tank on all (no restriction).
      const nodesText = formatNodes(before.nodes);
      expect(nodesText).toContain('storage: zfspool pool=fast content=images nodes=pve1');
      expect(nodesText).toContain('storage: zfspool pool=tank content=images,rootdir\n');
      expect(formatClusterWide(before)).toContain('+ pci mapping rtx3090: create');
      clearTrace(c.trace);
      const changed = await provisionCluster(conns, state, c.env, say);
      expect(changed).toBeGreaterThan(10);
      // Created on pve1, joined through it with pve1's certificate pinned, one at a time.
      const sent = writes(readTrace(c.trace));
      const membership = sent.filter((l) => l.path.startsWith('/cluster/config'));
      expect(membership.map((l) => [l.to, l.path, l.params.fingerprint ?? '', l.params.password ?? ''])).toEqual([
        [`127.0.0.1:${c.sims.node('pve1').port}`, '/cluster/config', '', ''],
        [`127.0.0.1:${c.sims.node('pve2').port}`, '/cluster/config/join', c.sims.node('pve1').fingerprint, '***'],
        [`127.0.0.1:${c.sims.node('pve3').port}`, '/cluster/config/join', c.sims.node('pve1').fingerprint, '***'],
      ]);
      // The password is in no trace line and no output line.
      expect(readFileSync(c.trace, 'utf8')).not.toContain(c.sims.rootPassword);
      expect(out.join('\n')).not.toContain(c.sims.rootPassword);
      // HA on the release's own terms: a node-affinity rule (9.x) or a group (8.4) for Banker only.
      const haPaths = sent.filter((l) => l.path.startsWith('/cluster/ha')).map((l) => `${l.path} ${l.params.sid ?? l.params.rule ?? l.params.group}`);
      expect(haPaths).toEqual(pveVersion === '9.1' ? ['/cluster/ha/rules genesis-banker', '/cluster/ha/resources vm:110'] : ['/cluster/ha/groups genesis-banker', '/cluster/ha/resources vm:110']);
      // Banker's disks (tank, pve2's own pool) get a copy on pve3 before HA manages it: a replication job
      // (pve-manager PVE/API2/ReplicationConfig.pm create), run at once (PVE/API2/Replication.pm schedule_now) from pve2.
      const replication = sent.filter((l) => /replication/.test(l.path)).map((l) => [l.to, l.method, l.path, l.params.id ?? '', l.params.target ?? '', l.params.schedule ?? '']);
      expect(replication).toEqual([
        [`127.0.0.1:${c.sims.node('pve2').port}`, 'POST', '/cluster/replication', '110-0', 'pve3', '*/15'],
        [`127.0.0.1:${c.sims.node('pve2').port}`, 'POST', '/nodes/pve2/replication/110-0/schedule_now', '', '', ''],
      ]);
      expect(sent.findIndex((l) => l.path === '/cluster/replication')).toBeLessThan(sent.findIndex((l) => l.path === '/cluster/ha/resources'));
      expect(out.join('\n')).toContain('[pve2] replication 110-0: create (VM 110 (banker) pve2 → pve3, schedule */15; first sync now)');
      expect((await conns.get('pve3').api.get<Array<{ volid: string }>>('/nodes/pve3/storage/tank/content')).map((v) => v.volid)).toContain('tank:base-9001-disk-0/vm-110-disk-0');

      // storage.cfg is the cluster's (pve-storage PVE/Storage.pm storage_check_node): `fast` is pve1's own pool,
      // restricted to it; `tank` and `local`, on every node, are one unrestricted entry each, written once.
      const storageCfg = await conns.get('pve3').api.get<Array<{ storage: string; nodes?: string; [k: string]: unknown }>>('/storage');
      const entry = (id: string) => storageCfg.find((x) => x.storage === id)!;
      expect(entry('fast')).toMatchObject({ type: 'zfspool', pool: 'fast', nodes: 'pve1' });
      expect(entry('tank')).toMatchObject({ type: 'zfspool', pool: 'tank' });
      expect(entry('tank').nodes).toBeUndefined();
      expect(entry('local')).toMatchObject({ content: 'backup,import,iso,snippets,vztmpl' });
      expect((await conns.get('pve2').api.get<Array<{ storage: string }>>('/nodes/pve2/storage')).map((x) => x.storage)).not.toContain('fast');
      const storageWrites = sent.filter((l) => l.status === 200 && /^\/storage(\/|$)/.test(l.path)).map((l) => `${l.method} ${l.params.storage ?? l.path.split('/')[2]}`);
      expect(storageWrites.sort()).toEqual(['POST fast', 'POST tank', 'PUT local']);
      // Each node made its own pool.
      expect(sent.filter((l) => l.status === 200 && /\/disks\/zfs$/.test(l.path)).map((l) => `${l.to} ${l.params.name}`).sort()).toEqual(
        [`127.0.0.1:${c.sims.node('pve1').port} fast`, ...c.sims.nodes.map((n) => `127.0.0.1:${n.port} tank`)].sort(),
      );

      const checks = await verifyCluster(conns, state);
      expect(checks.filter((x) => !x.ok)).toEqual([]);
      expect(checks.map((x) => x.name)).toEqual(
        expect.arrayContaining(['cluster hive has quorum', 'node pve1 online', 'node pve3 link0 192.168.1.13', 'node pve2 matches genesis.yaml', 'VM 110 (banker) running under HA', 'VM 100 (brain) pinned to pve1, the node of GPU rtx3090']),
      );
      expect(checks.find((x) => x.name === 'VM 110 (banker) replicated to pve3')?.detail).toMatch(/^job 110-0 pve2 → pve3, last sync \d{4}-\d\d-\d\dT[\d:]+Z, schedule \*\/15$/);
      // The plan shows the job as it is.
      expect(formatNodes((await planCluster(conns, c.load(), c.env)).nodes)).toContain('  = replication 110-0\n');

      clearTrace(c.trace);
      expect(await provisionCluster(conns, c.load(), c.env, say)).toBe(0);
      expect(writes(readTrace(c.trace))).toEqual([]);

      clearTrace(c.trace);
      const again = await planCluster(conns, c.load(), c.env);
      expect(clusterPlanWrites(again)).toBe(0);
      const reads = readTrace(c.trace).filter((l) => l.path.startsWith('/nodes/'));
      expect([...overlappingNodes(reads)].sort()).toEqual(c.sims.nodes.map((s) => `127.0.0.1:${s.port}`).sort());
    });

    it('refuses to join a node that has guests or is in another cluster, before anything is sent', async () => {
      await c.sims.nodes[1].state.update((s) => {
        s.vms['200'] = { vmid: 200, config: { name: 'stray' }, status: 'stopped', snapshots: {} };
      });
      const conns = c.connect();
      clearTrace(c.trace);
      await expect(provisionCluster(conns, c.load(), c.env, say)).rejects.toThrow(/node pve2 has guests \(VM 200\).*this host already contains virtual guests/);
      expect(writes(readTrace(c.trace))).toEqual([]);
      await expect(provisionCluster(conns, c.load(), { ...c.env, GENESIS_CLUSTER_PASSWORD: '' }, say)).rejects.toThrow(/set GENESIS_CLUSTER_PASSWORD/);
    });

    it('stops with a clear message when quorum is lost mid-run, and converges once it is back', async () => {
      const conns = c.connect();
      let cut = false;
      const cutting = (line: string) => {
        say(line);
        // As soon as the nodes converge, two of three corosync links go down.
        if (!cut && line.startsWith('[pve1]')) {
          cut = true;
          c.sims.cutLink('pve2');
          c.sims.cutLink('pve3');
        }
      };
      const failure = await provisionCluster(conns, c.load(), c.env, cutting).catch((e: Error) => e);
      expect(failure).toBeInstanceOf(NoQuorumError);
      expect((failure as Error).message).toMatch(/^the cluster has no quorum \(pve\d: .*\); PVE refuses every write to \/etc\/pve .*run provision again/);
      c.sims.restoreLink('pve2');
      c.sims.restoreLink('pve3');
      await provisionCluster(conns, c.load(), c.env, say);
      expect((await verifyCluster(conns, c.load())).filter((x) => !x.ok)).toEqual([]);
    });

    it('a failed node: HA restarts Banker on the replication target from its copy, verify reports the node offline, where Banker runs and its replication; back online, a rerun replicates to it again', async () => {
      const conns = c.connect();
      await provisionCluster(conns, c.load(), c.env, say);
      c.sims.powerOff('pve2');
      // pve-ha-manager Manager.pm next_state_recovery; the start on pve3 finds the replicated disk.
      expect(c.sims.cluster.haLog).toEqual([
        "recover service 'vm:110' from fenced node 'pve2' to node 'pve3'",
        "service 'vm:110' started on node 'pve3' (disks from the last replication: tank:base-9001-disk-0/vm-110-disk-0)",
      ]);
      const checks = await verifyCluster(conns, c.load());
      expect(checks.find((x) => x.name === 'node pve2 online')).toMatchObject({ ok: false, detail: 'member, OFFLINE (seen from pve1)' });
      expect(checks.find((x) => x.name === 'VM 110 (banker) running under HA')).toMatchObject({ ok: true, detail: expect.stringMatching(/^on pve3, running, HA started \(declared on pve2: the HA manager moved it\)/) });
      expect(checks.find((x) => x.name === 'cluster hive has quorum')?.ok).toBe(true);
      // The plan shows the node offline and plans Banker where it runs.
      const plan = await planCluster(conns, c.load(), c.env);
      expect(plan.nodes.find((n) => n.node === 'pve2')).toMatchObject({ error: expect.any(String) });
      expect(plan.membership.unreachable.map((u) => u.node)).toEqual(['pve2']);
      const pve3 = plan.nodes.find((n) => n.node === 'pve3');
      expect(pve3 && 'state' in pve3 ? pve3.state.vms.map((v) => v.id) : []).toEqual([110]);
      // PVE turned the job around (ReplicationConfig.pm switch_replication_job_target_nolock): pve3 → pve2, which is down.
      expect(checks.find((x) => x.name === 'VM 110 (banker) replicated to pve2')).toEqual({
        name: 'VM 110 (banker) replicated to pve2',
        ok: false,
        detail: 'job 110-0 pve3 → pve2: never synced yet (schedule */15); HA has no copy on pve2',
      });
      expect(formatNodes(plan.nodes)).toContain('~ replication 110-0: sync (pve3 → pve2 has never synced; sync now)');
      // pve2 is back: the rerun sends Banker's disk to it; verify passes with Banker still on pve3.
      c.sims.powerOn('pve2');
      await provisionCluster(conns, c.load(), c.env, say);
      const after = await verifyCluster(conns, c.load());
      expect(after.filter((x) => !x.ok)).toEqual([]);
      expect(after.find((x) => x.name === 'VM 110 (banker) replicated to pve2')?.detail).toMatch(/^job 110-0 pve3 → pve2, last sync /);
      clearTrace(c.trace);
      expect(await provisionCluster(conns, c.load(), c.env, say)).toBe(0);
      expect(writes(readTrace(c.trace))).toEqual([]);
    });

    it('drain: live-migrates what can move and says why the GPU VM and the template stay', async () => {
      const conns = c.connect();
      await provisionCluster(conns, c.load(), c.env, say);
      const pve2 = await drainNode(conns, c.load(), 'pve2', say);
      expect(pve2.filter((o) => o.moved)).toEqual([{ vmid: 110, name: 'banker', moved: 'pve3' }]);
      const pve1 = await drainNode(conns, c.load(), 'pve1', say);
      const text = formatDrain('pve1', pve1);
      expect(text).toContain('STAYS  VM 100 (brain): passes through hostpci0 (mapping rtx3090), hardware of pve1 only');
      expect(text).toContain("can't migrate VM which uses local devices");
      expect(text).toContain('STAYS  VM 9000 (tpl-pve1): a template');
      // Genesis plans Banker where it now runs: nothing to undo.
      clearTrace(c.trace);
      out.length = 0;
      const n = await provisionCluster(conns, c.load(), c.env, say);
      if (n) console.log(out.join('\n'));
      expect(n).toBe(0);
      expect((await getClusterStatus(conns.get('pve1').api))[0]).toMatchObject({ quorate: 1 });
    });
  });

  describeSim(`PVE ${pveVersion} cluster: a PCI mapping with one entry per node, every corosync link verified`, () => {
    jest.setTimeout(120_000);
    let c: SimulatedCluster;
    const say = () => undefined;
    afterEach(async () => {
      await c.close();
    });

    it('adding a node\'s GPU adds its map entry to the one mapping (pve-guest-common PVE/Mapping/PCI.pm `map`, get_node_mapping); a VM on that node resolves its own entry', async () => {
      // pve1 and pve2 both have an RTX 3090 (pve2's at 02:00); the file names only pve1's first.
      c = await simulatedCluster({ pveVersion, gpuNodes: 2, latencyMs: 5 });
      const conns = c.connect();
      writeFileSync(c.file, clusterYaml(nodesOf(c)));
      await provisionCluster(conns, c.load(), c.env, say);
      const [first] = await conns.get('pve3').api.get<Array<{ map: string[] }>>('/cluster/mapping/pci');
      expect(first.map).toEqual(['node=pve1,path=0000:01:00,id=10de:2204,iommugroup=14,subsystem-id=1043:87b3']);

      // Now pve2 declares its GPU too, and a VM that uses it.
      const trainer = '  - { id: 120, name: trainer, node: pve2, template: 9001, bridge: vmbr1, address: 10.0.1.120/24, cores: 2, memory: 2048, gpu: rtx3090 }\n';
      writeFileSync(c.file, clusterYaml(nodesOf(c), { gpuNodes: 2 }) + trainer);
      const p = await planCluster(conns, c.load(), c.env);
      const mapping = p.config?.changes.find((x) => x.id === 'pci mapping rtx3090');
      expect(mapping).toMatchObject({ action: 'update', fields: [{ field: 'map (node pve2)', to: 'node=pve2,path=0000:02:00,id=10de:2204,iommugroup=15,subsystem-id=1043:87b3' }] });
      clearTrace(c.trace);
      await provisionCluster(conns, c.load(), c.env, say);
      const mappingWrites = writes(readTrace(c.trace)).filter((l) => l.path.startsWith('/cluster/mapping/pci'));
      expect(mappingWrites.map((l) => [l.method, l.path, l.params.map?.split('\0')])).toEqual([
        ['PUT', '/cluster/mapping/pci/rtx3090', ['node=pve1,path=0000:01:00,id=10de:2204,iommugroup=14,subsystem-id=1043:87b3', 'node=pve2,path=0000:02:00,id=10de:2204,iommugroup=15,subsystem-id=1043:87b3']],
      ]);
      // Each node's own check of the mapping passes (Mapping/PCI.pm index check-node), and both GPU VMs run on their nodes.
      for (const node of ['pve1', 'pve2']) expect((await conns.get(node).api.get<Array<{ checks: unknown[] }>>('/cluster/mapping/pci', { 'check-node': node }))[0].checks).toEqual([]);
      const vms = await conns.get('pve1').api.get<Array<{ vmid: number; node: string; status: string }>>('/cluster/resources', { type: 'vm' });
      expect(vms.filter((v) => [100, 120].includes(v.vmid)).map((v) => [v.vmid, v.node, v.status])).toEqual([
        [100, 'pve1', 'running'],
        [120, 'pve2', 'running'],
      ]);
      expect((await verifyCluster(conns, c.load())).filter((x) => !x.ok)).toEqual([]);
      clearTrace(c.trace);
      expect(await provisionCluster(conns, c.load(), c.env, say)).toBe(0);
      expect(writes(readTrace(c.trace))).toEqual([]);
    });

    it('runs the host-file steps per node, each through its own host channel: gpu-host only where the node declares a GPU, the forwarding policy on every node', async () => {
      c = await simulatedCluster({ pveVersion, hostChannels: true, latencyMs: 5 });
      const conns = c.connect();
      const before = await planCluster(conns, c.load(), c.env);
      const text = formatNodes(before.nodes);
      expect(text).not.toContain('unreachable');
      expect(text).toMatch(/gpu host rtx3090[^\n]*simulated host pve1/);
      expect(text).not.toMatch(/gpu host[^\n]*simulated host pve[23]/);
      for (const node of ['pve1', 'pve2', 'pve3']) expect(text).toContain(`host network: NAT and forwarding policy (simulated host ${node}): create`);
      await provisionCluster(conns, c.load(), c.env, say);
      // vfio and the IOMMU options on pve1's host only; the NAT policy on each node's own host.
      const has = (node: string, path: string) => existsSync(join(c.hostRoot(node), path));
      expect(['pve1', 'pve2', 'pve3'].map((n) => has(n, 'etc/modprobe.d/genesis-vfio.conf'))).toEqual([true, false, false]);
      expect(['pve1', 'pve2', 'pve3'].map((n) => has(n, 'etc/network/genesis.nft'))).toEqual([true, true, true]);
      // Each host holds its own node's policy.
      for (const node of ['pve1', 'pve2', 'pve3']) expect(readFileSync(join(c.hostRoot(node), 'etc/network/genesis.nft'), 'utf8')).toContain(`# Genesis forwarding policy of node ${node},`);
      // Converged: nothing left to write through the API or on any host.
      const again = await planCluster(conns, c.load(), c.env);
      expect(clusterPlanWrites(again)).toBe(0);
    });

    it('replication jobs follow the file (pve-manager PVE/API2/ReplicationConfig.pm update, delete): a new schedule and rate is one PUT; a job Genesis made that the file drops is removed with its copies; one it did not make is kept and listed', async () => {
      c = await simulatedCluster({ pveVersion, latencyMs: 5 });
      const conns = c.connect();
      await provisionCluster(conns, c.load(), c.env, say);
      const base = readFileSync(c.file, 'utf8');
      const replicationWrites = () => writes(readTrace(c.trace)).filter((l) => /replication/.test(l.path)).map((l) => `${l.method} ${l.path} ${JSON.stringify(l.params)}`);
      writeFileSync(c.file, base.replace('replicate: { to: [pve3] }', "replicate: { to: [pve3], schedule: '*/5', rate: 20 }"));
      expect(formatNodes((await planCluster(conns, c.load(), c.env)).nodes)).toContain('~ replication 110-0: update (pve2 → pve3: schedule */15 → */5; rate (none) → 20)');
      clearTrace(c.trace);
      await provisionCluster(conns, c.load(), c.env, say);
      expect(replicationWrites()).toEqual(['PUT /cluster/replication/110-0 {"schedule":"*/5","rate":"20"}']);
      // Someone adds a job to pve1 by hand; the file drops replication (and HA to pve3).
      await conns.get('pve1').api.post('/cluster/replication', { id: '110-5', type: 'local', target: 'pve1' });
      writeFileSync(c.file, base.replace('ha: { nodes: [pve2, pve3] }, replicate: { to: [pve3] }', 'ha: { nodes: [pve2] }'));
      const text = formatNodes((await planCluster(conns, c.load(), c.env)).nodes);
      expect(text).toContain('- replication 110-0: delete (banker no longer replicates to pve3; PVE removes the copies there)');
      expect(text).toContain('= replication 110-5: kept (to pve1, not declared and not made by Genesis; delete it in PVE if it should go)');
      clearTrace(c.trace);
      await provisionCluster(conns, c.load(), c.env, say);
      expect(replicationWrites()).toEqual(['DELETE /cluster/replication/110-0 {}']);
      // The job's next run on pve2 removes pve3's copy and the job (PVE/Replication.pm replicate, remove_job full).
      const deadline = Date.now() + 20_000;
      let ids: string[] = [];
      do {
        await new Promise((r) => setTimeout(r, 20));
        ids = (await conns.get('pve1').api.get<Array<{ id: string }>>('/cluster/replication')).map((j) => j.id);
      } while (ids.includes('110-0') && Date.now() < deadline);
      expect(ids).toEqual(['110-5']);
      expect((await conns.get('pve3').api.get<Array<{ volid: string }>>('/nodes/pve3/storage/tank/content')).map((v) => v.volid).filter((v) => v.includes('vm-110'))).toEqual([]);
      clearTrace(c.trace);
      expect(await provisionCluster(conns, c.load(), c.env, say)).toBe(0);
      expect(writes(readTrace(c.trace))).toEqual([]);
    });

    it("a node's gpu-host step honours --confirm-console and --reboot, through that node's own host channel", async () => {
      c = await simulatedCluster({ pveVersion, hostChannels: true, latencyMs: 5 });
      const conns = c.connect();
      // pve1's RTX 3090 is its only display: the host half refuses without --confirm-console (libs/gpu plan.ts).
      writeFileSync(join(c.hostRoot('pve1'), 'sys/bus/pci/devices/0000:01:00.0/boot_vga'), '1\n');
      expect(clusterPlanProblems(await planCluster(conns, c.load(), c.env))).toEqual([expect.stringMatching(/^pve1: .*0000:01:00\.0 is the boot display .*run again with --confirm-console/)]);
      expect(clusterPlanProblems(await planCluster(conns, c.load(), c.env, { confirmConsole: true }))).toEqual([]);
      const lines: string[] = [];
      await provisionCluster(conns, c.load(), c.env, (l) => lines.push(l), { confirmConsole: true, reboot: true });
      // Only pve1 reboots (its own channel), comes back, and the card is bound to vfio-pci there.
      expect(lines.filter((l) => /rebooting|is back/.test(l))).toEqual([
        expect.stringMatching(/^\[pve1\] +rebooting simulated host pve1 \(boot id /),
        expect.stringMatching(/^\[pve1\] +simulated host pve1 is back \(boot id /),
      ]);
      expect(lines.join('\n')).not.toContain('REBOOT NEEDED');
      expect(JSON.parse(readFileSync(join(c.hostRoot('pve1'), '.sim/drivers.json'), 'utf8'))['0000:01:00.0']).toBe('vfio-pci');
      expect(clusterPlanWrites(await planCluster(conns, c.load(), c.env, { confirmConsole: true }))).toBe(0);
    });

    it('--prune of storage.cfg runs once, in the cluster-wide step (one file for all nodes): an entry no node declares is listed there, deleted only when named, by no node', async () => {
      c = await simulatedCluster({ pveVersion, latencyMs: 5 });
      const conns = c.connect();
      await provisionCluster(conns, c.load(), c.env, say);
      const kept = await planCluster(conns, c.load(), c.env, { prune: true });
      expect(kept.config?.changes.find((x) => x.id === 'storage local-lvm')).toMatchObject({ action: 'unchanged', notes: ['not declared and not made by Genesis: kept by --prune; --prune=local-lvm deletes it'] });
      expect(formatNodes(kept.nodes)).not.toContain('local-lvm');
      const named = await planCluster(conns, c.load(), c.env, { prune: true, pruneNames: ['local-lvm'] });
      expect(pendingChanges(named.config!).map((x) => `${x.action} ${x.id}`)).toEqual(['delete storage local-lvm']);
      expect(clusterPlanWrites(named)).toBe(1);
      clearTrace(c.trace);
      await provisionCluster(conns, c.load(), c.env, say, { prune: true, pruneNames: ['local-lvm'] });
      expect(writes(readTrace(c.trace)).map((l) => `${l.method} ${l.path}`)).toEqual(['DELETE /storage/local-lvm']);
      expect((await conns.get('pve3').api.get<Array<{ storage: string }>>('/storage')).map((x) => x.storage)).not.toContain('local-lvm');
      clearTrace(c.trace);
      expect(await provisionCluster(conns, c.load(), c.env, say, { prune: true, pruneNames: ['local-lvm'] })).toBe(0);
      expect(writes(readTrace(c.trace))).toEqual([]);
    });

    it('--prune of PCI mappings runs once, in the cluster-wide step (mapping/pci.cfg is one file for all nodes): a mapping no node declares is listed there, deleted only when named, with one DELETE', async () => {
      c = await simulatedCluster({ pveVersion, latencyMs: 5 });
      const conns = c.connect();
      await provisionCluster(conns, c.load(), c.env, say);
      // Someone mapped pve1's card by hand under another id (pve-guest-common PVE/Mapping/PCI.pm; PVE keeps no mark on it).
      await createPciMapping(conns.get('pve2').api, 'old-gpu', ['node=pve1,path=0000:01:00,id=10de:2204,iommugroup=14'], 'by hand');
      expect(formatClusterWide(await planCluster(conns, c.load(), c.env))).not.toContain('old-gpu');
      const kept = await planCluster(conns, c.load(), c.env, { prune: true });
      expect(kept.config?.changes.find((x) => x.id === 'pci mapping old-gpu')).toMatchObject({ action: 'unchanged', notes: ['not declared and not made by Genesis: kept by --prune; --prune=old-gpu deletes it'] });
      expect(kept.config?.changes.find((x) => x.id === 'pci mapping rtx3090')).toMatchObject({ action: 'unchanged' });
      expect(formatNodes(kept.nodes)).not.toContain('old-gpu');
      expect(clusterPlanWrites(kept)).toBe(0);
      const named = await planCluster(conns, c.load(), c.env, { prune: true, pruneNames: ['old-gpu'] });
      expect(pendingChanges(named.config!).map((x) => `${x.action} ${x.id}`)).toEqual(['delete pci mapping old-gpu']);
      expect(clusterPlanWrites(named)).toBe(1);
      clearTrace(c.trace);
      const lines: string[] = [];
      await provisionCluster(conns, c.load(), c.env, (l) => lines.push(l), { prune: true, pruneNames: ['old-gpu'] });
      // Once, through the first node (the cluster-wide step), by no node's own step.
      expect(writes(readTrace(c.trace)).map((l) => `${l.to} ${l.method} ${l.path}`)).toEqual([`127.0.0.1:${c.sims.node('pve1').port} DELETE /cluster/mapping/pci/old-gpu`]);
      expect(lines).toContain('- pci mapping old-gpu: delete (mapping/pci.cfg, for every node)');
      expect((await listPciMappings(conns.get('pve3').api)).map((m) => m.id)).toEqual(['rtx3090']);
      clearTrace(c.trace);
      expect(await provisionCluster(conns, c.load(), c.env, say, { prune: true, pruneNames: ['old-gpu'] })).toBe(0);
      expect(writes(readTrace(c.trace))).toEqual([]);
    });

    it("--allow-management-change reaches a node's bridges step: the bridge carrying the node's API is refused without it, guarded and rolled back as on one node, applied with it", async () => {
      c = await simulatedCluster({ pveVersion, latencyMs: 5 });
      const conns = c.connect();
      await provisionCluster(conns, c.load(), c.env, say);
      // pve2's vmbr0 holds its address and the gateway: over loopback it is the bridge that carries pve2's management link (engine/network.ts managementBridge).
      const base = readFileSync(c.file, 'utf8');
      writeFileSync(c.file, base.replace('cidr: 192.168.1.12/24, gateway', 'cidr: 192.168.1.12/24, comment: LAN uplink, gateway'));
      expect(formatNodes((await planCluster(conns, c.load(), c.env)).nodes)).toMatch(/Plan for node pve2[^]*~ bridge vmbr0: update/);
      const networkWrites = () => writes(readTrace(c.trace)).filter((l) => l.path.startsWith('/nodes/pve2/network')).map((l) => `${l.method} ${l.path}`);
      const vmbr0Comment = async () => (await conns.get('pve2').api.get<Array<{ iface: string; comments?: string }>>('/nodes/pve2/network')).find((i) => i.iface === 'vmbr0')?.comments?.trim();

      clearTrace(c.trace);
      await expect(provisionCluster(conns, c.load(), c.env, say)).rejects.toThrow(/^node pve2: bridge vmbr0 carries the management address 192\.168\.1\.12 \(the API this run talks to\), and this plan changes it\. .*run again with --allow-management-change/);
      expect(networkWrites()).toEqual([]);

      // Allowed, but pve2's API does not answer after the reload: the previous bridges are re-staged and reloaded.
      const sim2 = c.sims.node('pve2');
      const faultOnApply = (line: string) => {
        if (line === '[pve2] Applying:') sim2.setFaults([{ kind: 'http500', method: 'GET', path: '^/version$', count: 4 }]);
      };
      await expect(provisionCluster(conns, c.load(), c.env, faultOnApply, { allowManagementChange: true, confirmTimeoutMs: 300 })).rejects.toThrow(
        /^node pve2: bridge vmbr0 \(update\) failed: the API did not answer within 300 ms after the network reload\. The previous bridge configuration was restored and the API answers/,
      );
      sim2.setFaults([]);
      expect(await vmbr0Comment()).toBeUndefined();

      clearTrace(c.trace);
      expect(await provisionCluster(conns, c.load(), c.env, say, { allowManagementChange: true })).toBe(1);
      expect(networkWrites()).toEqual(['PUT /nodes/pve2/network/vmbr0', 'PUT /nodes/pve2/network']);
      expect(await vmbr0Comment()).toBe('LAN uplink');
      clearTrace(c.trace);
      expect(await provisionCluster(conns, c.load(), c.env, say, { allowManagementChange: true })).toBe(0);
      expect(writes(readTrace(c.trace))).toEqual([]);
    });

    it("a new replication job's first sync waits as long as --replication-sync-timeout allows, then fails naming the job and the setting; a rerun finds the sync done", async () => {
      c = await simulatedCluster({ pveVersion, latencyMs: 5 });
      const conns = c.connect();
      await provisionCluster(conns, c.load(), c.env, say);
      // Banker (on pve2) now keeps a copy on pve1 too; pve2's scheduler takes 3 s to run the new job.
      writeFileSync(c.file, readFileSync(c.file, 'utf8').replace('replicate: { to: [pve3] }', 'replicate: { to: [pve3, pve1] }'));
      c.sims.cluster.hostOf('pve2').behaviour.taskDurationMs = 3000;
      const started = Date.now();
      await expect(provisionCluster(conns, c.load(), c.env, say, { replicationSyncTimeoutMs: 300 })).rejects.toThrow(
        'node pve2: replication job 110-1 (pve2 → pve1) has not finished its first sync within 300ms (the replication sync timeout, --replication-sync-timeout or GENESIS_REPLICATION_SYNC_TIMEOUT, default 10m); it keeps running on pve2: check it with `pvesr status` and run verify, or allow it longer, e.g. --replication-sync-timeout=30m',
      );
      expect(Date.now() - started).toBeLessThan(3000);
      // The job runs on; once it has synced, nothing is left to do.
      const status = () => conns.get('pve2').api.get<Array<{ id: string; last_sync?: number }>>('/nodes/pve2/replication');
      const deadline = Date.now() + 30_000;
      while (!(await status()).find((j) => j.id === '110-1')?.last_sync && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      c.sims.cluster.hostOf('pve2').behaviour.taskDurationMs = 10;
      expect(await provisionCluster(conns, c.load(), c.env, say)).toBe(0);
    });

    it('verify checks every link of cluster.links for every node (corosync.conf ringN_addr, ClusterConfig.pm join_info)', async () => {
      c = await simulatedCluster({ pveVersion, links: 2, latencyMs: 5 });
      const conns = c.connect();
      await provisionCluster(conns, c.load(), c.env, say);
      const checks = await verifyCluster(conns, c.load());
      expect(checks.filter((x) => !x.ok)).toEqual([]);
      const linkChecks = checks.filter((x) => / link\d /.test(x.name)).map((x) => x.name);
      expect(linkChecks).toEqual(['pve1', 'pve2', 'pve3'].flatMap((n, i) => [`node ${n} link0 192.168.1.${11 + i}`, `node ${n} link1 10.10.10.${11 + i}`]));
      // Someone edits corosync.conf: pve3's second ring now has another address.
      await c.sims.node('pve1').state.update((st) => {
        st.cluster!.nodes.pve3.ring1_addr = '10.10.10.99';
      });
      const after = await verifyCluster(conns, c.load());
      expect(after.filter((x) => !x.ok)).toEqual([{ name: 'node pve3 link1 10.10.10.13', ok: false, detail: 'corosync ring1_addr 10.10.10.99' }]);
    });
  });
}
