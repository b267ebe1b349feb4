import { readFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DesiredStateError, parseDesiredState } from './load';
import { GENESIS_FILE, REPO_ROOT, genesisState } from '../testing/desired-state';

const text = readFileSync(GENESIS_FILE, 'utf8');
const INFRA = join(REPO_ROOT, 'infra');

function problems(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseDesiredState(yaml, 'infra/genesis.yaml', env, INFRA);
  } catch (e) {
    if (e instanceof DesiredStateError) return e.message.split('\n').slice(1).map((l) => l.trim());
    throw e;
  }
  throw new Error('expected the desired state to be rejected');
}
const lineOf = (needle: string, from = 0) => text.slice(0, text.indexOf(needle, from)).split('\n').length;
function edit(find: string, replace: string, source = text): string {
  if (!source.includes(find)) throw new Error(`test fixture: ${find} not in genesis.yaml`);
  return source.replace(find, replace);
}

describe('desired state: infra/genesis.yaml', () => {
  it('loads, with node and endpoint from the environment', () => {
    const s = genesisState({ PVE_NODE: 'hive', PVE_HOST: '192.168.1.10', PVE_PORT: '8443' });
    expect(s.node).toBe('hive');
    expect(s.endpoint).toEqual({ host: '192.168.1.10', port: 8443 });
    expect(s.templates.map((t) => [t.id, t.name])).toEqual([[9000, 'Template-Ubuntu-AI'], [9001, 'Template-Win10-Trading']]);
    expect(s.vms.find((v) => v.id === 100)).toMatchObject({ name: 'brain', bridge: 'vmbr1', gpu: 'rtx3090' });
    expect(genesisState().node).toBe('pve');
  });

  it('names file, line, field, value and the fix for a bad CIDR', () => {
    expect(problems(edit('cidr: 10.0.1.1/24', 'cidr: 10.0.1.1/33'))).toEqual([
      `infra/genesis.yaml:${lineOf('cidr: 10.0.1.1/24')}: bridges[1].cidr: "10.0.1.1/33" is not an IPv4 CIDR; write it as a.b.c.d/nn, e.g. 10.0.1.1/24`,
    ]);
  });

  it('rejects a GPU id that is not xxxx:xxxx', () => {
    expect(problems(edit('ids: [10de:2204,', 'ids: [10de:22g4,'))[0]).toMatch(
      /^infra\/genesis\.yaml:\d+: gpus\[0\]\.ids\[0\]: "10de:22g4" is not a PCI vendor:device id; write it as xxxx:xxxx/,
    );
  });

  it('cross-checks: duplicate VM id (also against templates), unknown template, undefined bridge, GPU on two VMs', () => {
    let y = edit('  - id: 110', '  - id: 100');
    y = edit('  - id: 200', '  - id: 9001', y);
    y = edit('    template: 9000\n    bridge: vmbr1\n    address: 10.0.1.110/24', '    template: 9005\n    bridge: vmbr1\n    address: 10.0.1.110/24\n    gpu: rtx3090', y);
    y = edit('    bridge: vmbr2\n    address: 10.0.2.200/24', '    bridge: vmbr7\n    address: 10.0.2.200/24', y);
    const out = problems(y);
    expect(out).toEqual([
      expect.stringMatching(/:\d+: vms\[1\]\.id: VM id 100 is already used by vms\[0\]; pick a free id$/),
      expect.stringMatching(/vms\[1\]\.template: template 9005 is not declared under templates:; use one of: 9000, 9001$/),
      expect.stringMatching(/vms\[1\]\.gpu: GPU "rtx3090" is already assigned to vms\[0\] \(100\); a GPU passes through to one VM only$/),
      expect.stringMatching(/vms\[2\]\.id: VM id 9001 is already used by templates\[1\]; pick a free id$/),
      expect.stringMatching(/vms\[2\]\.bridge: bridge "vmbr7" is not declared; declare it under bridges: or use one of: vmbr0, vmbr1, vmbr2$/),
    ]);
    // Lines are the lines of those fields.
    expect(out[0]).toContain(`infra/genesis.yaml:${lineOf('  - id: 110') }:`);
  });

  it('cross-checks overlapping subnets and addresses outside their bridge', () => {
    let y = edit('cidr: 10.0.2.1/24', 'cidr: 10.0.1.129/25');
    y = edit('address: 10.0.1.110/24', 'address: 10.0.3.110/24', y);
    expect(problems(y)).toEqual([
      expect.stringMatching(/bridges\[2\]\.cidr: 10\.0\.1\.128\/25 overlaps vmbr1 \(10\.0\.1\.0\/24\); give each bridge its own subnet$/),
      expect.stringMatching(/vms\[1\]\.address: "10\.0\.3\.110\/24" is not in vmbr1's subnet 10\.0\.1\.0\/24; pick an address in it$/),
      expect.stringMatching(/vms\[2\]\.address: "10\.0\.2\.200\/24" is not in vmbr2's subnet 10\.0\.1\.128\/25/),
    ]);
  });

  it('refuses a network that cannot be rendered: bridge ports, NAT uplinks, gateways, reach and forwards', () => {
    const gw = edit('gateway: 192.168.1.1', 'gateway: 192.168.2.1');
    expect(problems(gw)).toEqual([
      expect.stringMatching(new RegExp(`^infra/genesis\\.yaml:${lineOf('gateway: 192.168.1.1')}: bridges\\[0\\]\\.gateway: "192\\.168\\.2\\.1" is outside 192\\.168\\.1\\.10/24; the gateway must sit in the bridge's subnet$`)),
    ]);
    const noGateway = edit('    gateway: 192.168.1.1\n', '');
    expect(problems(noGateway)).toEqual([
      expect.stringMatching(/bridges\[1\]\.nat: bridge "vmbr0" has no gateway, so masqueraded traffic has no way out; NAT through the bridge that holds the default gateway/),
      expect.stringMatching(/bridges\[2\]\.nat: bridge "vmbr0" has no gateway/),
    ]);
    const portIsBridge = edit('    comment: Intranet\n', '    comment: Intranet\n    ports: [vmbr2, enp3s0]\n');
    expect(problems(portIsBridge)).toEqual([
      expect.stringMatching(/bridges\[1\]\.ports\[0\]: "vmbr2" is another bridge; a bridge port is a NIC or bond/),
      expect.stringMatching(/bridges\[1\]\.ports\[1\]: "enp3s0" is already a port of vmbr0, the bridge with the management address and the gateway; moving its NIC cuts the host off; a NIC belongs to one bridge, remove it here$/),
    ]);
    const natWithoutCidr = edit('    cidr: 10.0.2.1/24\n', '');
    expect(problems(natWithoutCidr)).toContainEqual(
      expect.stringMatching(/bridges\[2\]\.nat: NAT needs this bridge's subnet; add a cidr/),
    );
    const badForward = edit('    comment: Intranet\n', '    comment: Intranet\n    reach: [vmbr7]\n    forwards: [{ port: 8443, to: 10.0.2.5 }]\n');
    expect(problems(badForward)).toEqual([
      expect.stringMatching(/bridges\[1\]\.reach\[0\]: bridge "vmbr7" is not declared/),
      expect.stringMatching(/bridges\[1\]\.forwards\[0\]\.to: "10\.0\.2\.5" is outside 10\.0\.1\.1\/24; forward to a VM address in this bridge's subnet$/),
    ]);
  });

  it("resolves '@bridge' in firewall rules to that bridge's subnet, and rejects unknown ones", () => {
    const fw = genesisState().firewall;
    expect(fw.rules[0].source).toBe('192.168.1.0/24');
    expect(fw.groups.find((g) => g.name === 'dmz')?.rules.map((r) => r.dest ?? r.source)).toEqual(['10.0.2.0/24', undefined, '10.0.1.0/24']);
    expect(problems(edit("dest: '@vmbr1'", "dest: '@vmbr5'"))).toEqual([
      expect.stringMatching(/^infra\/genesis\.yaml:\d+: firewall\.groups\[1\]\.rules\[2\]\.dest: "@vmbr5" names no declared bridge; write @ and a bridge from bridges: \(vmbr0, vmbr1, vmbr2\)$/),
    ]);
  });

  it('reports unknown keys, missing fields and unset variables with their lines', () => {
    const out = problems('version: 1\nnode: ${PVE_NODE}\nendpoint: { host: x }\n');
    expect(out).toEqual(['infra/genesis.yaml:2: node: ${PVE_NODE} is not set; export PVE_NODE=… or give a default: ${PVE_NODE:-value}']);
    expect(problems('version: 1\nnode: pve\nendpoint: { host: x }\nbridges:\n  - name: vmbr1\n    cidrr: 10.0.1.1/24\nvms:\n  - { id: 100 }\n')).toEqual([
      'infra/genesis.yaml:5: bridges[0]: unknown key "cidrr"; remove or correct the spelling',
      'infra/genesis.yaml:8: vms[0].name: is missing; add name: <string>',
      'infra/genesis.yaml:8: vms[0].template: is missing; add template: <number>',
      'infra/genesis.yaml:8: vms[0].bridge: is missing; add bridge: <string>',
    ]);
    expect(problems('a: [1\n')[0]).toMatch(/^infra\/genesis\.yaml:\d+: YAML syntax:/);
  });

  it('pins the cloud image: a checksum that is not 64 hex digits, or none, is refused with its line and the fix', () => {
    const at = lineOf('checksum: 3049');
    expect(problems(edit('checksum: 304983616fcb', 'checksum: 04983616fcb'))).toEqual([
      `infra/genesis.yaml:${at}: templates[0].disk.image.checksum: "04983616fcba6ee1452e9f38993d7d3b8a90e1eb65fb0054d672ce23294d812" is not a sha256 sum (64 hex digits); copy the image's line from SHA256SUMS next to it (\`sha256sum FILE\` of a copy you trust)`,
    ]);
    const [missing] = problems(edit(/\n {8}checksum: [0-9a-f]+/.exec(text)![0], ''));
    expect(missing).toMatch(/^infra\/genesis\.yaml:\d+: templates\[0\]\.disk\.image\.checksum: is missing; pin the image: write checksum: /);
  });

  it('a Windows install needs OVMF, an EFI disk, a TPM and ISO volumes on storages that hold ISOs', () => {
    expect(problems(edit('    bios: ovmf\n', ''))).toEqual(
      expect.arrayContaining([expect.stringMatching(/templates\[1\]\.bios: the unattended install partitions for UEFI \(GPT\); write bios: ovmf$/)]),
    );
    expect(problems(edit('iso: local:iso/Win10_LTSC_2021_x64.iso', 'iso: tank:iso/Win10.iso'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/templates\[1\]\.install\.iso: storage "tank" does not hold iso; add iso to its content list$/)]),
    );
    expect(problems(edit('    ostype: win10\n', '    ostype: l26\n'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/templates\[1\]\.install: is for Windows templates/)]),
    );
  });

  it('takes the guests\' SSH keys from the environment, drops unset ones, and refuses what is not a public key', () => {
    expect(genesisState({}).ssh_keys).toEqual([]);
    expect(genesisState({ GENESIS_SSH_KEY: 'ssh-ed25519 AAAAC3Nza me@x' }).ssh_keys).toEqual(['ssh-ed25519 AAAAC3Nza me@x']);
    expect(problems(text, { GENESIS_SSH_KEY: 'BEGIN OPENSSH PRIVATE KEY' })).toEqual([
      `infra/genesis.yaml:${lineOf('- ${GENESIS_SSH_KEY')}: ssh_keys[0]: "BEGIN OPENSSH PRIVATE KEY" is not an OpenSSH public key (type base64 [comment]); paste the line of your ~/.ssh/id_ed25519.pub`,
    ]);
  });

  it("writes a macro in pve-firewall's own spelling, so the plan converges (ssh → SSH)", () => {
    const fw = parseDesiredState(edit('macro: SSH', 'macro: ssh'), 'infra/genesis.yaml', {}, INFRA).firewall;
    expect(fw.rules[1].macro).toBe('SSH');
  });
});

describe('cloud-init user data', () => {
  const userData = join(INFRA, genesisState().templates[0].cloudinit.userData!);
  const cloudInit = spawnSync('cloud-init', ['--version']);
  const run = cloudInit.status === 0 ? it : it.skip;
  if (cloudInit.status !== 0) console.log('cloud-init is not installed: skipping `cloud-init schema` (scripts/setup/install-dependencies.sh installs it)');

  run('passes `cloud-init schema`', () => {
    expect(execFileSync('cloud-init', ['schema', '-c', userData], { encoding: 'utf8' })).toContain('Valid');
  });

  it('installs python3.10 and the NVIDIA driver', () => {
    const ud = readFileSync(userData, 'utf8');
    expect(ud.startsWith('#cloud-config')).toBe(true);
    expect(ud).toMatch(/- python3\.10\n/);
    expect(ud).toMatch(/- nvidia-driver-\d+/);
  });
});
