/* eslint-disable @typescript-eslint/no-explicit-any -- JSON responses asserted field by field */
import { existsSync } from 'node:fs';
import { defaultSchemaPath } from '../schema';
import { describeWithSchema, SimClient } from '../server/testing';
import type { PveVersion } from '../model/release';
import { NO_QUORUM } from './sim-cluster';
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
      expect(sims.cluster.haLog).toEqual(["vm:110: node 'pve2' fenced, service recovered to 'pve3'"]);
      const ha = await sims.client('pve3').get('/cluster/ha/status/current');
      expect(ha[0]).toMatchObject({ type: 'quorum', quorate: 1 });
      expect(ha[1]).toMatchObject({ sid: 'vm:110', node: 'pve3', state: 'started' });
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
}
