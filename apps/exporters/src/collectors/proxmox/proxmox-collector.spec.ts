// The process loads @genesis/proxmox lazily (apps/exporters/src/lib/settings.ts); a test may load it at once.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { PveClient } from '@genesis/proxmox';
import { MockPveApi } from '../../mock/proxmox';
import { collectProxmox } from './proxmox-collector';

const MOCK_SKIP_REASON = 'the simulator (@genesis/pve-sim startSimulator) is not available yet';

function loadSimulator(): { startSimulator: (options?: Record<string, unknown>) => Promise<SimulatorHandle> } | undefined {
  try {
    const sim = require('@genesis/pve-sim');
    return typeof sim.startSimulator === 'function' ? sim : undefined;
  } catch {
    return undefined;
  }
}

interface SimulatorHandle {
  host: string;
  port: number;
  node: string;
  fingerprint: string;
  tokens: { auditor: { id: string; secret: string } };
  stop(): Promise<void>;
}

const simulator = loadSimulator();
if (!simulator && process.env.CI === 'true') throw new Error(`CI=true but ${MOCK_SKIP_REASON}`);
if (!simulator) console.warn(`skipping the Proxmox collector's simulator test: ${MOCK_SKIP_REASON}`);

describe('Proxmox collector', () => {
  it('reads nodes, guests and storage; a template is listed but never reported down', async () => {
    const batch = await collectProxmox(new MockPveApi());
    expect(batch.take('genesis_pve_node_up')).toEqual([{ labels: { id: 'node/pve', node: 'pve' }, value: 1, suffix: undefined }]);
    expect(batch.take('genesis_pve_guest_up').map((s) => [s.labels.vmid, s.value])).toEqual([
      ['100', 1],
      ['200', 1],
    ]);
    expect(batch.take('genesis_pve_guest_info').map((s) => s.labels.name)).toEqual(['brain', 'trading-win10', 'template-ubuntu-ai']);
    expect(batch.take('genesis_pve_storage_total_bytes').map((s) => s.labels.storage)).toEqual(['local', 'local-zfs']);
    expect(batch.take('genesis_pve_node_load1')[0].value).toBeGreaterThan(0);
  });

  it("carries prometheus-pve-exporter's ids and its onboot, lock, HA, backup and version facts", async () => {
    const batch = await collectProxmox(new MockPveApi());
    expect(batch.take('genesis_pve_guest_up').map((s) => s.labels.id)).toEqual(['qemu/100', 'qemu/200']);
    expect(batch.take('genesis_pve_storage_used_bytes').map((s) => s.labels.id)).toEqual(['storage/pve/local', 'storage/pve/local-zfs']);
    expect(batch.take('genesis_pve_guest_onboot').map((s) => [s.labels.id, s.value])).toEqual([
      ['qemu/100', 1],
      ['qemu/200', 0],
    ]);
    const held = batch.take('genesis_pve_guest_lock_state').filter((s) => s.value === 1);
    expect(held.map((s) => [s.labels.id, s.labels.state])).toEqual([['qemu/200', 'backup']]);
    expect(batch.take('genesis_pve_guest_lock_state').filter((s) => s.labels.id === 'qemu/100')).toHaveLength(9);
    const ha = batch.take('genesis_pve_guest_ha_state');
    expect(ha.filter((s) => s.value === 1).map((s) => [s.labels.id, s.labels.state])).toEqual([['qemu/100', 'started']]);
    expect(new Set(ha.map((s) => s.labels.id))).toEqual(new Set(['qemu/100']));
    expect(batch.take('genesis_pve_guest_not_backed_up').map((s) => s.labels.id)).toEqual(['qemu/9000']);
    expect(batch.take('genesis_pve_version_info')).toEqual([{ labels: { release: '8.4', repoid: '2a5fa54a8503f96d', version: '8.4.1' }, value: 1, suffix: undefined }]);
  });

  (simulator ? it : it.skip)(
    'reads the simulator with the read-only auditor token',
    async () => {
      const sim = await (simulator as NonNullable<typeof simulator>).startSimulator({ port: 0 });
      try {
        const api = new PveClient({
          host: sim.host,
          port: sim.port,
          node: sim.node,
          tokenId: sim.tokens.auditor.id,
          tokenSecret: sim.tokens.auditor.secret,
          fingerprint: sim.fingerprint,
        });
        const batch = await collectProxmox(api);
        expect(batch.take('genesis_pve_node_up')).toContainEqual(expect.objectContaining({ labels: { id: `node/${sim.node}`, node: sim.node }, value: 1 }));
        expect(batch.take('genesis_pve_node_memory_total_bytes')[0].value).toBeGreaterThan(0);
        expect(batch.take('genesis_pve_storage_total_bytes').length).toBeGreaterThan(0);
        for (const up of batch.take('genesis_pve_guest_up')) expect([0, 1]).toContain(up.value);
      } finally {
        await sim.stop();
      }
    },
    30_000,
  );
});
