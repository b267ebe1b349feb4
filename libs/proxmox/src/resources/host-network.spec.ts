/**
 * NAT and the forwarding policy through the engine, against the simulator over HTTPS and the
 * simulated node's shell side (its /etc/network/interfaces is the simulator's network model).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PVE_VERSIONS } from '@genesis/pve-sim';
import { apply } from '../engine/apply';
import { formatPlan, pendingChanges, plan } from '../engine/plan';
import { STEPS } from '../engine/registry';
import { verify } from '../engine/verify';
import { applyNetwork as reloadNetwork, updateBridge } from '../api/network';
import { schemaFileFor, simulatedHost, type SimulatedHost } from '../testing/simulated-host';
import { genesisState } from '../testing/desired-state';
import { renderPolicy } from '@genesis/network';
import { diffHostNetwork, loadedTableDiffers, missingNatLines, policySource } from './host-network';

const haveSchema = PVE_VERSIONS.every((v) => existsSync(schemaFileFor(v)));
const describeSim = haveSchema || process.env.CI === 'true' ? describe : describe.skip;
jest.setTimeout(60_000);

const state = genesisState();
const NAT_LINES = ['post-up echo 1 > /proc/sys/net/ipv4/ip_forward', 'post-up nft -f /etc/network/genesis.nft'];

describe('host network diff', () => {
  it('without a host channel, the plan says what NAT needs instead of skipping it silently', () => {
    const [change] = diffHostNetwork(state, { noChannel: true });
    expect(change.action).toBe('unchanged');
    expect(change.notes?.[0]).toMatch(/^NAT of vmbr1, vmbr2 and the forwarding policy \(\/etc\/network\/genesis\.nft\) are host files the PVE API cannot write: set PVE_SSH/);
  });

  it('finds the NAT lines a stanza lacks, and a loaded table that differs from the policy', () => {
    const text = 'iface vmbr1 inet static\n\taddress 10.0.1.1/24\n\tpost-up nft -f /etc/network/genesis.nft\n\niface vmbr2 inet static\n';
    expect(missingNatLines(text, 'vmbr1')).toEqual([NAT_LINES[0]]);
    expect(missingNatLines(text, 'vmbr9')).toBeUndefined();
    const policy = 'table inet genesis\ndelete table inet genesis\n\ntable inet genesis {\n\tchain forward {\n\t\tct state invalid drop\n\t}\n}\n';
    expect(loadedTableDiffers(policy, 'table inet genesis {\n  chain forward {\n    ct state invalid drop\n  }\n}\n')).toBeUndefined();
    expect(loadedTableDiffers(policy, 'table inet genesis {\n\tchain forward {\n\t}\n}\n')).toBe(
      'line 3 of table inet genesis: loaded "}", the policy has "ct state invalid drop"',
    );
  });
});

/** The real nft in a fresh network namespace (root, nftables installed: CI and the rehearsal machines). */
const haveRealNft = (() => {
  try {
    return process.getuid?.() === 0 && execFileSync('unshare', ['-n', 'nft', 'list', 'ruleset']) !== undefined;
  } catch {
    return false;
  }
})();
const itRealNft = haveRealNft ? it : it.skip;

describe('the loaded-table check against the real nft', () => {
  itRealNft('nft lists the loaded policy in the file\'s own layout, so verify compares them line by line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genesis-nft-'));
    try {
      const file = join(dir, 'genesis.nft');
      const policy = renderPolicy(state, policySource(state));
      writeFileSync(file, policy);
      const listed = execFileSync('unshare', ['-n', 'sh', '-c', `nft -f ${file} && nft list table inet genesis`], { encoding: 'utf8' });
      expect(loadedTableDiffers(policy, listed)).toBeUndefined();
      expect(loadedTableDiffers(policy, listed.replace(/\n\t\toifname "vmbr0" ip saddr 10\.0\.2\.0\/24 masquerade comment "vmbr2 NAT"/, ''))).toMatch(/^line \d+ of table inet genesis: loaded "}", the policy has "oifname "vmbr0" ip saddr 10\.0\.2\.0\/24 masquerade/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeSim.each(PVE_VERSIONS)('NAT and the forwarding policy on the simulated Proxmox VE %s', (pveVersion) => {
  let host: SimulatedHost;
  let dir: string;
  const log: string[] = [];
  const progress = (l: string) => log.push(l);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'genesis-host-network-'));
    host = await simulatedHost({ pveVersion }, join(dir, 'trace.jsonl'));
    log.length = 0;
  });
  afterEach(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const shellLog = () => {
    const ran: string[] = [];
    const writes: string[] = [];
    const run = host.shell.run.bind(host.shell);
    const writeFile = host.shell.writeFile.bind(host.shell);
    jest.spyOn(host.shell, 'run').mockImplementation((argv, o) => (ran.push(argv.join(' ')), run(argv, o)));
    jest.spyOn(host.shell, 'writeFile').mockImplementation((p, c, o) => (writes.push(p), writeFile(p, c, o)));
    return { ran, writes };
  };
  const mutating = () =>
    readFileSync(join(dir, 'trace.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { method: string }).filter((l) => l.method !== 'GET');

  it('the bridges step plans NAT beside the bridges, applies it after them, verify passes, a second run changes nothing', async () => {
    const hostCtx = { host: host.shell };
    const before = await plan(host.api, state, { kinds: STEPS.bridges, host: hostCtx });
    const text = formatPlan(before, state.source.file);
    expect(text).toMatch(/\+ bridge vmbr1: create[\s\S]*\+ host network: NAT and forwarding policy \(simulated host \(.*\)\): create/);
    expect(text).toContain('      note: vmbr1 is not in /etc/network/interfaces yet: the bridges step creates it in this run, then its NAT lines are added');
    expect(text).toContain('      +++ b/etc/network/genesis.nft');
    expect(text).toContain('      +\t\toifname "vmbr0" ip saddr 10.0.1.0/24 masquerade comment "vmbr1 NAT"');
    expect(text).toContain('      net.ipv4.ip_forward: 1');

    const { ran, writes } = shellLog();
    const first = await apply(host.api, state, { kinds: STEPS.bridges, host: hostCtx, progress, managementAddress: '192.168.1.10' });
    expect(first.applied.map((c) => c.kind)).toEqual(['bridge', 'bridge', 'host-network']);
    expect(ran).toEqual([
      'nft list table inet genesis', // the plan's read
      'nft -c -f /etc/network/genesis.nft.new',
      'mv /etc/network/genesis.nft.new /etc/network/genesis.nft',
      'sysctl -q -w net.ipv4.ip_forward=1',
      'nft -f /etc/network/genesis.nft',
    ]);
    expect(writes).toEqual(['/etc/network/genesis.nft.new', '/etc/network/interfaces']);
    expect(log).toContain('  installed /etc/network/genesis.nft (nft -c passed), loaded it (nft -f), IPv4 forwarding on; NAT lines added to /etc/network/interfaces for vmbr1, vmbr2');
    // The simulator's own network model now holds the NAT lines (what the API and the file share).
    const vmbr1 = host.sim.state.read().network.applied.find((i) => i.iface === 'vmbr1');
    expect(String(vmbr1?.options).split('\n')).toEqual(NAT_LINES);

    const result = await verify(host.api, state, { endpoint: host.sim.url, progress, host: hostCtx });
    const nat = result.checks.filter((c) => /NAT|forwarding/.test(c.name)).map((c) => `${c.ok ? 'PASS' : 'FAIL'}  ${c.name}`);
    expect(nat).toEqual(['PASS  NAT policy loaded', 'PASS  IPv4 forwarding on', 'PASS  NAT lines kept in /etc/network/interfaces for vmbr1, vmbr2']);

    ran.length = 0;
    writes.length = 0;
    const writesBefore = mutating().length;
    const second = await apply(host.api, state, { kinds: STEPS.bridges, host: hostCtx, progress });
    expect(second.applied).toEqual([]);
    expect(mutating().length).toBe(writesBefore);
    expect(writes).toEqual([]);
    expect(ran).toEqual(['nft list table inet genesis']);
  });

  it('a later bridge change through the API keeps the NAT lines; a dropped table or forwarding is planned and restored', async () => {
    const hostCtx = { host: host.shell };
    await apply(host.api, state, { kinds: STEPS.bridges, host: hostCtx, progress, managementAddress: '192.168.1.10' });
    await updateBridge(host.api, 'vmbr1', { cidr: '10.0.1.1/24', autostart: true, comments: 'Intranet, renamed by hand' });
    await host.api.waitForTask(await reloadNetwork(host.api));
    expect(missingNatLines((await host.shell.readFile('/etc/network/interfaces')) ?? '', 'vmbr1')).toEqual([]);

    // After a reboot without the post-up lines having run: no table, no forwarding.
    rmSync(host.shell.resolve('/.sim/nft'), { recursive: true });
    await host.shell.writeFile('/proc/sys/net/ipv4/ip_forward', '0\n');
    const p = await plan(host.api, state, { kinds: ['host-network'], host: hostCtx });
    expect(pendingChanges(p).map((c) => c.fields.map((f) => `${f.field}: ${String(f.from)} → ${String(f.to)}`))).toEqual([
      ['net.ipv4.ip_forward: 0 → 1', 'table inet genesis: not loaded → nft -f /etc/network/genesis.nft'],
    ]);
    await apply(host.api, state, { kinds: ['host-network'], host: hostCtx, progress });
    const checks = await verify(host.api, state, { endpoint: host.sim.url, progress: () => undefined, host: hostCtx });
    expect(checks.checks.filter((c) => /NAT|forwarding/.test(c.name)).every((c) => c.ok)).toBe(true);
  });
});
