/**
 * Issue 14 against the real simulator over HTTPS, on both releases (every request validated by that
 * release's official schema): the template and clone request sequences, idempotence, and bad input
 * refused before any write with the file, line, field and fix.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PVE_VERSIONS } from '@genesis/pve-sim';
import { apply, ApplyStepError, PlanProblemError } from './apply';
import { pendingChanges, plan } from './plan';
import { schemaFileFor, simulatedHost as startHost, type SimulatedHost, type SimulatedHostOptions } from '../testing/simulated-host';
import { genesisState, TEST_ENV } from '../testing/desired-state';
import { getVmConfig, getVmStatus } from '../api/qemu';
import { encodeSshKeys } from '../resources/vm-config';
import { truthy } from '../resources/types';

const haveSchema = PVE_VERSIONS.every((v) => existsSync(schemaFileFor(v)));
const describeSim = haveSchema || process.env.CI === 'true' ? describe : describe.skip;
jest.setTimeout(90_000);

const MUTATING = new Set(['POST', 'PUT', 'DELETE']);
type Traced = { method: string; path: string; params?: Record<string, string> };
const traced = (file: string): Traced[] =>
  existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Traced) : [];
const writes = (file: string) => traced(file).filter((r) => MUTATING.has(r.method));

const state = genesisState();
const ubuntu = state.templates.find((t) => t.id === 9000)!;
const PINNED = ubuntu.disk.image!.checksum;

describeSim.each(PVE_VERSIONS)('templates and spawning on the simulated Proxmox VE %s', (pveVersion) => {
  let dir: string;
  let host: SimulatedHost | undefined;
  const log: string[] = [];
  const progress = (l: string) => log.push(l);
  const start = (options: SimulatedHostOptions = {}, trace?: string) => startHost({ pveVersion, ...options }, trace).then((h) => (host = h));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'genesis-templates-'));
    log.length = 0;
  });
  afterEach(async () => {
    await host?.close();
    host = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds both templates and spawns linked clones with the sequences PVE accepts; a second provision writes nothing', async () => {
    const trace = join(dir, 'trace.jsonl');
    const h = await start({}, trace);
    await apply(h.api, state, { progress, placeFile: h.placeFile });
    const sent = writes(trace).map((r) => ({ call: `${r.method} ${r.path}`, ...r.params }));
    const find = (call: string, match: Record<string, string> = {}) =>
      sent.find((r) => r.call === call && Object.entries(match).every(([k, v]) => (r as Record<string, string>)[k] === v));

    // Template-Ubuntu-AI: the cloud image downloaded with the pinned sum, imported, cloud-init, serial, agent.
    expect(find('POST /nodes/pve/storage/local/download-url')).toMatchObject({
      content: 'import', filename: 'ubuntu-22.04-server-cloudimg-amd64-20240319.qcow2', checksum: PINNED, 'checksum-algorithm': 'sha256',
    });
    expect(find('POST /nodes/pve/qemu', { vmid: '9000' })).toMatchObject({
      scsi0: 'tank:0,import-from=local:import/ubuntu-22.04-server-cloudimg-amd64-20240319.qcow2,discard=on,iothread=1,ssd=1',
      ide2: 'tank:cloudinit', serial0: 'socket', vga: 'serial0', agent: 'enabled=1', cicustom: 'user=local:snippets/genesis-ubuntu-ai.yaml',
    });
    expect(find('POST /nodes/pve/qemu/9000/template')).toBeDefined();
    // Template-Win10-Trading: the answer ISO uploaded (multipart), Setup from three CDs, the agent awaited, media detached.
    expect(find('POST /nodes/pve/storage/local/upload')).toMatchObject({ content: 'iso', filename: 'genesis-win10-unattend.iso', 'checksum-algorithm': 'sha256' });
    expect(find('POST /nodes/pve/qemu', { vmid: '9001' })).toMatchObject({
      machine: 'q35', bios: 'ovmf', efidisk0: 'tank:1,efitype=4m,pre-enrolled-keys=1', tpmstate0: 'tank:1,version=v2.0', agent: 'enabled=1',
      ide0: 'local:iso/Win10_LTSC_2021_x64.iso,media=cdrom', ide1: 'local:iso/virtio-win.iso,media=cdrom',
      ide3: 'local:iso/genesis-win10-unattend.iso,media=cdrom', boot: 'order=scsi0;ide0',
    });
    const order = sent.map((r) => r.call);
    const at = (call: string) => order.indexOf(call);
    expect(at('POST /nodes/pve/qemu/9001/status/start')).toBeGreaterThan(-1);
    expect(at('POST /nodes/pve/qemu/9001/agent/ping')).toBeGreaterThan(at('POST /nodes/pve/qemu/9001/status/start'));
    expect(at('POST /nodes/pve/qemu/9001/status/shutdown')).toBeGreaterThan(at('POST /nodes/pve/qemu/9001/agent/ping'));
    expect(find('POST /nodes/pve/qemu/9001/config', { delete: 'ide0,ide1,ide3' })).toMatchObject({ boot: 'order=scsi0' });
    expect(at('POST /nodes/pve/qemu/9001/template')).toBeGreaterThan(at('POST /nodes/pve/qemu/9001/status/shutdown'));
    const win = await getVmConfig(h.api, 9001);
    expect(truthy(win.template)).toBe(true);
    expect(win).toMatchObject({ boot: 'order=scsi0', agent: 'enabled=1' });
    expect([win.ide0, win.ide1, win.ide3]).toEqual([undefined, undefined, undefined]);
    expect(String(win.tpmstate0)).toMatch(/version=v2\.0/);
    expect(log).toContainEqual(expect.stringMatching(/^ {2}the install of 9001 finished \d+\.\d s after this step started it \(or found it running\); shutting it down$/));

    // Spawning: a linked clone, cloud-init network and keys (URL-encoded), started, its agent awaited.
    expect(find('POST /nodes/pve/qemu/9000/clone', { newid: '100' })).toMatchObject({ full: '0', name: 'brain' });
    // PVE_TRACE redacts keys; the host's config shows what was sent.
    expect(find('POST /nodes/pve/qemu/100/config')).toMatchObject({ ipconfig0: 'ip=10.0.1.100/24,gw=10.0.1.1', sshkeys: '***' });
    expect((await getVmConfig(h.api, 100)).sshkeys).toBe(encodeSshKeys([TEST_ENV.GENESIS_SSH_KEY!]));
    expect(at('POST /nodes/pve/qemu/100/agent/ping')).toBeGreaterThan(at('POST /nodes/pve/qemu/100/status/start'));
    expect((await getVmStatus(h.api, 110)).status).toBe('running');
    expect(String((await getVmConfig(h.api, 110)).scsi0)).toMatch(/^tank:base-9000-disk-0\/vm-110-disk-0,/);
    expect(decodeURIComponent(String((await getVmConfig(h.api, 110)).sshkeys))).toBe(TEST_ENV.GENESIS_SSH_KEY);

    rmSync(trace);
    const again = await apply(h.api, state, { progress, placeFile: h.placeFile });
    expect(again.applied).toEqual([]);
    expect(writes(trace)).toEqual([]);
  });

  it('refuses, before any write, an ISO that is not on storage: file, line, field and the fix', async () => {
    const trace = join(dir, 'trace.jsonl');
    const h = await start({ userIsos: ['local:iso/virtio-win.iso'] }, trace);
    const error = await apply(h.api, state, { progress, placeFile: h.placeFile }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(PlanProblemError);
    const line = readFileSync(join(__dirname, '../../../../infra/genesis.yaml'), 'utf8').split('\n').findIndex((l) => l.includes('iso: local:iso/Win10_LTSC_2021_x64.iso')) + 1;
    expect((error as Error).message).toContain(
      `template 9001 (Template-Win10-Trading): infra/genesis.yaml:${line}: templates[1].install.iso: local:iso/Win10_LTSC_2021_x64.iso is not on storage local (ISOs there: local:iso/virtio-win.iso). ` +
        'Upload the Windows 10 LTSC installer ISO first (GUI: local → ISO Images → Upload, or copy it to the storage\'s template/iso/ directory), or write the name it has there',
    );
    expect(writes(trace)).toEqual([]);
  });

  it('a download whose sum is not the pinned one fails its task with PVE\'s message; the rest of the plan is independent', async () => {
    const got = 'ab'.repeat(32);
    const h = await start({ remoteFiles: { [ubuntu.disk.image!.url]: { sha256: got } } });
    const error = await apply(h.api, state, { progress, placeFile: h.placeFile }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ApplyStepError);
    expect((error as Error).message).toMatch(
      new RegExp(`^template 9000 \\(Template-Ubuntu-AI\\) \\(create\\) failed: PVE task UPID:pve:[^ ]+:download:[^ ]+ failed: checksum mismatch: got '${got}' != expect '${PINNED}'`),
    );
    // Nothing was imported from the bad file; Windows went its own way.
    expect(h.sim.state.read().volumes.some((v) => v.name.startsWith('import/'))).toBe(false);
    expect(truthy((await getVmConfig(h.api, 9001)).template)).toBe(true);
  });

  it('refuses, before any write, a VM id the host already uses for something else, a missing SSH key and a missing Windows password', async () => {
    const trace = join(dir, 'trace.jsonl');
    const h = await start({}, trace);
    h.sim.state.update((s) => {
      s.vms['9000'] = { vmid: 9000, config: { name: 'legacy-db', memory: '2048' }, status: 'stopped', snapshots: {}, pending: {}, pendingDelete: [] };
    });
    const bare = genesisState({});
    const error = await apply(h.api, bare, { progress, placeFile: h.placeFile }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(PlanProblemError);
    const message = (error as Error).message;
    expect(message).toMatch(/infra\/genesis\.yaml:\d+: templates\[0\]\.id: VM 9000 on the host is "legacy-db", not Template-Ubuntu-AI; Genesis would take it over\. Pick a free id/);
    expect(message).toMatch(/infra\/genesis\.yaml:\d+: ssh_keys: no SSH key for the guests; .*Export GENESIS_SSH_KEY=/);
    expect(message).toMatch(/infra\/genesis\.yaml:\d+: templates\[1\]\.install\.unattend\.password: is shorter than 8 characters; export GENESIS_WIN_PASSWORD=/);
    expect(writes(trace)).toEqual([]);
  });

  it('resumes a Windows install that was interrupted: the next run waits for the agent again and converts', async () => {
    const h = await start({ unattendedInstallMs: 60_000 });
    // The first run's install outlasts its deadline (a stand-in for a person stopping provision).
    const short = { ...state, templates: state.templates.map((t) => (t.install ? { ...t, install: { ...t.install, timeout: 0.02 } } : t)) };
    const error = await apply(h.api, short, { progress, placeFile: h.placeFile }).catch((e: Error) => e);
    expect((error as Error).message).toContain('The unattended install of Template-Win10-Trading did not finish within templates[].install.timeout');
    const resume = await plan(h.api, state, { kinds: ['template'] });
    expect(resume.changes.find((c) => c.id.startsWith('template 9001'))?.fields.map((f) => f.field)).toEqual(['install', 'template']);
    h.sim.state.setOptions({ unattendedInstallMs: 200 });
    h.sim.state.update((s) => {
      s.vms['9001'].installDoneAtMs = Date.now() + 200;
    });
    await apply(h.api, state, { progress, placeFile: h.placeFile });
    expect(pendingChanges(await plan(h.api, state))).toEqual([]);
  });
});
