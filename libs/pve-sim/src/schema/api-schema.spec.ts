// Against the official PVE 8.4.2 schema: the requests the provisioning engine makes are
// accepted, and the mistakes PVE refuses are refused with PVE's wording.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ApiSchema } from './api-schema';
import { defaultSchemaPath, loadApiSchema, SchemaLoadError } from './load';
import { parsePropertyString, propertyStringFormatOf } from './check';
import { perlAnchoredRegex } from './perl-regex';
import type { PropertySchema, ValidationResult } from './types';

const SCHEMA_FILE = defaultSchemaPath(process.env, '8.4');
const present = existsSync(SCHEMA_FILE);
if (!present && process.env['CI'] !== 'true') {
  console.warn(`pve-sim schema tests skipped: ${SCHEMA_FILE} is absent (they run, and fail, under CI=true).`);
}
const describeWithSchema = present || process.env['CI'] === 'true' ? describe : describe.skip;

const UPID = 'UPID:pve:000A1B2C:0012D687:6740A1B2:qmcreate:100:genesis@pve!provision:';

describeWithSchema('ApiSchema with the official PVE 8.4.2 schema', () => {
  let schema: ApiSchema;

  beforeAll(() => {
    const started = process.hrtime.bigint();
    schema = loadApiSchema(SCHEMA_FILE);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`loaded ${schema.routes().length} routes from ${SCHEMA_FILE} in ${ms.toFixed(1)} ms`);
  });

  const ok = (method: string, path: string, params: Record<string, string | string[]> = {}) => {
    const result = schema.validateRequest(method, path, params);
    if (!result.ok) throw new Error(`${method} ${path} refused: ${JSON.stringify(result)}`);
    return result;
  };
  const refused = (method: string, path: string, params: Record<string, string | string[]> = {}) => {
    const result: ValidationResult = schema.validateRequest(method, path, params);
    if (result.ok) throw new Error(`${method} ${path} accepted ${JSON.stringify(params)}`);
    return result;
  };
  const errorsOf = (method: string, path: string, params: Record<string, string | string[]> = {}) => {
    const result = refused(method, path, params);
    expect(result).toMatchObject({ status: 400, message: 'Parameter verification failed.' });
    return (result as { errors: Record<string, string> }).errors;
  };

  describe('loading', () => {
    it('indexes every method of the schema', () => {
      const routes = schema.routes();
      expect(routes).toHaveLength(605);
      expect(routes).toContainEqual(expect.objectContaining({ method: 'POST', pathTemplate: '/nodes/{node}/qemu' }));
    });

    it('compiles every pattern in the schema (Perl syntax converted)', () => {
      const patterns = new Set<string>();
      const collect = (p: PropertySchema | undefined): void => {
        if (!p) return;
        if (p.pattern) patterns.add(p.pattern);
        if (typeof p.format === 'object') Object.values(p.format).forEach(collect);
        collect(p.items);
      };
      for (const route of schema.routes()) Object.values(route.info.parameters?.properties ?? {}).forEach(collect);
      expect(patterns.size).toBeGreaterThan(50);
      for (const pattern of patterns) expect(() => perlAnchoredRegex(pattern)).not.toThrow();
    });

    it('is cached per file: a second load is the same object', () => {
      expect(loadApiSchema(SCHEMA_FILE)).toBe(schema);
    });

    it("also reads a host's apidoc.js (`const apiSchema = [...];` plus viewer code)", () => {
      const dir = mkdtempSync(join(tmpdir(), 'pve-sim-schema-'));
      try {
        const file = join(dir, 'apidoc.js');
        const json = readFileSync(SCHEMA_FILE, 'utf8');
        writeFileSync(file, `const apiSchema = ${json}\n;\nlet method2cmd = { "GET": "get" };\nExt.onReady(function() { /* ] */ });\n`);
        const fromJs = loadApiSchema(file);
        expect(fromJs.routes()).toHaveLength(605);
        expect(fromJs.match('GET', '/version')).toMatchObject({ route: { pathTemplate: '/version' } });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('names the file and the fix when it cannot load', () => {
      const dir = mkdtempSync(join(tmpdir(), 'pve-sim-schema-'));
      try {
        const missing = join(dir, 'nope.json');
        expect(() => loadApiSchema(missing)).toThrow(SchemaLoadError);
        expect(() => loadApiSchema(missing)).toThrow(new RegExp(`${missing}: unreadable \\(ENOENT\\).*PVE_SCHEMA`));
        const broken = join(dir, 'broken.json');
        writeFileSync(broken, '[{"path": "/version"');
        expect(() => loadApiSchema(broken)).toThrow(/broken\.json: not parseable/);
        const other = join(dir, 'other.json');
        writeFileSync(other, '{"openapi": "3.0.0"}');
        expect(() => loadApiSchema(other)).toThrow(/other\.json: not parseable \(neither a JSON array/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('matching paths', () => {
    it('fills path parameters from the template', () => {
      expect(schema.match('GET', '/nodes/pve/qemu/100/config')).toEqual({
        route: expect.objectContaining({ method: 'GET', pathTemplate: '/nodes/{node}/qemu/{vmid}/config' }),
        pathParams: { node: 'pve', vmid: '100' },
      });
    });

    it('accepts the /api2/json prefix and a percent-encoded UPID', () => {
      const match = schema.match('GET', `/api2/json/nodes/pve/tasks/${encodeURIComponent(UPID)}/status`);
      expect(match).toMatchObject({ route: { pathTemplate: '/nodes/{node}/tasks/{upid}/status' }, pathParams: { upid: UPID } });
    });

    it('prefers a literal segment over a variable one', () => {
      expect(schema.match('GET', '/nodes/pve/qemu')).toMatchObject({ route: { pathTemplate: '/nodes/{node}/qemu' } });
      expect(schema.match('GET', '/cluster/firewall/groups')).toMatchObject({ route: { pathTemplate: '/cluster/firewall/groups' } });
    });

    it('gives a volume ID the rest of the path, slashes included', () => {
      expect(schema.match('GET', '/nodes/pve/storage/local/content/local:iso/debian-12.iso')).toMatchObject({
        route: { pathTemplate: '/nodes/{node}/storage/{storage}/content/{volume}' },
        pathParams: { volume: 'local:iso/debian-12.iso' },
      });
    });

    it('routes every template of the schema back to itself, and validates without throwing', () => {
      const samples: Record<string, string> = { node: 'pve', vmid: '100', upid: UPID, storage: 'local', volume: 'local:iso/x.iso', iface: 'vmbr1' };
      for (const route of schema.routes()) {
        const path = route.pathTemplate.replace(/\{([\w-]+)\}/g, (_m, name: string) => encodeURIComponent(samples[name] ?? 'sample1'));
        const result = schema.validateRequest(route.method, path, {});
        if (result.ok || result.status === 400) {
          const matched = schema.match(route.method, path);
          expect('route' in matched && matched.route.pathTemplate).toBe(route.pathTemplate);
        } else {
          throw new Error(`${route.method} ${route.pathTemplate}: ${result.message}`);
        }
      }
    });

    it('tells an unknown path from a known path without that method', () => {
      expect(schema.match('GET', '/nodes/pve/nonsense')).toEqual({ error: 'unknown-path' });
      expect(schema.match('DELETE', '/version')).toEqual({ error: 'method-not-allowed' });
    });
  });

  describe('accepts what the engine sends', () => {
    it('POST /nodes/pve/qemu with disks, cloud-init, NIC and a mapped GPU', () => {
      const result = ok('POST', '/nodes/pve/qemu', {
        vmid: '100',
        name: 'llm-gpu',
        memory: '32768',
        cores: '8',
        sockets: '1',
        cpu: 'host',
        machine: 'q35',
        bios: 'ovmf',
        ostype: 'l26',
        scsihw: 'virtio-scsi-single',
        net0: 'virtio,bridge=vmbr1,firewall=1',
        scsi0: 'local-zfs:32,discard=on,iothread=1,ssd=1',
        ide2: 'local-zfs:cloudinit',
        efidisk0: 'local-zfs:1,efitype=4m,pre-enrolled-keys=0',
        ipconfig0: 'ip=10.0.1.10/24,gw=10.0.1.1',
        hostpci0: 'mapping=rtx3090,pcie=1',
        boot: 'order=scsi0',
        agent: 'enabled=1',
        ciuser: 'genesis',
        sshkeys: encodeURIComponent('ssh-ed25519 AAAAC3Nza genesis@lab'),
        tags: 'genesis;gpu',
        onboot: '1',
      });
      expect(result.params).toMatchObject({ node: 'pve', vmid: 100, cores: 8, onboot: true, net0: 'virtio,bridge=vmbr1,firewall=1' });
      expect(result.propertyStrings).toMatchObject({
        net0: { model: 'virtio', bridge: 'vmbr1', firewall: true },
        scsi0: { file: 'local-zfs:32', discard: 'on', iothread: true },
        ide2: { file: 'local-zfs:cloudinit' },
        ipconfig0: { ip: '10.0.1.10/24', gw: '10.0.1.1' },
        hostpci0: { mapping: 'rtx3090', pcie: true },
        memory: { current: 32768 },
      });
    });

    it('config update, clone, template and status calls', () => {
      ok('POST', '/nodes/pve/qemu/100/config', { net1: 'virtio=BC:24:11:AA:BB:CC,bridge=vmbr0,tag=20', delete: 'ide0', digest: 'a'.repeat(40) });
      ok('PUT', '/nodes/pve/qemu/100/config', { ipconfig1: 'ip=dhcp,ip6=auto', hostpci1: '0000:01:00.1' });
      ok('POST', '/nodes/pve/qemu/9000/clone', { newid: '101', name: 'llm-01', full: '0', target: 'pve' });
      ok('POST', '/nodes/pve/qemu/9000/template');
      ok('POST', '/nodes/pve/qemu/101/status/start');
      ok('POST', '/nodes/pve/qemu/101/status/shutdown', { timeout: '60', forceStop: '1' });
      ok('POST', '/nodes/pve/qemu/101/agent/ping');
      ok('POST', '/nodes/pve/qemu/101/agent/exec', { command: ['nvidia-smi', '-q', '-x'] });
      ok('GET', '/nodes/pve/qemu/101/agent/exec-status', { pid: '4242' });
    });

    it('network: stage a bridge, apply with PUT, revert with DELETE', () => {
      const created = ok('POST', '/nodes/pve/network', {
        type: 'bridge',
        iface: 'vmbr1',
        cidr: '10.0.1.1/24',
        autostart: '1',
        bridge_ports: 'enp2s0',
        'bridge_vlan_aware': '1',
        comments: 'genesis lab',
      });
      expect(created.params).toMatchObject({ autostart: true, type: 'bridge' });
      ok('PUT', '/nodes/pve/network');
      ok('DELETE', '/nodes/pve/network');
      ok('PUT', '/nodes/pve/network/vmbr1', { type: 'bridge', cidr: '10.0.1.1/24', autostart: '1' });
    });

    it('disks, ZFS pool and storage', () => {
      ok('GET', '/nodes/pve/disks/list', { 'include-partitions': '0' });
      ok('POST', '/nodes/pve/disks/zfs', {
        name: 'tank',
        raidlevel: 'mirror',
        devices: '/dev/sdb,/dev/sdc',
        compression: 'lz4',
        ashift: '12',
        add_storage: '1',
      });
      ok('POST', '/storage', { storage: 'tank', type: 'zfspool', pool: 'tank', content: 'images,rootdir', sparse: '1', nodes: 'pve' });
      ok('POST', '/nodes/pve/storage/local/download-url', {
        content: 'iso',
        filename: 'debian-12-genericcloud-amd64.qcow2',
        url: 'https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2',
        'checksum-algorithm': 'sha512',
        checksum: 'ab'.repeat(64),
      });
      ok('GET', '/nodes/pve/storage/local/content', { content: 'iso' });
    });

    it('firewall options, groups and rules at cluster, node and VM level', () => {
      ok('PUT', '/cluster/firewall/options', { enable: '1', policy_in: 'DROP', policy_out: 'ACCEPT' });
      ok('POST', '/cluster/firewall/groups', { group: 'llm-serving', comment: 'LLM API' });
      ok('POST', '/cluster/firewall/groups/llm-serving', { type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '8000', source: '10.0.1.0/24', enable: '1' });
      ok('POST', '/cluster/firewall/rules', { type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '8006', enable: '1', log: 'nolog' });
      ok('PUT', '/nodes/pve/firewall/options', { enable: '1' });
      ok('POST', '/nodes/pve/qemu/100/firewall/rules', { type: 'group', action: 'llm-serving', enable: '1' });
      ok('PUT', '/nodes/pve/qemu/100/firewall/options', { enable: '1', policy_in: 'DROP', dhcp: '1' });
      ok('GET', '/nodes/pve/qemu/100/firewall/rules');
    });

    it('PCI hardware and cluster mappings', () => {
      ok('GET', '/nodes/pve/hardware/pci', { 'pci-class-blacklist': '' });
      const mapped = ok('POST', '/cluster/mapping/pci', {
        id: 'rtx3090',
        map: 'node=pve,path=0000:01:00.0,id=10de:2204,iommugroup=14',
        description: 'RTX 3090',
      });
      expect(mapped.params['map']).toEqual(['node=pve,path=0000:01:00.0,id=10de:2204,iommugroup=14']);
      expect(mapped.propertyStrings['map[0]']).toEqual({ node: 'pve', path: '0000:01:00.0', id: '10de:2204', iommugroup: 14 });
      ok('PUT', '/cluster/mapping/pci/rtx3090', { map: ['node=pve,path=0000:01:00.0,id=10de:2204', 'node=pve2,path=0000:02:00.0,id=10de:2204'] });
    });

    it('tasks, version and nodes', () => {
      ok('GET', '/version');
      ok('GET', '/nodes');
      ok('GET', `/nodes/pve/tasks/${encodeURIComponent(UPID)}/status`);
      ok('GET', `/nodes/pve/tasks/${encodeURIComponent(UPID)}/log`, { start: '0', limit: '50' });
    });

    it('takes JSON body values (numbers, booleans) as their form spelling', () => {
      const result = schema.validateRequest('POST', '/nodes/pve/network', { type: 'bridge', iface: 'vmbr1', autostart: true, mtu: 9000, comments: undefined });
      expect(result).toMatchObject({ ok: true, params: { autostart: true, mtu: 9000 } });
    });

    it('ignores ExtJS’s _dc cache buster like PVE’s HTTP server', () => {
      ok('GET', '/version', { _dc: '1700000000000' });
    });
  });

  describe('refuses what PVE refuses, in PVE’s words', () => {
    it('an unknown parameter', () => {
      expect(errorsOf('POST', '/nodes/pve/qemu', { vmid: '100', gpu: 'rtx3090' })).toEqual({
        gpu: 'property is not defined in schema and the schema does not allow additional properties',
      });
    });

    it('an indexed parameter beyond PVE’s count (net31 ok, net32 not; scsi30 ok, scsi31 not)', () => {
      ok('POST', '/nodes/pve/qemu', { vmid: '100', net31: 'virtio,bridge=vmbr0', scsi30: 'local-zfs:8' });
      expect(errorsOf('POST', '/nodes/pve/qemu', { vmid: '100', net32: 'virtio', scsi31: 'local-zfs:8', hostpci16: '01:00.0', net01: 'virtio' })).toEqual({
        net32: expect.stringContaining('property is not defined in schema'),
        scsi31: expect.stringContaining('property is not defined in schema'),
        hostpci16: expect.stringContaining('property is not defined in schema'),
        net01: expect.stringContaining('property is not defined in schema'),
      });
    });

    it('a bad enum', () => {
      expect(errorsOf('POST', '/nodes/pve/network', { type: 'switch', iface: 'vmbr1' })).toEqual({
        type: expect.stringMatching(/^value 'switch' does not have a value in the enumeration 'bridge, bond, eth, alias, vlan, .*'$/),
      });
    });

    it('a bad property-string key, and a bad enum inside a property string', () => {
      expect(errorsOf('POST', '/nodes/pve/qemu', { vmid: '100', net0: 'virtio,bridge=vmbr1,foo=1' })).toEqual({
        net0: 'invalid format - invalid key in comma-separated list property: foo\n',
      });
      expect(errorsOf('POST', '/nodes/pve/qemu', { vmid: '100', net0: 'virtio3,bridge=vmbr1' })).toEqual({
        net0: expect.stringMatching(/^invalid format - format error\nnet0\.model: value 'virtio3' does not have a value in the enumeration 'e1000, .*, virtio, vmxnet3'\n$/),
      });
      expect(errorsOf('POST', '/nodes/pve/qemu', { vmid: '100', hostpci0: 'mapping=rtx3090,pcie=maybe' })).toEqual({
        hostpci0: "invalid format - format error\nhostpci0.pcie: type check ('boolean') failed - got 'maybe'\n",
      });
      expect(errorsOf('POST', '/nodes/pve/qemu', { vmid: '100', ipconfig0: 'ip=10.0.1.10,gw=10.0.1.1' })).toEqual({
        ipconfig0: 'invalid format - format error\nipconfig0.ip: invalid format - value does not look like a valid ipv4 network configuration\n\n',
      });
    });

    it('a missing required parameter', () => {
      expect(errorsOf('POST', '/nodes/pve/network', { iface: 'vmbr1' })).toEqual({ type: 'property is missing and it is not optional' });
      expect(errorsOf('POST', '/cluster/mapping/pci', { id: 'rtx3090' })).toEqual({ map: 'property is missing and it is not optional' });
    });

    it('a wrong type, booleans included (PVE takes only 0 and 1 outside property strings)', () => {
      expect(errorsOf('POST', '/nodes/pve/qemu', { vmid: '100', cores: 'four', onboot: 'true', balloon: '1.5' })).toEqual({
        cores: "type check ('integer') failed - got 'four'",
        onboot: "type check ('boolean') failed - got 'true'",
        balloon: "type check ('integer') failed - got '1.5'",
      });
    });

    it('bounds, formats and patterns', () => {
      expect(errorsOf('POST', '/nodes/pve/qemu', { vmid: '99', cores: '0', name: 'bad_name' })).toEqual({
        vmid: 'invalid format - value does not look like a valid VM ID\n',
        cores: 'value must have a minimum value of 1',
        name: 'invalid format - value does not look like a valid DNS name\n',
      });
      expect(errorsOf('POST', '/nodes/pve/network', { type: 'bridge', iface: 'vmbr1', cidr: '10.0.1.1' })).toEqual({
        cidr: 'invalid format - value does not look like a valid IPv4 CIDR network\n',
      });
      expect(errorsOf('POST', '/cluster/mapping/pci', { id: 'rtx3090', map: 'node=pve,path=0000:01:00.0,id=10de' })).toEqual({
        'map[0]': 'invalid format - format error\nmap[0].id: value does not match the regex pattern\n',
      });
    });

    it('path parameters too', () => {
      expect(errorsOf('GET', '/nodes/pve/qemu/abc/config')).toEqual({ vmid: "type check ('integer') failed - got 'abc'" });
      expect(errorsOf('GET', '/nodes/-pve/qemu')).toEqual({ node: 'invalid format - value does not look like a valid node name\n' });
    });

    it('a parameter that repeats a path parameter', () => {
      expect(errorsOf('POST', '/nodes/pve/qemu/100/config', { vmid: '100', cores: '2' })).toEqual({
        vmid: 'duplicate parameter (already defined in URI)',
      });
    });

    it('an unknown path or method with 501', () => {
      expect(refused('GET', '/api2/json/nodes/pve/gpu')).toEqual({ ok: false, status: 501, message: "Method 'GET /nodes/pve/gpu' not implemented" });
      expect(refused('DELETE', '/version')).toEqual({ ok: false, status: 501, message: "Method 'DELETE /version' not implemented" });
    });
  });

  describe('parameter schemas', () => {
    it('resolves indexed names and parses a stored value with the same rules', () => {
      const net = schema.parameter('POST', '/nodes/{node}/qemu', 'net3');
      expect(net?.description).toContain('network device');
      const format = net && propertyStringFormatOf(net);
      expect(format && parsePropertyString(format, 'virtio=BC:24:11:00:00:01,bridge=vmbr1', 'net3')).toEqual({
        model: 'virtio',
        macaddr: 'BC:24:11:00:00:01',
        bridge: 'vmbr1',
      });
      expect(schema.parameter('POST', '/nodes/{node}/qemu', 'net32')).toBeUndefined();
    });
  });

  describe('permissions', () => {
    it('exposes the permission rule and whether tokens may call', () => {
      expect(schema.permissionsOf('POST', '/nodes/{node}/qemu')).toMatchObject({ description: expect.stringContaining('VM.Allocate') });
      expect(schema.permissionsOf('GET', '/version')).toBeDefined();
      expect(schema.allowsToken('POST', '/nodes/{node}/qemu')).toBe(true);
      expect(schema.allowsToken('POST', '/access/ticket')).toBe(false);
      expect(schema.allowsToken('GET', '/no/such/route')).toBe(false);
    });
  });
});
