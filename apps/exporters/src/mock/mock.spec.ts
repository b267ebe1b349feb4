import { parseNvidiaSmiXml } from '@genesis/gpu';
import { mockGpuStates, mockNvidiaSmiRunner, renderNvidiaSmiXml } from './nvidia-smi-xml';
import { MockPveApi } from './proxmox';

describe('mock nvidia-smi', () => {
  it('renders the v13 layout that the real parser reads, for both cards', () => {
    const report = parseNvidiaSmiXml(renderNvidiaSmiXml(mockGpuStates(3)));
    expect(report).toMatchObject({ schemaVersion: 13, driverVersion: '590.44.01', attachedGpus: 2 });
    const [geforce, datacenter] = report.gpus;
    expect(geforce.name).toBe('NVIDIA GeForce RTX 3090');
    expect(geforce.ecc.errors).toEqual([]);
    expect(geforce.processes).toHaveLength(1);
    expect(datacenter.mig.enabled).toBe(true);
    expect(datacenter.mig.devices).toHaveLength(2);
    expect(datacenter.utilization.gpu).toBeUndefined();
    expect(datacenter.ecc.enabled).toBe(true);
    expect(datacenter.remappedRows).toEqual({ correctable: 0, uncorrectable: 0, pending: false, failure: false });
    expect(datacenter.resetRequired).toBe(false);
    const { usedBytes = 0, freeBytes = 0, reservedBytes = 0, totalBytes } = datacenter.memory;
    expect(usedBytes + freeBytes + reservedBytes).toBe(totalBytes);
  });

  it('is deterministic: the same step gives the same text, steps differ', async () => {
    expect(renderNvidiaSmiXml(mockGpuStates(7))).toBe(renderNvidiaSmiXml(mockGpuStates(7)));
    const runner = mockNvidiaSmiRunner();
    const first = await runner.run('nvidia-smi', ['-q', '-x'], { timeoutMs: 1000 });
    const second = await runner.run('nvidia-smi', ['-q', '-x'], { timeoutMs: 1000 });
    expect(first.stdout).toBe(renderNvidiaSmiXml(mockGpuStates(0)));
    expect(second.stdout).not.toBe(first.stdout);
    await expect(runner.run('nvidia-smi', ['-L'], { timeoutMs: 1000 })).rejects.toThrow(/only answers -q -x/);
  });
});

describe('mock Proxmox host', () => {
  it('is read-only, like the PVEAuditor token it stands for', async () => {
    const api = new MockPveApi();
    await expect(api.post('/nodes/pve/qemu/100/status/start')).rejects.toThrow(/read-only/);
    await expect(api.get('/cluster/firewall/rules')).rejects.toThrow(/not part of what the exporter reads/);
  });
});
