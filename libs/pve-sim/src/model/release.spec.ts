/**
 * The behaviour table of the README, row by row, over HTTPS against both releases, each request
 * validated by that release's official schema. Each test names the PVE source it follows.
 */
import { describeWithSchema, startTestSimulator } from '../server/testing';
import { PVE_VERSIONS, type PveVersion } from './release';

type Sim = Awaited<ReturnType<typeof startTestSimulator>>;

const EXPECT: Record<PveVersion, { version: object; local: string; pin: string }> = {
  '9.1': { version: { version: '9.1.3', release: '9.1', repoid: '5829c814947b3364' }, local: 'backup,import,iso,vztmpl', pin: 'pc-q35-10.1' },
  '8.4': { version: { version: '8.4.2', release: '8.4', repoid: '930c59e20fd1774d' }, local: 'backup,iso,vztmpl', pin: 'pc-q35-9.2+pve1' },
};

describeWithSchema('what each Proxmox VE release does', () => {
  describe.each(PVE_VERSIONS)('PVE %s', (pveVersion) => {
    let sim: Sim;
    const want = EXPECT[pveVersion];
    beforeAll(async () => {
      sim = await startTestSimulator({ pveVersion });
    });
    afterAll(() => sim.stop());

    it('pve-manager PVE/API2.pm version: /version answers version, release and the 16-digit repoid', async () => {
      expect(await sim.clients.auditor.get('/version')).toEqual(want.version);
      expect(sim.schemaPath).toMatch(new RegExp(`pve-${pveVersion.replace('.', '\\.')}\\.\\d+-apischema\\.json$`));
    });

    it('pve-installer Proxmox/Install/StorageConfig.pm get_lvm_thin_config: content of local on a fresh install', async () => {
      const local = await sim.clients.root.get('/storage/local');
      expect(String(local.content).split(',').sort().join(',')).toBe(want.local);
    });

    it('pve-storage API2/Storage/Status.pm download_url: import takes .ova/.qcow2/.raw/.vmdk, not .img; content must be configured', async () => {
      const body = { url: 'https://cloud-images.ubuntu.com/x.img', content: 'import' };
      if (pveVersion === '8.4') {
        const unconfigured = await sim.clients.root.raw('POST', '/nodes/pve/storage/local/download-url', { ...body, filename: 'x.qcow2' });
        expect([unconfigured.status, unconfigured.body.message]).toEqual([500, "storage 'local' is not configured for content-type 'import'"]);
        await sim.clients.root.put('/storage/local', { content: 'iso,vztmpl,backup,import' });
      }
      const img = await sim.clients.root.raw('POST', '/nodes/pve/storage/local/download-url', { ...body, filename: 'ubuntu.img' });
      expect([img.status, img.body.errors]).toEqual([400, { filename: 'invalid filename or wrong extension' }]);
      for (const filename of ['ubuntu.qcow2', 'disk.raw', 'disk.vmdk', 'appliance.ova']) {
        await sim.clients.root.task('POST', '/nodes/pve/storage/local/download-url', { ...body, filename });
      }
      const volids = (await sim.clients.root.get('/nodes/pve/storage/local/content', { content: 'import' })).map((v: { volid: string }) => v.volid);
      expect(volids).toEqual(expect.arrayContaining(['local:import/ubuntu.qcow2', 'local:import/appliance.ova']));
    });

    it('pve-common Tools.pm download_file_from_url: an existing file is kept when its checksum matches, else the task fails', async () => {
      const sum = 'e240e4b801f7bb68c20d1356b60968ad0c33a41d00d828e74ceb3364a0317be9';
      const body = { url: 'https://example.invalid/cirros.qcow2', content: 'import', filename: 'cirros.qcow2' };
      await sim.clients.root.task('POST', '/nodes/pve/storage/local/download-url', { ...body, checksum: sum, 'checksum-algorithm': 'sha256' });
      const again = await sim.clients.root.task('POST', '/nodes/pve/storage/local/download-url', { ...body, checksum: sum, 'checksum-algorithm': 'sha256' });
      const log = (await sim.clients.root.get(`/nodes/pve/tasks/${encodeURIComponent(again)}/log`)).map((l: { t: string }) => l.t);
      expect(log).toContain('calculating checksum of existing file...OK, got correct file already, no need to download');
      const upid = await sim.clients.root.post('/nodes/pve/storage/local/download-url', body);
      expect((await sim.clients.root.waitTask(upid)).exitstatus).toBe("refusing to override existing file '/var/lib/vz/import/cirros.qcow2'");
    });

    it("qemu-server API2/Qemu.pm create_vm + QemuServer/Machine.pm check_and_pin_machine_string: a Windows VM's q35 is pinned, a Linux VM's is not", async () => {
      const upid = await sim.clients.root.task('POST', '/nodes/pve/qemu', {
        vmid: 9001, name: 'win', ostype: 'win10', machine: 'q35', bios: 'ovmf', efidisk0: 'local-lvm:1,efitype=4m,pre-enrolled-keys=1',
      });
      const config = await sim.clients.root.get('/nodes/pve/qemu/9001/config');
      expect(config.machine).toBe(want.pin);
      // OVMF.pm create_efidisk: a copy of the 4m vars (528K), marked as carrying the MS UEFI CA 2023.
      expect(config.efidisk0).toMatch(/^local-lvm:vm-9001-disk-\d+,efitype=4m,ms-cert=2023k,pre-enrolled-keys=1,size=528K$/);
      const log = (await sim.clients.root.get(`/nodes/pve/tasks/${encodeURIComponent(upid)}/log`)).map((l: { t: string }) => l.t);
      expect(log).toContain(`pinning machine type to '${want.pin}' for Windows guest OS`);
      await sim.clients.root.task('POST', '/nodes/pve/qemu', { vmid: 9002, name: 'linux', ostype: 'l26', machine: 'q35' });
      expect((await sim.clients.root.get('/nodes/pve/qemu/9002/config')).machine).toBe('q35');
    });

    it('qemu-server API2/Qemu.pm update_vm: changing ostype to Windows pins the machine too, unless machine is given', async () => {
      const upid = await sim.clients.root.task('POST', '/nodes/pve/qemu/9002/config', { ostype: 'win11' });
      expect((await sim.clients.root.get('/nodes/pve/qemu/9002/config')).machine).toBe(want.pin);
      const log = (await sim.clients.root.get(`/nodes/pve/tasks/${encodeURIComponent(upid)}/log`)).map((l: { t: string }) => l.t);
      expect(log).toContain(`pinning machine type to '${want.pin}' for Windows guest OS`);
      await sim.clients.root.task('POST', '/nodes/pve/qemu/9002/config', { ostype: 'win10', machine: 'q35' });
      expect((await sim.clients.root.get('/nodes/pve/qemu/9002/config')).machine).toBe('q35');
    });

    it('pve-firewall API2/Firewall/Rules.pm create_rule: a new rule goes on top whatever pos says, without a digest check', async () => {
      for (const [i, port] of ['22', '80', '443'].entries()) {
        await sim.clients.root.post('/cluster/firewall/rules', { type: 'in', action: 'ACCEPT', proto: 'tcp', dport: port, pos: i, digest: '0'.repeat(40), enable: 1 });
      }
      const rules = await sim.clients.root.get('/cluster/firewall/rules');
      expect(rules.map((r: { dport: string; pos: number }) => [r.pos, r.dport])).toEqual([[0, '443'], [1, '80'], [2, '22']]);
    });

    it('pve-firewall API2/Firewall/Rules.pm update_rule: moveto puts the rule in front of the one that was at that index', async () => {
      // [443, 80, 22]: moving 0 to 1 changes nothing, 0 to 2 swaps with the next, 0 to 3 (past the end) goes last.
      const order = async () => (await sim.clients.root.get('/cluster/firewall/rules')).map((r: { dport: string }) => r.dport);
      await sim.clients.root.put('/cluster/firewall/rules/0', { moveto: 1 });
      expect(await order()).toEqual(['443', '80', '22']);
      await sim.clients.root.put('/cluster/firewall/rules/0', { moveto: 2 });
      expect(await order()).toEqual(['80', '443', '22']);
      await sim.clients.root.put('/cluster/firewall/rules/0', { moveto: 3 });
      expect(await order()).toEqual(['443', '22', '80']);
      const stale = await sim.clients.root.raw('PUT', '/cluster/firewall/rules/0', { moveto: 1, digest: '0'.repeat(40) });
      expect([stale.status, stale.body.message]).toEqual([500, 'detected modified configuration - file changed by other user? Try again.']);
      const missing = await sim.clients.root.raw('DELETE', '/cluster/firewall/rules/9');
      expect([missing.status, missing.body.message]).toEqual([500, 'no rule at position 9']);
    });

    it('pve-firewall Firewall.pm verify_rule: refusals with their messages, macro names as PVE spells them', async () => {
      const refused = async (params: Record<string, string>) => (await sim.clients.root.raw('POST', '/cluster/firewall/rules', { type: 'in', action: 'ACCEPT', ...params })).body.errors;
      expect(await refused({ dport: '22' })).toEqual({ proto: "missing property - 'dport' requires this property" });
      expect(await refused({ proto: 'gre', dport: '22' })).toEqual({ dport: "protocol 'gre' does not support ports" });
      expect(await refused({ proto: 'tcp', dport: '90:80' })).toEqual({ dport: "backwards range '90:80' not allowed, did you mean '80:90'?" });
      expect(await refused({ proto: 'tcp', dport: 'nosuchservice' })).toEqual({ dport: "invalid port 'nosuchservice'" });
      expect(await refused({ macro: 'NoSuchMacro' })).toEqual({ macro: "unknown macro 'NoSuchMacro'" });
      expect(await refused({ macro: 'SSH', proto: 'udp' })).toEqual({ proto: "parameter 'proto' already define in macro (value = 'tcp')" });
      expect(await refused({ source: '10.0.0.0/8,fd00::/8' })).toEqual({ source: "detected mixed ipv4/ipv6 addresses in address list '10.0.0.0/8,fd00::/8'" });
      expect(await refused({ source: '+nosuchset' })).toEqual({ source: "no such ipset 'nosuchset'" });
      expect(await refused({ macro: 'SSH', proto: 'tcp', dport: 'ssh' })).toEqual({ dport: "parameter 'dport' already define in macro (value = '22')" });
      await sim.clients.root.post('/cluster/firewall/rules', { type: 'in', action: 'ACCEPT', macro: 'ssh', source: '192.168.1.0/24', enable: 1 });
      expect(await sim.clients.root.get('/cluster/firewall/rules/0')).toMatchObject({ macro: 'SSH', ipversion: 4, enable: 1 });
    });

    it('pve-firewall Firewall.pm $format_rules / parse_fw_rule: what a GET reads back from the .fw file', async () => {
      const group = `rt${pveVersion.replace('.', '')}`;
      await sim.clients.root.post('/cluster/firewall/groups', { group });
      const iface = await sim.clients.root.raw('POST', `/cluster/firewall/groups/${group}`, { type: 'in', action: 'DROP', iface: 'vmbr1' });
      expect(iface.body.errors).toEqual({ type: 'parameter -i not allowed for this rule type' });
      await sim.clients.root.post(`/cluster/firewall/groups/${group}`, { type: 'in', action: 'DROP', source: '10.0.2.0/24', comment: '  spaced  ' });
      const [rule] = await sim.clients.root.get(`/cluster/firewall/groups/${group}`);
      // A disabled rule is written `|IN …` and read back with enable 0; the comment comes back trimmed.
      expect(rule).toEqual({ type: 'in', action: 'DROP', source: '10.0.2.0/24', comment: 'spaced', enable: 0, ipversion: 4, pos: 0, digest: expect.stringMatching(/^[0-9a-f]{40}$/) });
    });

    it('pve-common INotify.pm read_etc_network_interfaces: a comment reads back line by line with its newline', async () => {
      await sim.clients.root.post('/nodes/pve/network', { iface: 'vmbr7', type: 'bridge', cidr: '10.7.0.1/24', comments: 'Intranet' });
      expect(await sim.clients.root.get('/nodes/pve/network/vmbr7')).toMatchObject({ comments: 'Intranet\n', cidr: '10.7.0.1/24', address: '10.7.0.1', netmask: '24' });
      await sim.clients.root.delete('/nodes/pve/network');
    });

    it('official schema: the agent option freeze-fs (9.x; freeze-fs-on-backup is its alias there) and network type fabric', async () => {
      const freeze = await sim.clients.root.raw('POST', '/nodes/pve/qemu', { vmid: 9003, agent: 'enabled=1,freeze-fs=0' });
      const fabric = await sim.clients.root.raw('GET', '/nodes/pve/network', { type: 'fabric' });
      if (pveVersion === '8.4') {
        expect(freeze.status).toBe(400);
        expect(fabric.status).toBe(400);
      } else {
        expect(freeze.status).toBe(200);
        expect(fabric.status).toBe(200);
      }
    });
  });
});
