import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run';
import { REHEARSAL_ENV } from './rehearsal';
import { renderUserData } from '@genesis/installer';
import { NETWORK_COMMANDS, parseArgs, USAGE } from './args';
import * as network from '@genesis/network';
import { loadDesiredState } from '../state/load';
import { PVE_VERSIONS } from '@genesis/pve-sim';
import { GENESIS_FILE, REPO_ROOT } from '../testing/desired-state';
import { schemaFileFor } from '../testing/simulated-host';

const haveSchema = PVE_VERSIONS.every((v) => existsSync(schemaFileFor(v)));
const itSim = haveSchema || process.env.CI === 'true' ? it : it.skip;
jest.setTimeout(30_000);

describe('genesis CLI', () => {
  let dir: string;
  let out: string[];
  let err: string[];
  const io = (env: NodeJS.ProcessEnv = {}) => ({
    out: (l: string) => out.push(...l.split('\n')),
    err: (l: string) => err.push(...l.split('\n')),
    env,
    simStateFile: join(dir, 'sim', 'state.json'),
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'genesis-cli-'));
    out = [];
    err = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('parses commands and flags', () => {
    expect(parseArgs(['provision', '--prune', '--file', 'x.yaml', '--allow-management-change'])).toEqual({
      command: 'provision',
      file: 'x.yaml',
      prune: true,
      pruneNames: [],
      allowManagementChange: true,
      reboot: false,
      confirmConsole: false,
    });
    expect(parseArgs(['provision', '--prune=local-lvm,old'])).toMatchObject({ prune: true, pruneNames: ['local-lvm', 'old'] });
    expect(() => parseArgs(['plan', '--prune='])).toThrow(/--prune= needs a name, e.g. --prune=local-lvm/);
    expect(parseArgs(['gpu', '--reboot', '--confirm-console'])).toMatchObject({ command: 'gpu', reboot: true, confirmConsole: true });
    expect(() => parseArgs(['deploy'])).toThrow(/unknown command "deploy"\n\nusage: genesis <plan\|provision\|verify\|storage\|bridges\|firewall\|templates\|gpu\|vms\|render\|rehearse>/);
    expect(() => parseArgs(['plan', '--force'])).toThrow(/unknown option --force/);
  });

  it('render and rehearse are the network library\'s commands, with its default output folder', () => {
    expect(NETWORK_COMMANDS).toEqual(network.NETWORK_COMMANDS);
    expect(parseArgs(['render', '--file', 'x.yaml', '--out', 'dist/site'])).toMatchObject({ command: 'render', file: 'x.yaml', out: 'dist/site' });
    expect(USAGE).toContain(`(default ${network.DEFAULT_RENDER_OUT})`);
    expect(() => parseArgs(['plan', '--out', 'dist'])).toThrow(/--out is an option of render only/);
    expect(() => parseArgs(['render', '--out'])).toThrow(/--out needs a folder, e.g. --out dist\/infra/);
  });

  it('render writes the host network files without contacting a host', async () => {
    const code = await runCli(['render', '--file', GENESIS_FILE, '--out', join(dir, 'out')], io());
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const spec = loadDesiredState(GENESIS_FILE);
    const expected = network.renderHost(spec, spec.source.file);
    expect(readFileSync(join(dir, 'out', spec.node, 'interfaces'), 'utf8')).toBe(expected.interfaces);
    expect(readFileSync(join(dir, 'out', spec.node, 'genesis.nft'), 'utf8')).toBe(expected.policy);
    expect(out).toEqual([`wrote ${join(dir, 'out', spec.node, 'interfaces')}`, `wrote ${join(dir, 'out', spec.node, 'genesis.nft')}`]);
    expect(existsSync(join(dir, 'sim'))).toBe(false);
  });

  it('render and rehearse take one node\'s file: a cluster file is refused with the reason', async () => {
    const code = await runCli(['render', '--file', join(REPO_ROOT, 'infra/cluster/genesis.yaml'), '--out', join(dir, 'out')], io());
    expect(code).toBe(2);
    expect(err).toEqual([expect.stringMatching(/infra\/cluster\/genesis\.yaml: render takes one node's file; this is a cluster file/)]);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('--version prints the version and starts nothing', async () => {
    expect(await runCli(['--version'], io())).toBe(0);
    expect(out).toEqual([expect.stringMatching(/^genesis \d+\.\d+\.\d+ \(node \d+\.\d+\.\d+\)$/)]);
    expect(err).toEqual([]);
    expect(existsSync(join(dir, 'sim'))).toBe(false);
  });

  itSim('without PVE_HOST says it uses the embedded simulator, plans, and traces only reads', async () => {
    const trace = join(dir, 'trace.jsonl');
    const code = await runCli(['plan', '--file', GENESIS_FILE], io({ PVE_TRACE: trace }));
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^No PVE_HOST set: using the embedded Proxmox VE 9\.1\.3 simulator at https:\/\/127\.0\.0\.1:\d+ \(state: .*sim\/state\.json; GENESIS_PVE_VERSION=8\.4 rehearses 8\.4\)$/);
    expect(out).toContain('  host: Proxmox VE 9.1.3 (release 9.1)');
    expect(out).toContain('  + storage tank: create');
    expect(out).toContain('Plan: 12 to create, 4 to update, 0 to delete, 1 unchanged.');
    expect(out).toContainEqual(expect.stringMatching(/^ {2}\+ host network: NAT and forwarding policy \(simulated host \(.*sim\/host\)\): create$/));
    // The host's file changes sit in the same plan, as diffs.
    expect(out).toContainEqual(expect.stringMatching(/^ {2}~ gpu host rtx3090 \(simulated host \(.*sim\/host\)\): update$/));
    expect(out).toContain('      +GRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=pt"');
    const lines = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { method: string });
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.every((l) => l.method === 'GET')).toBe(true);
  });

  itSim('a step converges only its resources, and the state file carries it to the next run', async () => {
    expect(await runCli(['storage', '--file', GENESIS_FILE], io())).toBe(0);
    expect(out.filter((l) => l.startsWith('  ✓ '))).toEqual([expect.stringMatching(/^ {2}✓ storage tank: create \(/), expect.stringMatching(/^ {2}✓ storage local: update \(/)]);
    out = [];
    expect(await runCli(['plan', '--file', GENESIS_FILE], io())).toBe(0);
    expect(out).toContain('  = storage tank');
    expect(out).toContain('  + bridge vmbr1: create');
  });

  itSim('GENESIS_PVE_VERSION=8.4 rehearses against the 8.4 simulator; an unknown release is refused before anything starts', async () => {
    expect(await runCli(['plan', '--file', GENESIS_FILE], { ...io({ GENESIS_PVE_VERSION: '8.4' }), simStateFile: join(dir, 'sim', 'state-8.4.json') })).toBe(0);
    expect(out[0]).toMatch(/embedded Proxmox VE 8\.4\.2 simulator/);
    expect(out).toContain('  host: Proxmox VE 8.4.2 (release 8.4)');
    out = [];
    expect(await runCli(['plan', '--file', GENESIS_FILE], io({ GENESIS_PVE_VERSION: '7.4' }))).toBe(1);
    expect(err).toEqual(["cannot reach Proxmox: GENESIS_PVE_VERSION '7.4' is not a simulated Proxmox VE release; use 9.1 or 8.4 (default 9.1)"]);
  });

  itSim('gpu: host files, a reboot on request, PASS for lspci and nvidia-smi in VM 100; a second run changes nothing', async () => {
    expect(await runCli(['provision', '--file', GENESIS_FILE], io())).toBe(0);
    expect(out).toContainEqual(expect.stringMatching(/^ {2}REBOOT NEEDED: the kernel options and vfio-pci binding take effect at the next boot of simulated host/));
    // The snippet reached the snippets storage through the channel, with the guests' SSH key added.
    expect(readFileSync(join(dir, 'sim/host/var/lib/vz/snippets/genesis-ubuntu-ai.yaml'), 'utf8')).toBe(
      renderUserData(readFileSync(join(REPO_ROOT, 'infra/cloud-init/ubuntu-ai.yaml'), 'utf8'), [REHEARSAL_ENV.GENESIS_SSH_KEY]),
    );
    out = [];
    expect(await runCli(['gpu', '--reboot', '--file', GENESIS_FILE], io())).toBe(0);
    expect(out.filter((l) => /^(PASS|FAIL) /.test(l))).toEqual([
      'PASS  lspci shows vfio-pci for rtx3090 (10de:2204, 10de:1aef): 0000:01:00.0 [10de:2204] Kernel driver in use: vfio-pci; 0000:01:00.1 [10de:1aef] Kernel driver in use: vfio-pci',
      'PASS  IOMMU group of rtx3090 holds only the card: group 14: 0000:01:00.0, 0000:01:00.1',
      'PASS  nvidia-smi works in VM 100 (brain): NVIDIA GeForce RTX 3090, driver 525.147.05, 24576 MiB',
    ]);
    out = [];
    expect(await runCli(['plan', '--file', GENESIS_FILE], io())).toBe(0);
    expect(out).toContainEqual(expect.stringMatching(/^ {2}= gpu host rtx3090 \(simulated host/));
    expect(out).toContain('  = pci mapping rtx3090');
    expect(out).toContain('No changes: the host matches the desired state.');
    const state = JSON.parse(readFileSync(join(dir, 'sim/state.json'), 'utf8')) as { vms: Record<string, { config: Record<string, string> }> };
    expect(state.vms['100'].config.hostpci0).toBe('mapping=rtx3090,pcie=1');
  });

  itSim('NAT: provision installs it after the bridges, verify PASSes it, a second provision changes nothing', async () => {
    expect(await runCli(['provision', '--file', GENESIS_FILE], io())).toBe(0);
    expect(out).toContainEqual(expect.stringMatching(/^ {2}✓ host network: NAT and forwarding policy \(simulated host \(.*sim\/host\)\): create \(/));
    out = [];
    await runCli(['verify', '--file', GENESIS_FILE], io());
    expect(out.filter((l) => /^(PASS|FAIL) {2}(NAT|IPv4)/.test(l))).toEqual([
      expect.stringMatching(/^PASS {2}NAT policy loaded: table inet genesis on simulated host \(.*sim\/host\) is \/etc\/network\/genesis\.nft as rendered from infra\/genesis\.yaml$/),
      'PASS  IPv4 forwarding on: /proc/sys/net/ipv4/ip_forward is 1',
      'PASS  NAT lines kept in /etc/network/interfaces for vmbr1, vmbr2: post-up echo 1 > /proc/sys/net/ipv4/ip_forward; post-up nft -f /etc/network/genesis.nft',
    ]);
    out = [];
    expect(await runCli(['provision', '--file', GENESIS_FILE], io())).toBe(0);
    expect(out).toContainEqual(expect.stringMatching(/^ {2}= host network: NAT and forwarding policy \(simulated host/));
    expect(out.filter((l) => l.startsWith('  ✓ '))).toEqual([]);
  }, 120_000);

  itSim('PVE_SCHEMA reaches the embedded simulator: with the schema there, no note; a missing one stops before anything starts', async () => {
    expect(await runCli(['plan', '--file', GENESIS_FILE], io({ PVE_SCHEMA: schemaFileFor('9.1') }))).toBe(0);
    expect(out.filter((l) => l.startsWith('pve-sim:'))).toEqual([]);
    out = [];
    const missing = join(dir, 'apidoc.js');
    expect(await runCli(['plan', '--file', GENESIS_FILE], { ...io({ PVE_SCHEMA: missing }), simStateFile: join(dir, 'sim2', 'state.json') })).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([expect.stringContaining(`cannot reach Proxmox: pve-sim: no PVE 9.1 API schema at ${missing}, the file PVE_SCHEMA names; point it at the schema: set PVE_SCHEMA to a PVE 9.1 host's /usr/share/pve-docs/api-viewer/apidoc.js`)]);
    expect(existsSync(join(dir, 'sim2'))).toBe(false);
  });

  it('rejects an invalid desired state with exit 2 before starting anything', async () => {
    const bad = join(dir, 'genesis.yaml');
    writeFileSync(bad, readFileSync(GENESIS_FILE, 'utf8').replace('cidr: 10.0.2.1/24', 'cidr: 10.0.2.300/24'));
    const code = await runCli(['provision', '--file', bad], io());
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err[0]).toBe('1 problem in the desired state; nothing was sent to the host:');
    expect(err[1]).toMatch(/genesis\.yaml:\d+: bridges\[2\]\.cidr: "10\.0\.2\.300\/24" is not an IPv4 CIDR/);
    expect(existsSync(join(dir, 'sim'))).toBe(false);
  });
});
