/**
 * The engine against the real simulator over HTTPS: provisioning from empty, convergence with zero
 * writes, resume after a failed task, and the management-bridge guard and rollback.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PVE_RELEASES, PVE_VERSIONS } from '@genesis/pve-sim';
import { apply, ApplyStepError, PlanProblemError } from './apply';
import { plan, pendingChanges } from './plan';
import { verify } from './verify';
import { RoundCountingApi } from './serial-api';
import { ManagementGuardError } from './network';
import { schemaFileFor, simulatedHost as startHost, type SimulatedHost } from '../testing/simulated-host';
import { genesisState, GENESIS_FILE, REPO_ROOT, TEST_ENV } from '../testing/desired-state';
import { parseDesiredState } from '../state/load';
import { applyNetwork, createBridge, listNetwork, updateBridge } from '../api/network';
import { cloneVm, getVmConfig, listVms, updateVmConfig } from '../api/qemu';
import { addGroupRule, createGroup, setVmFirewallOptions } from '../api/firewall';

const haveSchema = PVE_VERSIONS.every((v) => existsSync(schemaFileFor(v)));
if (!haveSchema && process.env.CI !== 'true') console.log(`PVE API schemas not at ${schemaFileFor('9.1')} (and 8.4): skipping the engine-against-simulator tests`);
const describeSim = haveSchema || process.env.CI === 'true' ? describe : describe.skip;

jest.setTimeout(60_000);

const state = genesisState();
const MUTATING = new Set(['POST', 'PUT', 'DELETE']);

function traced(file: string): { method: string; path: string; params?: Record<string, string> }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** What qemu-server pins a new Windows VM's `machine: q35` to on each release (Machine.pm). */
const PINNED_Q35 = { '9.1': 'pc-q35-10.1', '8.4': 'pc-q35-9.2+pve1' } as const;

describeSim.each(PVE_VERSIONS)('engine against the simulated Proxmox VE %s', (pveVersion) => {
  const simulatedHost = (options: Parameters<typeof startHost>[0] = {}, trace?: string) => startHost({ pveVersion, ...options }, trace);
  let dir: string;
  let host: SimulatedHost | undefined;
  const log: string[] = [];
  const progress = (l: string) => log.push(l);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'genesis-engine-'));
    log.length = 0;
  });
  afterEach(async () => {
    await host?.close();
    host = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('provisions an empty host, verify passes, and a second provision sends no mutating request', async () => {
    const trace = join(dir, 'trace.jsonl');
    host = await simulatedHost({}, trace);
    const first = await apply(host.api, state, { progress, placeFile: host.placeFile });
    expect(first.applied.length).toBeGreaterThan(10);
    expect(log).toContain('Applying:');

    const result = await verify(host.api, state, { endpoint: host.sim.url, progress });
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'API reachable over HTTPS',
        'ZFS storage tank active',
        'ZFS storage tank: snapshot taken and removed',
        'bridge vmbr1 present with 10.0.1.1/24',
        'template 9000 (Template-Ubuntu-AI) is a template with a cloud-init drive',
        'vm 100 (brain) has the GPU (mapping rtx3090)',
        'a VM cloned from Template-Win10-Trading reaches running and its guest agent answers',
      ]),
    );
    // verify cleans up its probe VMs.
    expect((await listVms(host.api)).map((v) => v.vmid).sort()).toEqual([100, 110, 200, 9000, 9001]);
    // PVE pinned the Windows template's machine; the plan takes the pin as the declared q35.
    expect((await getVmConfig(host.api, 9001)).machine).toBe(PINNED_Q35[pveVersion]);

    rmSync(trace);
    log.length = 0;
    const second = await apply(host.api, state, { progress });
    expect(second.applied).toEqual([]);
    expect(log.join('\n')).toContain('Plan: 0 to create, 0 to update, 0 to delete, 16 unchanged.\nNo changes');
    const requests = traced(trace);
    expect(requests.length).toBeGreaterThan(10);
    expect(requests.filter((r) => MUTATING.has(r.method))).toEqual([]);
    // A converged run reads each thing once, in one latency round (issue 16; prefetch.ts).
    const paths = requests.map((r) => `${r.path} ${JSON.stringify(r.params ?? {})}`);
    expect(paths.filter((p, i) => paths.indexOf(p) !== i)).toEqual([]);
    const rounds = new RoundCountingApi(host.api);
    await plan(rounds, state);
    expect(rounds.rounds).toBe(1);
  });

  it('resumes after a task failed mid-run: the rerun continues from what the host has and converges', async () => {
    host = await simulatedHost({ faults: [{ kind: 'taskFail', method: 'POST', path: '^/nodes/pve/qemu/9000/template$', count: 1 }] });
    const failed = await apply(host.api, state, { progress, placeFile: host.placeFile }).catch((e: Error) => e);
    expect(failed).toBeInstanceOf(ApplyStepError);
    expect((failed as Error).message).toMatch(/^template 9000 \(Template-Ubuntu-AI\) \(create\) failed: .*simulated task failure.*\n\d+ changes were applied in this run\. Fix the cause and run again/s);

    // The host kept what was done: VM 9000 exists but is no template yet; no VM was cloned.
    const resumePlan = await plan(host.api, state);
    const pending = pendingChanges(resumePlan).map((c) => `${c.action} ${c.id}`);
    // Template 9001 and the firewall are independent of 9000: they went through beside it.
    expect(pending).toEqual([
      'update template 9000 (Template-Ubuntu-AI)',
      'create vm 100 (brain)',
      'create vm 110 (banker)',
      'create vm 200 (arena)',
    ]);
    expect(resumePlan.changes.find((c) => c.id.startsWith('template 9000'))?.fields).toEqual([{ field: 'template', from: false, to: true }]);

    await apply(host.api, state, { progress, placeFile: host.placeFile });
    expect(pendingChanges(await plan(host.api, state))).toEqual([]);
  });

  it('on a host it cannot copy the snippet to, stops at the template step with the command to run', async () => {
    host = await simulatedHost();
    const error = await apply(host.api, state, { progress }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      /^template 9000 \(Template-Ubuntu-AI\) \(create\) failed: no way to the host's files: copy the user-data snippet once: scp infra\/cloud-init\/ubuntu-ai\.yaml root@\$PVE_HOST:\/var\/lib\/vz\/snippets\/genesis-ubuntu-ai\.yaml, then run again\n/,
    );
    await host.placeFile('local:snippets/genesis-ubuntu-ai.yaml', 'from scp');
    await apply(host.api, state, { progress });
    expect(pendingChanges(await plan(host.api, state))).toEqual([]);
  });

  it('repairs drift with updates and removes undeclared things only with --prune', async () => {
    host = await simulatedHost();
    await apply(host.api, state, { progress, placeFile: host.placeFile });
    // Someone edits the host by hand.
    await createBridge(host.api, 'vmbr9', { cidr: '10.9.0.1/24', autostart: true });
    await updateBridge(host.api, 'vmbr2', { cidr: '10.0.2.254/24', autostart: true, comments: 'DMZ' });
    await host.api.waitForTask(await applyNetwork(host.api));
    await createGroup(host.api, 'legacy', 'old rules');
    await addGroupRule(host.api, 'dmz', { type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '22', enable: 1 });
    await host.api.waitForTask(await cloneVm(host.api, 9000, 300, { name: 'scratch', full: false }));
    await updateVmConfig(host.api, 110, { memory: 2048, 'hostpci0': 'mapping=rtx3090,pcie=1' });
    await setVmFirewallOptions(host.api, 200, { enable: 0 });

    const checked = await verify(host.api, state, { endpoint: host.sim.url, progress });
    expect(checked.ok).toBe(false);
    expect(checked.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([
      'bridge vmbr2 present with 10.0.2.1/24',
      'firewall: security group dmz as declared',
      'vm 200 (arena) firewalled: inbound DROP except group dmz',
    ]);
    expect(log).toContain('FAIL  vm 200 (arena) firewalled: inbound DROP except group dmz: firewall OFF, policy_in DROP, group rule present, net0 firewall=1');

    const drift = await plan(host.api, state);
    expect(pendingChanges(drift).map((c) => `${c.action} ${c.id}`)).toEqual([
      'update bridge vmbr2',
      'update security group dmz',
      'update vm 110 (banker)',
      'update vm 200 (arena)',
    ]);
    await apply(host.api, state, { progress });
    // Nothing here was made by Genesis (the installer's local-lvm, hand-made vmbr9, legacy, 300):
    // --prune lists them, and deletes each only when named.
    const withPrune = await plan(host.api, state, { prune: true });
    expect(pendingChanges(withPrune)).toEqual([]);
    expect(withPrune.changes.filter((c) => c.notes?.some((n) => n.includes('kept by --prune'))).map((c) => c.id)).toEqual([
      'storage local-lvm',
      'bridge vmbr9',
      'security group legacy',
      'vm 300 (scratch)',
    ]);
    const named = { prune: true, pruneNames: ['local-lvm', 'vmbr9', 'legacy', '300'] };
    expect(pendingChanges(await plan(host.api, state, named)).map((c) => `${c.action} ${c.id}`)).toEqual([
      'delete storage local-lvm',
      'delete bridge vmbr9',
      'delete security group legacy',
      'delete vm 300 (scratch)',
    ]);
    await apply(host.api, state, { progress, ...named });
    expect(pendingChanges(await plan(host.api, state, named))).toEqual([]);
    expect((await listVms(host.api)).map((v) => v.vmid).sort()).toEqual([100, 110, 200, 9000, 9001]);
  });

  it('refuses a release older than 8.4 before any write, naming the release, the minimum and the fix', async () => {
    const trace = join(dir, 'trace.jsonl');
    host = await simulatedHost({}, trace);
    host.sim.state.setOptions({ release: { ...PVE_RELEASES['8.4'], version: { version: '8.3.5', release: '8.3', repoid: '0000000000000000' } } });
    const error = await apply(host.api, state, { progress, placeFile: host.placeFile }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(PlanProblemError);
    expect((error as Error).message).toMatch(/^the plan cannot be applied; nothing was changed:\n {2}host: the host runs Proxmox VE 8\.3\.5; Genesis needs 8\.4 or newer .*Fix: upgrade the host/);
    expect(traced(trace).filter((r) => MUTATING.has(r.method))).toEqual([]);
    expect(traced(trace).map((r) => `${r.method} ${r.path}`)).toContain('GET /version');
  });

  it("refuses a declared machine version the host's QEMU lacks, before any write", async () => {
    const trace = join(dir, 'trace.jsonl');
    host = await simulatedHost({}, trace);
    const pinned = parseDesiredState(
      readFileSync(GENESIS_FILE, 'utf8').replace('bios: ovmf\n    machine: q35', 'bios: ovmf\n    machine: pc-q35-10.1'),
      'infra/genesis.yaml',
      TEST_ENV,
      join(REPO_ROOT, 'infra'),
    );
    const result = await apply(host.api, pinned, { progress, placeFile: host.placeFile }).catch((e: Error) => e);
    if (pveVersion === '8.4') {
      expect(result).toBeInstanceOf(PlanProblemError);
      expect((result as Error).message).toContain(
        'host: infra/genesis.yaml: templates[1].machine: pc-q35-10.1 needs QEMU 10.1, and Proxmox VE 8.4.2 ships QEMU 9.2. Fix: write machine: q35',
      );
      expect(traced(trace).filter((r) => MUTATING.has(r.method))).toEqual([]);
    } else {
      expect(result).not.toBeInstanceOf(Error);
      expect((await getVmConfig(host.api, 9001)).machine).toBe('pc-q35-10.1');
    }
  });

  describe('management bridge', () => {
    // vmbr0 carries the management address 192.168.1.10; this edit moves it.
    const moved = parseDesiredState(
      readFileSync(GENESIS_FILE, 'utf8').replace('cidr: 192.168.1.10/24', 'cidr: 192.168.1.11/24'),
      'infra/genesis.yaml',
      TEST_ENV,
      join(REPO_ROOT, 'infra'),
    );

    it('refuses to change it without --allow-management-change, before sending anything', async () => {
      const trace = join(dir, 'trace.jsonl');
      host = await simulatedHost({}, trace);
      const error = await apply(host.api, moved, { kinds: ['bridge'], progress, managementAddress: '192.168.1.10' }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(ManagementGuardError);
      expect((error as Error).message).toContain('bridge vmbr0 carries the management address 192.168.1.10');
      expect((error as Error).message).toContain('--allow-management-change');
      expect(traced(trace).filter((r) => MUTATING.has(r.method))).toEqual([]);
    });

    it('finds the management bridge through its gateway when the API is reached over loopback', async () => {
      host = await simulatedHost();
      const error = await apply(host.api, moved, { kinds: ['bridge'], progress, managementAddress: '127.0.0.1' }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(ManagementGuardError);
    });

    it('rolls back when the reload fails: the staged edits are discarded and the bridges are as before', async () => {
      host = await simulatedHost({ faults: [{ kind: 'taskFail', method: 'PUT', path: '^/nodes/pve/network$', count: 1 }] });
      const before = await listNetwork(host.api);
      const error = await apply(host.api, state, { kinds: ['bridge'], progress, confirmTimeoutMs: 2000 }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(ApplyStepError);
      expect((error as Error).message).toMatch(/the network change failed: .*The previous bridge configuration was restored and the API answers/s);
      expect(await listNetwork(host.api)).toEqual(before);
      expect(host.sim.state.read().network.staged).toBeNull();
      // And the next run applies it.
      await apply(host.api, state, { kinds: ['bridge'], progress });
      expect((await listNetwork(host.api, 'bridge')).map((i) => i.iface).sort()).toEqual(['vmbr0', 'vmbr1', 'vmbr2']);
    });

    it('when the API does not answer after a reload, re-stages the previous bridges and reloads again', async () => {
      // The reload itself succeeds; then /version fails for a while (6 = two probes of 3 tries).
      host = await simulatedHost();
      const before = await listNetwork(host.api);
      // The plan reads /version too: the fault starts once it is applying.
      const sim = host.sim;
      const faultOnApply = (line: string) => {
        progress(line);
        if (line === 'Applying:') sim.setFaults([{ kind: 'http500', method: 'GET', path: '^/version$', count: 6 }]);
      };
      const error = await apply(host.api, state, { kinds: ['bridge'], progress: faultOnApply, confirmTimeoutMs: 300 }).catch((e: Error) => e);
      expect((error as Error).message).toMatch(/the API did not answer within 300 ms after the network reload\. The previous bridge configuration was restored/);
      expect(log).toContain('  re-applying the previous definition of 2 bridges');
      expect(await listNetwork(host.api)).toEqual(before);
    });

    it('when the API stops answering after an allowed change, fails clearly with the console recovery', async () => {
      host = await simulatedHost({ cutManagementOnBridgeChange: true });
      const error = await apply(host.api, moved, {
        kinds: ['bridge'],
        progress,
        allowManagementChange: true,
        managementAddress: '192.168.1.10',
        confirmTimeoutMs: 1000,
      }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(ApplyStepError);
      expect((error as Error).message).toMatch(/the API did not answer within 1 s after the network reload\. Rolling back did not succeed .*ifreload -a/s);
      // A person at the console restores the previous network; the host is back as it was.
      host.sim.state.restoreManagement();
      const vmbr0 = (await listNetwork(host.api)).find((i) => i.iface === 'vmbr0');
      expect(vmbr0?.cidr).toBe('192.168.1.10/24');
    });
  });
});
