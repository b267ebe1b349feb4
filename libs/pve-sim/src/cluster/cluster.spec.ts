/* eslint-disable @typescript-eslint/no-explicit-any -- JSON responses asserted field by field */
import { existsSync } from 'node:fs';
import { defaultSchemaPath } from '../schema';
import { describeWithSchema, SimClient } from '../server/testing';
import type { PveVersion } from '../model/release';
import { NO_QUORUM } from './sim-cluster';
import { resolveHostpci } from '../model/pci';
import { DEFAULT_PCI } from '../model/state';
import { describeCluster } from '../cli';
import { startSimCluster, type RunningSimCluster } from './start';

async function threeNodes(pveVersion: PveVersion): Promise<RunningSimCluster & { client: (node: string) => SimClient }> {
  const schema = defaultSchemaPath(process.env, pveVersion);
  const sims = await startSimCluster({
    pveVersion,
    taskDurationMs: 10,
    warn: () => undefined,
    rootPassword: 'sim-root-pw',
    ...(existsSync(schema) ? { schemaPath: schema } : {}),
  });
  return Object.assign(sims, { client: (node: string) => new SimClient(sims.node(node), sims.node(node).tokens.root) });
}

/** Creates the cluster on pve1 and joins the others the way `pvecm add` does through the API. */
async function formCluster(sims: Awaited<ReturnType<typeof threeNodes>>): Promise<void> {
  await sims.client('pve1').task('POST', '/cluster/config', { clustername: 'hive', link0: '192.168.1.11' });
  const info = await sims.client('pve1').get('/cluster/config/join');
  const fp = info.nodelist.find((n: any) => n.name === 'pve1').pve_fp;
  for (const node of ['pve2', 'pve3']) {
    await sims.client(node).task('POST', '/cluster/config/join', { hostname: '192.168.1.11', fingerprint: fp, password: 'sim-root-pw' });
  }
}

for (const pveVersion of ['9.1', '8.4'] as const) {
  describeWithSchema(`simulated cluster of three PVE ${pveVersion} nodes`, () => {
    jest.setTimeout(60_000);
    let sims: Awaited<ReturnType<typeof threeNodes>>;
    beforeEach(async () => {
      sims = await threeNodes(pveVersion);
    });
    afterEach(async () => {
      await sims.stop();
    });

    it('creates and joins (ClusterConfig.pm create, join_info, join): one name, three members, quorate, answered by any node', async () => {
      expect((await sims.client('pve2').raw('GET', '/cluster/config/join')).status).toBe(424);
      await formCluster(sims);
      const info = await sims.client('pve3').get('/cluster/config/join');
      expect(info.nodelist.map((n: any) => [n.name, n.nodeid, n.pve_fp])).toEqual([
        ['pve1', '1', sims.node('pve1').fingerprint],
        ['pve2', '2', sims.node('pve2').fingerprint],
        ['pve3', '3', sims.node('pve3').fingerprint],
      ]);
      for (const node of ['pve1', 'pve2', 'pve3']) {
        const status = await sims.client(node).get('/cluster/status');
        expect(status[0]).toMatchObject({ type: 'cluster', name: 'hive', nodes: 3, quorate: 1 });
        expect(status.filter((s: any) => s.type === 'node' && s.online === 1)).toHaveLength(3);
      }
      // /etc/pve is one file system: a cluster firewall group made on pve2 is there on pve3.
      await sims.client('pve2').post('/cluster/firewall/groups', { group: 'intranet' });
      expect((await sims.client('pve3').get('/cluster/firewall/groups')).map((g: any) => g.group)).toEqual(['intranet']);
      // pveproxy forwards /nodes/{other}/…: pve1 creates a VM on pve3.
      await sims.client('pve1').task('POST', '/nodes/pve3/qemu', { vmid: 120, name: 'banker', memory: 1024 });
      expect(sims.node('pve3').state.read().vms['120']).toBeDefined();
      const resources = await sims.client('pve2').get('/cluster/resources', { type: 'node' });
      expect(resources.map((r: any) => [r.node, r.status])).toEqual([['pve1', 'online'], ['pve2', 'online'], ['pve3', 'online']]);
      expect(await sims.client('pve1').get('/cluster/nextid', { vmid: 121 })).toBe('121');
      expect((await sims.client('pve1').raw('GET', '/cluster/nextid', { vmid: 120 })).status).toBe(400);
    });

    it('refuses a join (Setup.pm assert_joinable) of a node with guests, in a cluster, with a wrong fingerprint or password', async () => {
      await sims.client('pve1').task('POST', '/cluster/config', { clustername: 'hive' });
      expect((await sims.client('pve1').raw('POST', '/cluster/config', { clustername: 'hive' })).body.message).toBe(
        "cluster config '/etc/pve/corosync.conf' already exists",
      );
      const fp = sims.node('pve1').fingerprint;
      const join = async (node: string, params: Record<string, string>) => {
        const upid = await sims.client(node).post('/cluster/config/join', { hostname: '192.168.1.11', fingerprint: fp, password: 'sim-root-pw', ...params });
        const status = await sims.client(node).waitTask(upid);
        const log = await sims.client(node).get(`/nodes/${node}/tasks/${encodeURIComponent(upid)}/log`, { limit: 100 });
        return { exitstatus: status.exitstatus, log: log.map((l: any) => l.t) };
      };
      await sims.client('pve2').task('POST', '/nodes/pve2/qemu', { vmid: 200, name: 'stray' });
      const withGuests = await join('pve2', {});
      expect(withGuests.exitstatus).toBe('Check if node may join a cluster failed!');
      expect(withGuests.log).toContain('* this host already contains virtual guests');
      const wrongFp = await join('pve3', { fingerprint: fp.replace(/^../, fp.startsWith('00') ? '11' : '00') });
      expect(wrongFp.exitstatus).toMatch(/fingerprint mismatch/);
      expect((await join('pve3', { password: 'wrong' })).exitstatus).toBe('401 authentication failure');
      expect((await join('pve3', {})).exitstatus).toBe('OK');
      await sims.client('pve3').task('POST', '/cluster/config', { clustername: 'other' }).catch(() => undefined);
      expect((await join('pve3', {})).log).toContain("* cluster config '/etc/pve/corosync.conf' already exists");
    });

    it('refuses writes to /etc/pve without quorum (Cluster.pm check_cfs_quorum) and accepts them once quorum is back', async () => {
      await formCluster(sims);
      sims.cutLink('pve2');
      // Two of three votes: still quorate.
      await sims.client('pve1').put('/cluster/firewall/options', { enable: 1 });
      sims.cutLink('pve3');
      for (const node of ['pve1', 'pve2']) {
        const refused = await sims.client(node).raw('PUT', '/cluster/firewall/options', { enable: 0 });
        expect([refused.status, refused.body.message]).toEqual([500, NO_QUORUM]);
        expect((await sims.client(node).get('/cluster/status'))[0].quorate).toBe(0);
      }
      // Reads and node-local network edits still work.
      expect((await sims.client('pve1').get('/cluster/firewall/options')).enable).toBe(1);
      sims.restoreLink('pve3');
      await sims.client('pve1').put('/cluster/firewall/options', { enable: 0 });
      sims.restoreLink('pve2');
      expect((await sims.client('pve2').get('/cluster/firewall/options')).enable).toBe(0);
    });

    it('moves an HA VM off a failed node (rules on 9.x, groups on 8.4) and shows the node offline', async () => {
      await formCluster(sims);
      await sims.client('pve1').task('POST', '/nodes/pve2/qemu', { vmid: 110, name: 'banker', memory: 1024 });
      await sims.client('pve1').task('POST', '/nodes/pve2/qemu/110/status/start');
      if (pveVersion === '8.4') {
        await sims.client('pve1').post('/cluster/ha/groups', { group: 'banker', nodes: 'pve2:2,pve3:1' });
        await sims.client('pve1').post('/cluster/ha/resources', { sid: 'vm:110', state: 'started', group: 'banker' });
        expect((await sims.client('pve1').raw('POST', '/cluster/ha/rules', { rule: 'x', type: 'node-affinity', resources: 'vm:110', nodes: 'pve2' })).status).not.toBe(200);
      } else {
        await sims.client('pve1').post('/cluster/ha/resources', { sid: 'vm:110', state: 'started' });
        await sims.client('pve1').post('/cluster/ha/rules', { rule: 'banker', type: 'node-affinity', resources: 'vm:110', nodes: 'pve2:2,pve3:1' });
        expect((await sims.client('pve1').raw('POST', '/cluster/ha/groups', { group: 'g', nodes: 'pve2' })).status).not.toBe(200);
      }
      sims.powerOff('pve2');
      await expect(sims.client('pve2').get('/version')).rejects.toThrow(/ECONNRESET|ECONNREFUSED|socket hang up/);
      const nodes = await sims.client('pve1').get('/cluster/resources', { type: 'node' });
      expect(nodes.map((r: any) => [r.node, r.status])).toEqual([['pve1', 'online'], ['pve2', 'offline'], ['pve3', 'online']]);
      const vm = (await sims.client('pve1').get('/cluster/resources', { type: 'vm' })).find((r: any) => r.vmid === 110);
      expect(vm).toMatchObject({ node: 'pve3', status: 'running', hastate: 'started' });
      expect(sims.cluster.haLog).toEqual(["recover service 'vm:110' from fenced node 'pve2' to node 'pve3'", "service 'vm:110' started on node 'pve3'"]);
      const ha = await sims.client('pve3').get('/cluster/ha/status/current');
      expect(ha[0]).toMatchObject({ type: 'quorum', quorate: 1 });
      expect(ha[1]).toMatchObject({ sid: 'vm:110', node: 'pve3', state: 'started' });
    });

    it('replicates a guest on a local ZFS pool to another node (pve-manager PVE/API2/ReplicationConfig.pm create, PVE/API2/Replication.pm status, schedule_now; pve-guest-common PVE/Replication.pm); HA recovery starts it from the replica, and fails without one (pve-ha-manager Manager.pm next_state_recovery, next_state_started)', async () => {
      await formCluster(sims);
      const c1 = sims.client('pve1');
      for (const node of ['pve1', 'pve2', 'pve3']) await c1.task('POST', `/nodes/${node}/disks/zfs`, { name: 'tank', raidlevel: 'single', devices: '/dev/sdb' });
      await c1.post('/storage', { storage: 'tank', type: 'zfspool', pool: 'tank', content: 'images,rootdir' });
      await c1.task('POST', '/nodes/pve2/qemu', { vmid: 110, name: 'banker', memory: 1024, scsi0: 'tank:8' });
      await c1.task('POST', '/nodes/pve2/qemu', { vmid: 120, name: 'norepl', memory: 1024, scsi0: 'tank:8' });
      await c1.task('POST', '/nodes/pve2/qemu', { vmid: 130, name: 'onlvm', memory: 1024, scsi0: 'local-lvm:8' });
      const refused = async (params: Record<string, unknown>) => (await c1.raw('POST', '/cluster/replication', { type: 'local', ...params })).body.message;
      // ReplicationConfig.pm create / QemuConfig.pm get_replicatable_volumes / ReplicationConfig.pm parse_replication_job_id.
      expect(await refused({ id: '110-0', target: 'pve2' })).toBe('Source and target must not be identical');
      expect(await refused({ id: '110-0', target: 'pve9' })).toBe("Target 'pve9' does not exist.");
      expect(await refused({ id: '130-0', target: 'pve3' })).toBe("missing replicate feature on volume 'local-lvm:vm-130-disk-0'");
      expect(await refused({ id: '115-0', target: 'pve3' })).toBe("Guest '115' does not exist.");
      await c1.post('/cluster/replication', { id: '110-0', type: 'local', target: 'pve3', schedule: '*/15', rate: 50 });
      // ReplicationConfig.pm write_config: one job per guest and target.
      expect(await refused({ id: '110-1', target: 'pve3' })).toBe("replication job for guest '110' to target 'local/pve3' already exists");
      expect(await sims.client('pve3').get('/cluster/replication')).toEqual([{ id: '110-0', type: 'local', guest: 110, jobnum: 0, target: 'pve3', source: 'pve2', schedule: '*/15', rate: 50 }]);
      // Status on the guest's node only; never synced yet (ReplicationState.pm extract_job_state defaults).
      expect((await sims.client('pve2').get('/nodes/pve2/replication'))[0]).toMatchObject({ id: '110-0', last_sync: 0, fail_count: 0 });
      expect(await sims.client('pve3').get('/nodes/pve3/replication')).toEqual([]);
      await c1.post('/nodes/pve2/replication/110-0/schedule_now');
      const deadline = Date.now() + 20_000;
      let status: any;
      do {
        await new Promise((r) => setTimeout(r, 20));
        status = await c1.get('/nodes/pve2/replication/110-0/status');
      } while (!status.last_sync && Date.now() < deadline);
      expect(status).toMatchObject({ id: '110-0', target: 'pve3', fail_count: 0 });
      expect(status.last_sync).toBeGreaterThan(0);
      expect(status.error).toBeUndefined();
      expect((await sims.client('pve3').get('/nodes/pve3/storage/tank/content')).map((v: any) => v.volid)).toEqual(['tank:vm-110-disk-0']);

      if (pveVersion === '8.4') {
        await c1.post('/cluster/ha/groups', { group: 'banker', nodes: 'pve2:2,pve3:1' });
        for (const sid of ['vm:110', 'vm:120']) await c1.post('/cluster/ha/resources', { sid, state: 'started', group: 'banker' });
      } else {
        for (const sid of ['vm:110', 'vm:120']) await c1.post('/cluster/ha/resources', { sid, state: 'started' });
        await c1.post('/cluster/ha/rules', { rule: 'banker', type: 'node-affinity', resources: 'vm:110,vm:120', nodes: 'pve2:2,pve3:1' });
      }
      sims.powerOff('pve2');
      const vms = await c1.get('/cluster/resources', { type: 'vm' });
      expect(vms.find((r: any) => r.vmid === 110)).toMatchObject({ node: 'pve3', status: 'running', hastate: 'started' });
      // VM 120's disk is only on pve2's pool: the start fails on pve3, then on pve1, and HA gives up.
      expect(vms.find((r: any) => r.vmid === 120)).toMatchObject({ status: 'stopped', hastate: 'error' });
      expect(sims.cluster.haLog).toEqual([
        "recover service 'vm:110' from fenced node 'pve2' to node 'pve3'",
        "service 'vm:110' started on node 'pve3' (disks from the last replication: tank:vm-110-disk-0)",
        "recover service 'vm:120' from fenced node 'pve2' to node 'pve3'",
        "service 'vm:120' on node 'pve3': zfs error: cannot open 'tank/vm-120-disk-0': dataset does not exist",
        "starting service vm:120 on node 'pve3' failed, relocating service.",
        "service 'vm:120' on node 'pve1': zfs error: cannot open 'tank/vm-120-disk-0': dataset does not exist",
        'recovery policy for service vm:120 failed, entering error state. Failed nodes: pve3, pve1',
      ]);
      // The job now replicates back to the lost node (ReplicationConfig.pm switch_replication_job_target_nolock); it fails while pve2 is off.
      expect((await c1.get('/cluster/replication'))[0]).toMatchObject({ id: '110-0', source: 'pve3', target: 'pve2' });
      sims.cluster.runReplication('110-0');
      expect((await sims.client('pve3').get('/nodes/pve3/replication'))[0]).toMatchObject({ id: '110-0', target: 'pve2', fail_count: 1, error: expect.stringMatching(/No route to host/) });
    });

    it('storage.cfg is one file: a storage restricted with nodes= is listed everywhere, available only on its nodes (pve-storage PVE/Storage.pm storage_check_node)', async () => {
      await formCluster(sims);
      await sims.client('pve1').post('/storage', { storage: 'scratch', type: 'dir', path: '/mnt/scratch', content: 'iso', nodes: 'pve1' });
      expect((await sims.client('pve3').get('/storage')).find((s: any) => s.storage === 'scratch')).toMatchObject({ type: 'dir', nodes: 'pve1' });
      expect((await sims.client('pve1').get('/nodes/pve1/storage')).map((s: any) => s.storage)).toContain('scratch');
      expect((await sims.client('pve2').get('/nodes/pve2/storage')).map((s: any) => s.storage)).not.toContain('scratch');
      expect((await sims.client('pve2').raw('GET', '/nodes/pve2/storage/scratch/status')).body.message).toBe("storage 'scratch' is not available on node 'pve2'");
      // One definition: widening it on pve2 is seen on pve3 (pve-storage PVE/API2/Storage/Config.pm update).
      await sims.client('pve2').put('/storage/scratch', { nodes: 'pve1,pve2' });
      expect((await sims.client('pve3').get('/storage/scratch')).nodes).toBe('pve1,pve2');
    });

    it('serve --nodes prints what a cluster genesis.yaml needs: each node, the token, the fingerprints, the join password', () => {
      const text = describeCluster(sims);
      expect(text).toContain(`pve2   ${sims.node('pve2').url}/api2/json  address 192.168.1.12/24  fingerprint ${sims.node('pve2').fingerprint}`);
      expect(text).toContain(`PVE_FINGERPRINT_PVE3=${sims.node('pve3').fingerprint}`);
      expect(text).toContain('GENESIS_CLUSTER_PASSWORD=sim-root-pw');
    });

    it('live-migrates a running VM and refuses one with a passed-through device (QemuMigrate.pm prepare)', async () => {
      await formCluster(sims);
      await sims.client('pve1').task('POST', '/nodes/pve1/qemu', { vmid: 101, name: 'banker' });
      await sims.client('pve1').task('POST', '/nodes/pve1/qemu/101/status/start');
      const offline = await sims.client('pve1').post('/nodes/pve1/qemu/101/migrate', { target: 'pve2' });
      expect((await sims.client('pve1').waitTask(offline)).exitstatus).toBe("can't migrate running VM without --online");
      await sims.client('pve1').task('POST', '/nodes/pve1/qemu/101/migrate', { target: 'pve2', online: 1 });
      expect(Object.keys(sims.node('pve2').state.read().vms)).toEqual(['101']);
      sims.cluster.hostOf('pve1').state.vms['100'] = { vmid: 100, config: { name: 'brain', hostpci0: 'mapping=rtx3090,pcie=1' }, status: 'running', snapshots: {} };
      const gpu = await sims.client('pve1').post('/nodes/pve1/qemu/100/migrate', { target: 'pve3', online: 1 });
      expect((await sims.client('pve1').waitTask(gpu)).exitstatus).toBe("can't migrate VM which uses local devices: hostpci0");
    });
  });

  describeWithSchema(`PCI mappings in a simulated PVE ${pveVersion} cluster`, () => {
    jest.setTimeout(60_000);
    let sims: Awaited<ReturnType<typeof threeNodes>>;
    // pve1 has the RTX 3090 at 01:00 (group 14); pve2 has one at 02:00 (group 15); pve3 none.
    const atSlot2 = DEFAULT_PCI.map((d) => (d.id.startsWith('0000:01:00.') ? { ...d, id: d.id.replace('0000:01:00', '0000:02:00'), iommugroup: 15 } : d));
    const entry = (node: string, slot: string, group: number) => `node=${node},path=0000:${slot}:00,id=10de:2204,iommugroup=${group},subsystem-id=1043:87b3`;
    beforeEach(async () => {
      const schema = defaultSchemaPath(process.env, pveVersion);
      const started = await startSimCluster({
        pveVersion,
        taskDurationMs: 10,
        warn: () => undefined,
        rootPassword: 'sim-root-pw',
        pciDevices: (node) => (node === 'pve1' ? DEFAULT_PCI : node === 'pve2' ? atSlot2 : DEFAULT_PCI.filter((d) => d.vendor !== '0x10de')),
        ...(existsSync(schema) ? { schemaPath: schema } : {}),
      });
      sims = Object.assign(started, { client: (node: string) => new SimClient(started.node(node), started.node(node).tokens.root) });
      await formCluster(sims);
    });
    afterEach(async () => {
      await sims.stop();
    });

    it('keeps one map entry per node (pve-guest-common PVE/Mapping/PCI.pm `map` array; pve-manager PVE/API2/Cluster/Mapping/PCI.pm create, update, index check-node)', async () => {
      await sims.client('pve1').post('/cluster/mapping/pci', { id: 'rtx3090', map: [entry('pve1', '01', 14)], description: 'RTX 3090' });
      const [one] = await sims.client('pve2').get('/cluster/mapping/pci', { 'check-node': 'pve2' });
      expect(one.map).toEqual([entry('pve1', '01', 14)]);
      expect(one.checks).toEqual([{ severity: 'warning', message: 'No mapping for node pve2.' }]);
      // Adding pve2's entry is an update of the same mapping, sent through any node.
      await sims.client('pve2').put('/cluster/mapping/pci/rtx3090', { map: [entry('pve1', '01', 14), entry('pve2', '02', 15)], digest: one.digest });
      const [both] = await sims.client('pve2').get('/cluster/mapping/pci', { 'check-node': 'pve2' });
      expect((await sims.client('pve3').get('/cluster/mapping/pci'))[0].map).toEqual(both.map);
      // The hardware checked is the answering node's own.
      expect((await sims.client('pve3').raw('GET', '/cluster/mapping/pci', { 'check-node': 'pve2' })).body.message).toBe('wrong node to check - pve2 != pve3');
      expect(both.map).toEqual([entry('pve1', '01', 14), entry('pve2', '02', 15)]);
      expect(both.checks).toEqual([]);
      // A stale digest is refused (PVE::SectionConfig / assert_if_modified).
      expect((await sims.client('pve1').raw('PUT', '/cluster/mapping/pci/rtx3090', { map: [entry('pve1', '01', 14)], digest: one.digest })).status).toBe(500);
    });

    it('a VM resolves mapping=ID on its own node (PVE/Mapping/PCI.pm find_on_current_node, get_node_mapping; qemu-server PVE/QemuServer/PCI.pm parse_hostpci)', async () => {
      await sims.client('pve1').post('/cluster/mapping/pci', { id: 'rtx3090', map: [entry('pve1', '01', 14), entry('pve2', '02', 15)] });
      const ids = (node: string) => resolveHostpci(sims.cluster.hostOf(node), 'hostpci0', 'mapping=rtx3090,pcie=1').map((d) => d.id);
      expect(ids('pve1')).toEqual(['0000:01:00.0', '0000:01:00.1']);
      expect(ids('pve2')).toEqual(['0000:02:00.0', '0000:02:00.1']);
      for (const [node, vmid] of [['pve1', 100], ['pve2', 101], ['pve3', 102]] as const) {
        await sims.client(node).task('POST', `/nodes/${node}/qemu`, { vmid, name: `gpu-${node}`, hostpci0: 'mapping=rtx3090,pcie=1', machine: 'q35' });
      }
      await sims.client('pve1').task('POST', '/nodes/pve1/qemu/100/status/start');
      await sims.client('pve2').task('POST', '/nodes/pve2/qemu/101/status/start');
      const upid = await sims.client('pve3').post('/nodes/pve3/qemu/102/status/start');
      expect((await sims.client('pve3').waitTask(upid)).exitstatus).toBe("PCI device mapping not found for 'rtx3090'");
    });
  });
}
