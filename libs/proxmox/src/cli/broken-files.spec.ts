/**
 * The adversarial corpus of issue 15: broken desired-state files fed to `provision` on an empty and
 * on a converged simulator. Each is refused while loading, with file, line and field, and not one
 * write request reaches the host (PVE_TRACE has none; the converged host's state file is untouched).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PVE_VERSIONS } from '@genesis/pve-sim';
import { runCli } from './run';
import { GENESIS_FILE, REPO_ROOT } from '../testing/desired-state';
import { schemaFileFor } from '../testing/simulated-host';

const haveSchema = PVE_VERSIONS.every((v) => existsSync(schemaFileFor(v)));
const describeSim = haveSchema || process.env.CI === 'true' ? describe : describe.skip;
jest.setTimeout(180_000);

const GOOD = readFileSync(GENESIS_FILE, 'utf8');
const once = (from: string, to: string) => (t: string) => {
  if (!t.includes(from)) throw new Error(`corpus edit: "${from}" is not in infra/genesis.yaml`);
  return t.replace(from, to);
};

interface Case {
  name: string;
  edit: (text: string) => string | Buffer;
  /** The field path the message names. */
  field: string;
  /** Text on the line the message must point at. */
  at: string;
}

const bomb = ['lol: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...'bcdefg'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefg'[i]}`).join(',')}]`)].join('\n');

const CASES: Case[] = [
  { name: 'action ALLOW', edit: once('action: ACCEPT, proto: tcp, dport: 8006', 'action: ALLOW, proto: tcp, dport: 8006'), field: 'firewall.rules[0].action', at: 'action: ALLOW' },
  { name: 'source 10.0.0.0/33', edit: once("macro: SSH, source: '@vmbr0'", 'macro: SSH, source: 10.0.0.0/33'), field: 'firewall.rules[1].source', at: '10.0.0.0/33' },
  { name: 'dport 99999', edit: once('dport: 8006', 'dport: 99999'), field: 'firewall.rules[0].dport', at: 'dport: 99999' },
  { name: 'sport range backwards', edit: once('dport: 8006', 'dport: 8006, sport: "2000:1000"'), field: 'firewall.rules[0].sport', at: 'sport:' },
  { name: 'proto tcpp', edit: once('proto: tcp, dport: 8006', 'proto: tcpp, dport: 8006'), field: 'firewall.rules[0].proto', at: 'tcpp' },
  { name: 'macro SHH', edit: once('macro: SSH', 'macro: SHH'), field: 'firewall.rules[1].macro', at: 'SHH' },
  { name: 'a bad iface', edit: once('macro: Ping,', "macro: Ping, iface: 'eth 0!',"), field: 'firewall.rules[2].iface', at: 'eth 0!' },
  { name: 'a group jump inside a group', edit: once("type: out, action: DROP, dest: '@vmbr1'", 'type: group, action: intranet'), field: 'firewall.groups[1].rules[2].type', at: 'type: group, action: intranet' },
  { name: 'a bridge port that is another bridge', edit: once('ports: [enp3s0]', 'ports: [vmbr1]'), field: 'bridges[0].ports[0]', at: 'ports: [vmbr1]' },
  { name: 'the management NIC as a port of another bridge', edit: once('    comment: Intranet\n', '    comment: Intranet\n    ports: [enp3s0]   # the management NIC\n'), field: 'bridges[1].ports[0]', at: '# the management NIC' },
  { name: 'cores 100000', edit: once('cores: 8', 'cores: 100000'), field: 'vms[0].cores', at: 'cores: 100000' },
  { name: 'memory 99999999999', edit: once('memory: 32768', 'memory: 99999999999'), field: 'vms[0].memory', at: 'memory: 99999999999' },
  { name: 'a network address as a VM address', edit: once('10.0.1.100/24', '10.0.1.0/24'), field: 'vms[0].address', at: 'address: 10.0.1.0/24' },
  { name: 'the broadcast address as a VM address', edit: once('10.0.1.110/24', '10.0.1.255/24'), field: 'vms[1].address', at: '10.0.1.255/24' },
  { name: 'the network address as a bridge address', edit: once('cidr: 10.0.2.1/24', 'cidr: 10.0.2.0/24'), field: 'bridges[2].cidr', at: 'cidr: 10.0.2.0/24' },
  { name: 'a bad machine type', edit: once('machine: q35 ', 'machine: q36 '), field: 'templates[0].machine', at: 'machine: q36' },
  { name: 'a file:// image URL', edit: once('url: https://cloud-images', 'url: file:///etc/shadow#cloud-images'), field: 'templates[0].disk.image.url', at: 'file:///etc/shadow' },
  { name: 'a 70 KB comment', edit: once('comment: Intranet\n', `comment: ${'x'.repeat(70_000)}\n`), field: 'bridges[1].comment', at: 'comment: xxxx' },
  { name: 'a 5 MB comment', edit: once('comment: ICMP echo', `comment: ${'y'.repeat(5_000_000)}`), field: 'firewall.rules[2].comment', at: 'comment: yyyy' },
  { name: 'invalid UTF-8', edit: (t) => Buffer.concat([Buffer.from(t.split('DMZ (The Arena)')[0]), Buffer.from([0x44, 0xff, 0xfe, 0x5a]), Buffer.from(t.split('DMZ (The Arena)').slice(1).join('DMZ (The Arena)'))]), field: 'comment', at: 'D\ufffd\ufffdZ' },
  { name: 'an image checksum that is not a sha256', edit: once('checksum: 304983616fcb', 'checksum: 304983616fcX'), field: 'templates[0].disk.image.checksum', at: 'checksum: 304983616fcX' },
  { name: 'an unknown template', edit: once('template: 9000', 'template: 9005'), field: 'vms[0].template', at: 'template: 9005' },
  { name: 'a VM id that a template has', edit: once('  - id: 110\n', '  - id: 9001   # clash\n'), field: 'vms[1].id', at: '9001   # clash' },
  { name: 'a plain-text root password', edit: once('  root_password_hashed:', '  root_password: hunter2-plain\n  root_password_hashed:'), field: 'installer', at: 'installer:' },
  { name: 'an install ISO that is no ISO volume', edit: once('iso: local:iso/Win10_LTSC_2021_x64.iso', 'iso: local:Win10.img'), field: 'templates[1].install.iso', at: 'iso: local:Win10.img' },
  { name: 'a YAML alias bomb', edit: (t) => `${t}\n${bomb}\n`, field: 'b', at: 'b: &b' },
];

const MUTATING = new Set(['POST', 'PUT', 'DELETE']);
const writes = (trace: string) =>
  existsSync(trace) ? readFileSync(trace, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { method: string; path: string }).filter((r) => MUTATING.has(r.method)) : [];

describeSim('broken desired-state files never reach the host', () => {
  let dir: string;
  let converged: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'genesis-broken-'));
    // The files next to genesis.yaml that it names (cloud-init user data).
    cpSync(join(REPO_ROOT, 'infra/cloud-init'), join(dir, 'cloud-init'), { recursive: true });
    converged = join(dir, 'converged', 'state.json');
    const trace = join(dir, 'converge.jsonl');
    const err: string[] = [];
    const code = await runCli(['provision', '--file', GENESIS_FILE], { out: () => undefined, err: (l) => err.push(l), env: { PVE_TRACE: trace }, simStateFile: converged });
    expect({ code, err }).toEqual({ code: 0, err: [] });
    // The trace does record writes: the zero below is not a silent trace.
    expect(writes(trace).length).toBeGreaterThan(10);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe.each(['empty', 'converged'] as const)('on %s host', (kind) => {
    it.each(CASES)('refuses $name with file, line and field, and sends no write', async (c) => {
      const file = join(dir, `broken-${kind}.yaml`);
      const content = c.edit(GOOD);
      writeFileSync(file, content);
      const lines = (Buffer.isBuffer(content) ? new TextDecoder().decode(content) : content).split('\n');
      const line = lines.findIndex((l) => l.includes(c.at)) + 1;
      expect(line).toBeGreaterThan(0);

      const state = kind === 'empty' ? join(dir, `empty-${c.name}`, 'state.json') : converged;
      const before = kind === 'converged' ? readFileSync(converged, 'utf8') : undefined;
      const trace = join(dir, `trace-${kind}.jsonl`);
      rmSync(trace, { force: true });
      const err: string[] = [];
      const code = await runCli(['provision', '--file', file], { out: () => undefined, err: (l) => err.push(l), env: { PVE_TRACE: trace }, simStateFile: state });

      expect(code).toBe(2);
      expect(writes(trace)).toEqual([]);
      if (before !== undefined) expect(readFileSync(converged, 'utf8')).toBe(before);
      const message = err.join('\n');
      expect(message).toContain('nothing was sent to the host');
      expect(message).toContain(`${file}:${line}: ${c.field}`);
      expect(message.length).toBeLessThan(4000);
      // A secret in the file never comes back in the message.
      expect(message).not.toContain('hunter2');
    });
  });

  it.each(['empty', 'converged'] as const)('checks what only the host knows (its size) against what plan read, before any write (%s host)', async (kind) => {
    const file = join(dir, `too-big-${kind}.yaml`);
    writeFileSync(file, GOOD.replace('cores: 8', 'cores: 32').replace('memory: 32768', 'memory: 131072'));
    const state = kind === 'empty' ? join(dir, 'empty-too-big', 'state.json') : converged;
    const trace = join(dir, `trace-too-big-${kind}.jsonl`);
    const err: string[] = [];
    const code = await runCli(['provision', '--file', file], { out: () => undefined, err: (l) => err.push(l), env: { PVE_TRACE: trace }, simStateFile: state });
    expect(code).toBe(1);
    expect(writes(trace)).toEqual([]);
    expect(err.join('\n')).toContain('the plan cannot be applied; nothing was changed');
    expect(err.join('\n')).toContain('vm 100 (brain): cores: vm 100 declares 32 but the host has 16 logical CPUs (qemu-server refuses more); lower cores to at most 16');
    expect(err.join('\n')).toContain('vm 100 (brain): memory: vm 100 declares 131072 MiB but the host has 65536 MiB');
  });

  it('a renamed node suggests only what this CLI has (no --node)', async () => {
    const err: string[] = [];
    const code = await runCli(['plan', '--file', GENESIS_FILE], { out: () => undefined, err: (l) => err.push(l), env: { PVE_NODE: 'hive' }, simStateFile: converged });
    expect(code).toBe(1);
    expect(err.join('\n')).toContain("node is 'pve' but the simulator was started with node 'hive'; set node: pve in the desired-state file (or PVE_NODE=pve)");
    expect(err.join('\n')).not.toContain('--node');
  });
});
